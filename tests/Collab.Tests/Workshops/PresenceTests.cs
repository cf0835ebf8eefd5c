using System.Diagnostics;
using Collab.Client;
using Collab.Sessions;
using Collab.Workshops;
using Microsoft.AspNetCore.Hosting;

namespace Collab.Tests.Workshops;

/// <summary>
/// Workshop presence as connected clients see it (the snapshot, then <c>WorkshopPresenceDelta</c> pushes applied by
/// <see cref="WorkshopPresenceFollower"/>), with the default grace period.
/// </summary>
public sealed class PresenceTests(KestrelWebNode node) : IClassFixture<KestrelWebNode>
{
    [Fact]
    public async Task PresenceListsWhoIsOnlineWithTheRoomsAndDocumentsTheyHaveOpen()
    {
        var workshop = await TestWorkshop.CreateAsync(() => new HttpClient { BaseAddress = node.Address });
        var awaMember = await workshop.JoinAsync("Awa", delegation: "bj");
        var plenaryDoc = await workshop.NewDocumentAsync("Plenary notes");
        var sessions = $"/api/workshops/{workshop.Id}/sessions/d1-breakouts";
        await workshop.OkAsync<SessionView>(workshop.Facilitator.Token, HttpMethod.Post, $"{sessions}/start");
        var group = (await workshop.OkAsync<SessionView>(
            workshop.Facilitator.Token, HttpMethod.Post, $"{sessions}/breakouts", new { naming = "numbered", count = 1, assignment = "mixDelegations" })).Breakouts!.Groups[0];
        var groupDoc = group.Documents.Single(d => d.Section == "best-practices").DocId;
        await using var facilitator = await CollabConnection.ConnectAsync(node.HubUrl, workshop.Facilitator.Token);
        var presence = await FollowAsync(facilitator, workshop);

        await using var awa = await CollabConnection.ConnectAsync(node.HubUrl, awaMember.Token);
        await awa.OpenAsync(plenaryDoc);
        await awa.OpenAsync(groupDoc);

        var both = await presence.FirstAsync(
            p => p.Online.Any(x => x.ParticipantId == awaMember.Id && x.Documents.Count == 2), "presence with Awa in two documents");
        var entry = both.Online.Single(x => x.ParticipantId == awaMember.Id);
        Assert.Equal(("Awa", Role.Participant, false), (entry.Name, entry.Role, entry.Reconnecting));
        Assert.Equal(new[] { plenaryDoc, groupDoc }.Order(StringComparer.Ordinal), entry.Documents);
        Assert.Equal([group.Room, SessionKeys.Plenary], entry.Rooms);
        Assert.Contains(both.Online, x => x.ParticipantId == workshop.Facilitator.Id && x.Role == Role.Facilitator && x.Documents.Count == 0);

        var read = await workshop.OkAsync<WorkshopPresence>(awaMember.Token, HttpMethod.Get, $"/api/workshops/{workshop.Id}/presence");
        Assert.Equivalent(entry, read.Online.Single(x => x.ParticipantId == awaMember.Id), strict: true);

        // Closing the group's document leaves her in plenary only.
        await awa.CloseAsync(groupDoc);
        var closed = await presence.FirstAsync(
            p => p.Version > both.Version && p.Online.Single(x => x.ParticipantId == awaMember.Id).Documents.Count == 1, "presence with Awa in one document");
        var after = closed.Online.Single(x => x.ParticipantId == awaMember.Id);
        Assert.Equal([SessionKeys.Plenary], after.Rooms);
        Assert.Equal([plenaryDoc], after.Documents);
    }

    [Fact]
    public async Task ParticipantWhoReconnectsWithinTheGracePeriodNeverAppearsGone()
    {
        var workshop = await TestWorkshop.CreateAsync(() => new HttpClient { BaseAddress = node.Address });
        var awaMember = await workshop.JoinAsync("Awa", delegation: "bj");
        var plenaryDoc = await workshop.NewDocumentAsync("Plenary notes");
        await using var facilitator = await CollabConnection.ConnectAsync(node.HubUrl, workshop.Facilitator.Token);
        var presence = await FollowAsync(facilitator, workshop);

        var first = await CollabConnection.ConnectAsync(node.HubUrl, awaMember.Token);
        await first.OpenAsync(plenaryDoc);
        var online = await presence.FirstAsync(p => p.Online.Any(x => x.ParticipantId == awaMember.Id && x.Documents.Count == 1), "presence with Awa online");

        // Her Wi-Fi drops: she shows as reconnecting, not gone.
        await first.DisposeAsync();
        var dropped = await presence.FirstAsync(
            p => p.Version > online.Version && !IsOnline(p, awaMember.Id), "the first presence after Awa's connection dropped");
        Assert.True(dropped.Online.Any(x => x.ParticipantId == awaMember.Id && x.Reconnecting), "Awa disappeared instead of showing as reconnecting");

        await using var second = await CollabConnection.ConnectAsync(node.HubUrl, awaMember.Token);
        await second.OpenAsync(plenaryDoc);
        var back = await presence.FirstAsync(
            p => p.Version > online.Version && p.Online.Any(x => x.ParticipantId == awaMember.Id && !x.Reconnecting && x.Documents.Count == 1),
            "presence with Awa back online in the plenary document");

        var since = presence.Received.Where(p => p.Version >= online.Version && p.Version <= back.Version).OrderBy(p => p.Version).ToList();
        Assert.All(since, p => Assert.Contains(p.Online, x => x.ParticipantId == awaMember.Id));
        Assert.Contains(since, p => p.Online.Single(x => x.ParticipantId == awaMember.Id).Reconnecting);
    }

    [Theory]
    [InlineData(CollabHubProtocol.Json)]
    [InlineData(CollabHubProtocol.MessagePack)]
    public async Task AParticipantJoiningSendsMembersADeltaOfOneEntryNotTheWholeList(CollabHubProtocol protocol)
    {
        var workshop = await TestWorkshop.CreateAsync(() => new HttpClient { BaseAddress = node.Address });
        var awaMember = await workshop.JoinAsync("Awa", delegation: "bj");
        var kofiMember = await workshop.JoinAsync("Kofi", delegation: "gh");
        List<PresencePushes> members = [];
        await using var facilitator = await ListenAsync(node.HubUrl, workshop, workshop.Facilitator.Token, protocol, members);
        await using var awa = await ListenAsync(node.HubUrl, workshop, awaMember.Token, protocol, members);

        // Both pages hold the presence a push carried (not only the snapshot they read): Kofi's delta follows it.
        await members[0].Deltas.FirstAsync(d => d.Changed.Any(p => p.ParticipantId == awaMember.Id), "a delta with Awa, who came last");
        foreach (var (_, _, followed) in members)
        {
            await followed.FirstAsync(p => IsOnline(p, workshop.Facilitator.Id) && IsOnline(p, awaMember.Id), "presence with the facilitator and Awa");
        }

        await using var kofi = await CollabConnection.ConnectAsync(node.HubUrl, kofiMember.Token, protocol: protocol);

        foreach (var (deltas, snapshots, followed) in members)
        {
            var joined = await deltas.FirstAsync(d => d.Changed.Any(p => p.ParticipantId == kofiMember.Id), "a delta with Kofi");
            var entry = Assert.Single(joined.Changed);
            Assert.Equal(("Kofi", Role.Participant, false), (entry.Name, entry.Role, entry.Reconnecting));
            Assert.Empty(joined.Gone);
            Assert.Empty(snapshots.Received);
            var now = await followed.FirstAsync(p => p.Version >= joined.Version, "presence after the delta with Kofi");
            var read = await workshop.OkAsync<WorkshopPresence>(workshop.Facilitator.Token, HttpMethod.Get, $"/api/workshops/{workshop.Id}/presence");
            Assert.Equal(
                read.Online.Select(p => (p.ParticipantId, p.Name, p.Reconnecting)),
                now.Online.Select(p => (p.ParticipantId, p.Name, p.Reconnecting)));
        }
    }

    /// <summary>
    /// A connection speaking <paramref name="protocol"/> whose presence pushes (deltas, whole lists, and the presence a
    /// follower keeps from them) are added to <paramref name="members"/>.
    /// </summary>
    internal static async Task<CollabConnection> ListenAsync(
        Uri hubUrl, TestWorkshop workshop, string token, CollabHubProtocol protocol, List<PresencePushes> members)
    {
        var connection = await CollabConnection.ConnectAsync(hubUrl, token, protocol: protocol);
        var deltas = new Pushes<WorkshopPresenceDelta>();
        var snapshots = new Pushes<WorkshopPresence>();
        connection.WorkshopPresenceDelta += deltas.Add;
        connection.WorkshopPresenceChanged += snapshots.Add;
        members.Add(new PresencePushes(deltas, snapshots, await FollowAsync(connection, workshop)));
        return connection;
    }

    /// <summary>
    /// The whole presence as <paramref name="connection"/> follows it (the snapshot read as its workshop's facilitator,
    /// then the pushed deltas), after every change.
    /// </summary>
    internal static async Task<Pushes<WorkshopPresence>> FollowAsync(CollabConnection connection, TestWorkshop workshop)
    {
        var presence = new Pushes<WorkshopPresence>();
        var follower = WorkshopPresenceFollower.Follow(
            connection, _ => workshop.OkAsync<WorkshopPresence>(workshop.Facilitator.Token, HttpMethod.Get, $"/api/workshops/{workshop.Id}/presence"));
        follower.Changed += presence.Add;
        await follower.LoadAsync();
        return presence;
    }

    /// <summary>Listed with a live connection (not merely reconnecting).</summary>
    internal static bool IsOnline(WorkshopPresence presence, string participantId) =>
        presence.Online.Any(x => x.ParticipantId == participantId && !x.Reconnecting);
}

/// <summary>The presence pushes one connection received, and the presence its <see cref="WorkshopPresenceFollower"/> keeps.</summary>
internal sealed record PresencePushes(Pushes<WorkshopPresenceDelta> Deltas, Pushes<WorkshopPresence> Snapshots, Pushes<WorkshopPresence> Followed);

/// <summary>An embedded node on which a dropped participant stays listed for one second only.</summary>
public sealed class ShortGraceWebNode : KestrelWebNode
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Collab:Limits:PresenceGraceSeconds", "1");
    }
}

/// <summary>Workshop presence after the grace period (one second on this node).</summary>
public sealed class PresenceGraceTests(ShortGraceWebNode node) : IClassFixture<ShortGraceWebNode>
{
    [Fact]
    public async Task ParticipantWhoStaysAwayLongerThanTheGracePeriodDisappears()
    {
        var workshop = await node.WorkshopAsync();
        var awaMember = await node.MemberAsync("Awa");
        await using var facilitator = await CollabConnection.ConnectAsync(node.HubUrl, workshop.Facilitator.Token);
        var presence = await PresenceTests.FollowAsync(facilitator, workshop);
        var awa = await CollabConnection.ConnectAsync(node.HubUrl, awaMember.Token);
        var online = await presence.FirstAsync(p => PresenceTests.IsOnline(p, awaMember.Id), "presence with Awa online");

        var away = Stopwatch.StartNew();
        await awa.DisposeAsync();
        var reconnecting = await presence.FirstAsync(
            p => p.Version > online.Version && !PresenceTests.IsOnline(p, awaMember.Id), "the first presence after Awa's connection dropped");
        Assert.True(reconnecting.Online.Any(x => x.ParticipantId == awaMember.Id && x.Reconnecting), "Awa disappeared at once instead of showing as reconnecting");
        var gone = await presence.FirstAsync(
            p => p.Version > reconnecting.Version && p.Online.All(x => x.ParticipantId != awaMember.Id), "presence without Awa");

        Assert.True(away.Elapsed >= TimeSpan.FromSeconds(0.9), $"Awa was dropped after {away.Elapsed.TotalSeconds:0.00} s, before the 1 s grace period ended");
        Assert.Contains(gone.Online, x => x.ParticipantId == workshop.Facilitator.Id);
        var read = await workshop.OkAsync<WorkshopPresence>(workshop.Facilitator.Token, HttpMethod.Get, $"/api/workshops/{workshop.Id}/presence");
        Assert.DoesNotContain(read.Online, x => x.ParticipantId == awaMember.Id);
    }
}

