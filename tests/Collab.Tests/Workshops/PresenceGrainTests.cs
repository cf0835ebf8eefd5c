using System.Text.Json;
using Collab.Client;
using Collab.Workshops;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Core.Internal;

namespace Collab.Tests.Workshops;

/// <summary>
/// The presence grain's pushes through a real embedded silo (one-second grace period), as a web node receives them:
/// deltas of who changed, and a client (<see cref="WorkshopPresenceFollower"/>) that fetches the snapshot again when a
/// delta does not follow what it holds and then holds exactly the grain's snapshot.
/// </summary>
public sealed class PresenceGrainTests(ShortGraceWebNode node) : IClassFixture<ShortGraceWebNode>
{
    private IClusterClient Cluster => node.Services.GetRequiredService<IClusterClient>();

    private sealed class Workshop(IClusterClient cluster)
    {
        public string Id { get; } = "w-presence-" + Guid.NewGuid().ToString("N");

        public IPresenceGrain Grain => cluster.GetGrain<IPresenceGrain>(Id);

        public Caller Person(string name) => new("p-" + name.ToLowerInvariant(), name, Id, Role.Participant);
    }

    /// <summary>A web node's subscription: records the pushes, and hands them to a follower unless told to lose one.</summary>
    private sealed class Node : IPresenceObserver
    {
        public Pushes<WorkshopPresenceDelta> Deltas { get; } = new();

        public Pushes<WorkshopPresence> Snapshots { get; } = new();

        public WorkshopPresenceFollower? Follower { get; set; }

        public Func<WorkshopPresenceDelta, bool> Lose { get; set; } = _ => false;

        public Task WorkshopPresenceChanged(WorkshopPresence presence)
        {
            Snapshots.Add(presence);
            Follower?.Receive(presence);
            return Task.CompletedTask;
        }

        public Task WorkshopPresenceDelta(WorkshopPresenceDelta delta)
        {
            Deltas.Add(delta);
            if (!Lose(delta))
            {
                Follower?.Receive(delta);
            }

            return Task.CompletedTask;
        }
    }

    private async Task<(Workshop Workshop, Node Node)> SubscribedAsync()
    {
        var workshop = new Workshop(Cluster);
        var subscriber = new Node();
        await workshop.Grain.SubscribeAsync(Cluster.CreateObjectReference<IPresenceObserver>(subscriber));
        return (workshop, subscriber);
    }

    /// <summary>A client following the node's pushes from the grain's snapshot; its states, after every change.</summary>
    private static async Task<(WorkshopPresenceFollower Follower, Pushes<WorkshopPresence> States)> FollowAsync(Workshop workshop, Node subscriber)
    {
        var states = new Pushes<WorkshopPresence>();
        var follower = new WorkshopPresenceFollower(_ => workshop.Grain.GetAsync(workshop.Person("Reader")));
        follower.Changed += states.Add;
        subscriber.Follower = follower;
        await follower.LoadAsync();
        return (follower, states);
    }

    private static string Json(WorkshopPresence? presence) => JsonSerializer.Serialize(presence);

    [Fact]
    public async Task AChangeToOneParticipantPushesADeltaWithOnlyThatParticipant()
    {
        var (workshop, subscriber) = await SubscribedAsync();
        foreach (var name in new[] { "Awa", "Kofi", "Zoe" })
        {
            await workshop.Grain.ConnectAsync("c-" + name, workshop.Person(name));
        }

        await subscriber.Deltas.FirstAsync(d => d.Changed.Any(p => p.ParticipantId == "p-zoe"), "a delta with Zoe, who came last");

        await workshop.Grain.LocateAsync("c-Kofi", "doc-1", "plenary", open: true);

        var delta = await subscriber.Deltas.FirstAsync(d => d.Changed.Any(p => p.Documents.Contains("doc-1")), "a delta with Kofi in doc-1");
        var kofi = Assert.Single(delta.Changed);
        Assert.Equal(("p-kofi", "Kofi", false), (kofi.ParticipantId, kofi.Name, kofi.Reconnecting));
        Assert.Equal(["plenary"], kofi.Rooms);
        Assert.Equal(["doc-1"], kofi.Documents);
        Assert.Empty(delta.Gone);
    }

    [Fact]
    public async Task LeavingPushesTheParticipantReconnectingThenGone()
    {
        var (workshop, subscriber) = await SubscribedAsync();
        await workshop.Grain.ConnectAsync("c-Awa", workshop.Person("Awa"));
        await workshop.Grain.ConnectAsync("c-Kofi", workshop.Person("Kofi"));
        await subscriber.Deltas.FirstAsync(d => d.Changed.Any(p => p.ParticipantId == "p-kofi"), "a delta with Kofi, who came last");
        var (follower, states) = await FollowAsync(workshop, subscriber);

        await workshop.Grain.DisconnectAsync("c-Kofi");

        var reconnecting = await subscriber.Deltas.FirstAsync(d => d.Changed.Any(p => p.Reconnecting), "a delta with Kofi reconnecting");
        Assert.Equal("p-kofi", Assert.Single(reconnecting.Changed).ParticipantId);
        var gone = await subscriber.Deltas.FirstAsync(d => d.Gone.Count > 0, "a delta with Kofi gone");
        Assert.Equal(["p-kofi"], gone.Gone);
        Assert.Empty(gone.Changed);
        await states.FirstAsync(p => p.Version == gone.Version, "presence after Kofi left");
        Assert.Equal(Json(await workshop.Grain.GetAsync(workshop.Person("Awa"))), Json(follower.Current));
    }

    [Fact]
    public async Task AClientThatMissedADeltaFetchesTheSnapshotAndEndsIdenticalToIt()
    {
        var (workshop, subscriber) = await SubscribedAsync();
        await workshop.Grain.ConnectAsync("c-Awa", workshop.Person("Awa"));
        var (follower, states) = await FollowAsync(workshop, subscriber);
        await states.FirstAsync(p => p.Online.Count == 1, "presence with Awa");

        subscriber.Lose = d => d.Changed.Any(p => p.ParticipantId == "p-kofi");
        await workshop.Grain.ConnectAsync("c-Kofi", workshop.Person("Kofi"));
        await subscriber.Deltas.FirstAsync(d => d.Changed.Any(p => p.ParticipantId == "p-kofi"), "the delta with Kofi (lost)");
        await workshop.Grain.ConnectAsync("c-Zoe", workshop.Person("Zoe"));

        await states.FirstAsync(p => p.Online.Count == 3, "presence with Awa, Kofi and Zoe");
        Assert.Equal(2, follower.Fetches);
        Assert.Equal(Json(await workshop.Grain.GetAsync(workshop.Person("Awa"))), Json(follower.Current));
    }

    [Fact]
    public async Task AClientOfAGrainActivatedAgainFetchesTheSnapshotAndEndsIdenticalToIt()
    {
        var (workshop, subscriber) = await SubscribedAsync();
        await workshop.Grain.ConnectAsync("c-Awa", workshop.Person("Awa"));
        await workshop.Grain.ConnectAsync("c-Kofi", workshop.Person("Kofi"));
        var (follower, states) = await FollowAsync(workshop, subscriber);
        var before = await states.FirstAsync(p => p.Online.Count == 2, "presence with Awa and Kofi");

        // Presence lives in memory: the new activation knows only who connects again, and the web node subscribes again.
        await workshop.Grain.Cast<IGrainManagementExtension>().DeactivateOnIdle();
        await workshop.Grain.SubscribeAsync(Cluster.CreateObjectReference<IPresenceObserver>(subscriber));
        await workshop.Grain.ConnectAsync("c-Zoe", workshop.Person("Zoe"));

        var after = await states.FirstAsync(p => p.Online.Any(x => x.ParticipantId == "p-zoe"), "presence with Zoe");
        Assert.True(after.Version > before.Version, $"{after.Version} <= {before.Version}");
        Assert.Equal(["p-zoe"], after.Online.Select(p => p.ParticipantId));
        Assert.Equal(2, follower.Fetches);
        Assert.Equal(Json(await workshop.Grain.GetAsync(workshop.Person("Awa"))), Json(follower.Current));
    }
}
