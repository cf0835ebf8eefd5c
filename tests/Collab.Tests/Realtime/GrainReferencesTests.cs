using Collab.Documents;
using Collab.Web.Realtime;
using Collab.Workshops;
using Microsoft.Extensions.DependencyInjection;

namespace Collab.Tests.Realtime;

/// <summary>The hub's cached grain references are the very references Orleans' <c>GetGrain</c> makes, and they work.</summary>
public sealed class GrainReferencesTests(KestrelWebNode node) : IClassFixture<KestrelWebNode>
{
    [Fact]
    public async Task AReferenceIsTheOneGetGrainGivesAndReachesTheSameGrain()
    {
        _ = node.Address; // the server starts on Kestrel first
        var cluster = node.Services.GetRequiredService<IClusterClient>();
        var references = node.Services.GetRequiredService<GrainReferences>();

        foreach (var id in new[] { "w1.notes.a", "another-id", "w1.notes.a" })
        {
            var ours = (GrainReference)(object)references.Get<IDocumentGrain>(id);
            var theirs = (GrainReference)(object)cluster.GetGrain<IDocumentGrain>(id);
            Assert.Equal(theirs.GrainId, ours.GrainId);
            Assert.Equal(theirs.InterfaceType, ours.InterfaceType);
            Assert.Equal(theirs.GetType(), ours.GetType());
        }

        // Another interface gets its own grain type, not the first one's.
        var presence = (GrainReference)(object)references.Get<IPresenceGrain>("w1");
        Assert.Equal(((GrainReference)(object)cluster.GetGrain<IPresenceGrain>("w1")).GrainId, presence.GrainId);

        // A call through one reaches the grain: the fixture's workshop, read through its presence grain.
        var workshop = await node.WorkshopAsync();
        var member = await node.MemberAsync("Reference reader");
        var caller = new Caller(member.Id, member.Name, workshop.Id, Role.Participant, "bj");
        var snapshot = await references.Get<IPresenceGrain>(workshop.Id).GetAsync(caller);
        Assert.Equal(workshop.Id, snapshot.WorkshopId);
    }
}
