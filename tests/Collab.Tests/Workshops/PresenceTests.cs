using System.Diagnostics;
using Collab.Client;
using Collab.Sessions;
using Collab.Workshops;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

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

/// <summary>
/// A wall clock (<see cref="TimeProvider.GetUtcNow"/>) that stands still until the test moves it. Timers and timestamps
/// stay real (the base class's), so Orleans, Kestrel and SignalR run as ever.
/// </summary>
public sealed class HeldClock : TimeProvider
{
    private long _utcTicks = DateTimeOffset.UtcNow.UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _utcTicks), TimeSpan.Zero);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _utcTicks, by.Ticks);
}

/// <summary>
/// An embedded node whose wall clock is a <see cref="HeldClock"/>, with a one-second grace period: participants whose
/// connections dropped at different moments all reach the end of their grace period when the test moves the clock,
/// so the presence grain drops them in one push whatever moments its timer ticks.
/// </summary>
public sealed class HeldClockWebNode : KestrelWebNode
{
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(1);

    public HeldClock Clock { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Collab:Limits:PresenceGraceSeconds", "1");
        builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(Clock));
    }
}

/// <summary>Workshop presence when most of the list leaves in one push (a clock the test moves ends their grace period together).</summary>
public sealed class PresenceFallbackTests(HeldClockWebNode node) : IClassFixture<HeldClockWebNode>
{
    [Theory]
    [InlineData(CollabHubProtocol.Json)]
    [InlineData(CollabHubProtocol.MessagePack)]
    public async Task MostOfTheListLeavingAtOnceSendsMembersTheWholeListThenDeltasOnItAgain(CollabHubProtocol protocol)
    {
        var workshop = await TestWorkshop.CreateAsync(() => new HttpClient { BaseAddress = node.Address });
        var awaMember = await workshop.JoinAsync("Awa", delegation: "bj");
        TestWorkshop.Member[] leaving =
        [
            await workshop.JoinAsync("Kofi", delegation: "gh"),
            await workshop.JoinAsync("Ama", delegation: "gh"),
            await workshop.JoinAsync("Yao", delegation: "ci"),
        ];
        List<PresencePushes> members = [];
        await using var facilitator = await PresenceTests.ListenAsync(node.HubUrl, workshop, workshop.Facilitator.Token, protocol, members);
        await using var awa = await PresenceTests.ListenAsync(node.HubUrl, workshop, awaMember.Token, protocol, members);
        var connections = await Task.WhenAll(leaving.Select(m => CollabConnection.ConnectAsync(node.HubUrl, m.Token, protocol: protocol)));
        foreach (var member in members)
        {
            await member.Followed.FirstAsync(p => p.Online.Count == 5 && p.Online.All(x => !x.Reconnecting), "presence with all five online");
        }

        // The venue's Wi-Fi drops three of the five: deltas show them reconnecting (the grace period holds them listed).
        foreach (var connection in connections)
        {
            await connection.DisposeAsync();
        }

        foreach (var member in members)
        {
            await member.Followed.FirstAsync(
                p => leaving.All(m => p.Online.Any(x => x.ParticipantId == m.Id && x.Reconnecting)), "presence with Kofi, Ama and Yao reconnecting");
            Assert.Empty(member.Snapshots.Received);
        }

        // Their grace period ends in one push: three gone would be a longer delta than the two who stay, so the whole list comes.
        node.Clock.Advance(HeldClockWebNode.Grace);
        string[] staying = [workshop.Facilitator.Id, awaMember.Id];
        var whole = await members[0].Snapshots.FirstAsync(_ => true, "the whole list after Kofi, Ama and Yao's grace period");
        Assert.Equal(staying.Order(StringComparer.Ordinal), whole.Online.Select(p => p.ParticipantId).Order(StringComparer.Ordinal));
        var listed = await workshop.OkAsync<WorkshopPresence>(workshop.Facilitator.Token, HttpMethod.Get, $"/api/workshops/{workshop.Id}/presence");
        Assert.Equivalent(listed, whole, strict: true);
        foreach (var member in members)
        {
            Assert.Equivalent(whole, await member.Snapshots.FirstAsync(_ => true, "the whole list"), strict: true);
            Assert.DoesNotContain(member.Deltas.Received, d => d.Gone.Count > 0);
            Assert.Equivalent(whole, await member.Followed.FirstAsync(p => p.Version >= whole.Version, "presence after the whole list"), strict: true);
        }

        // Kofi comes back: one entry, pushed as a delta on the whole list's version, which followers apply on top of it.
        await using var kofi = await CollabConnection.ConnectAsync(node.HubUrl, leaving[0].Token, protocol: protocol);
        foreach (var member in members)
        {
            var back = await member.Deltas.FirstAsync(d => d.Version > whole.Version, "the delta after the whole list");
            Assert.Equal(whole.Version, back.BaseVersion);
            var entry = Assert.Single(back.Changed);
            Assert.Equal((leaving[0].Id, "Kofi", false), (entry.ParticipantId, entry.Name, entry.Reconnecting));
            Assert.Empty(back.Gone);
            var now = await member.Followed.FirstAsync(p => p.Version >= back.Version, "presence after the delta with Kofi back");
            var read = await workshop.OkAsync<WorkshopPresence>(workshop.Facilitator.Token, HttpMethod.Get, $"/api/workshops/{workshop.Id}/presence");
            Assert.Equivalent(read, now, strict: true);
            Assert.Single(member.Snapshots.Received);
        }
    }
}
