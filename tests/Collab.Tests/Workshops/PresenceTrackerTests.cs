using System.Text.Json;
using Collab.Workshops;
using CsCheck;

namespace Collab.Tests.Workshops;

/// <summary>
/// Presence deltas without a silo (<see cref="PresenceTracker"/>): a push lists only who changed, and a page applying
/// every push in order to its first snapshot holds exactly the grain's snapshot.
/// </summary>
public sealed class PresenceTrackerTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 7, 9, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(1);

    private static Caller Person(int i) => new($"p{i}", i % 3 == 0 ? $"Awa {i}" : $"kofi {i}", "w", (Role)(i % 4));

    [Fact]
    public void AChangeOfOneParticipantPushesOnlyThatParticipant()
    {
        var tracker = new PresenceTracker("w", At);
        for (var i = 0; i < 50; i++)
        {
            tracker.Connect($"c{i}", Person(i));
        }

        var first = tracker.TakeChange(At)!.Delta!;
        Assert.Equal(50, first.Changed.Count);

        tracker.Locate("c7", "doc-1", "plenary", open: true);
        var second = tracker.TakeChange(At)!.Delta!;

        Assert.Equal(first.Version, second.BaseVersion);
        var only = Assert.Single(second.Changed);
        Assert.Equal("p7", only.ParticipantId);
        Assert.Equal(["plenary"], only.Rooms);
        Assert.Equal(["doc-1"], only.Documents);
        Assert.Empty(second.Gone);
    }

    [Fact]
    public void AChangeUndoneBeforeThePushPushesNothing()
    {
        var tracker = new PresenceTracker("w", At);
        tracker.Connect("c1", Person(1));
        tracker.TakeChange(At);

        tracker.Locate("c1", "doc-1", "plenary", open: true);
        tracker.Locate("c1", "doc-1", "plenary", open: false);

        Assert.Null(tracker.TakeChange(At));
    }

    [Fact]
    public void ADeltaThatWouldListMoreThanTheSnapshotIsTheSnapshot()
    {
        var tracker = new PresenceTracker("w", At);
        for (var i = 0; i < 5; i++)
        {
            tracker.Connect($"c{i}", Person(i));
        }

        tracker.TakeChange(At);
        for (var i = 0; i < 4; i++)
        {
            tracker.Disconnect($"c{i}", At);
        }

        tracker.Expire(At + Grace, Grace);
        var push = tracker.TakeChange(At + Grace)!;

        Assert.Null(push.Delta);
        Assert.Equal(["p4"], push.Snapshot!.Online.Select(p => p.ParticipantId));
    }

    /// <summary>
    /// Any sequence of connects, documents opened and closed, disconnects, grace periods ending, pushes and snapshots
    /// handed out (a page loading mid-way): every page that applies each push in order to the snapshot it started from
    /// never misses one and ends with exactly the grain's snapshot; no delta lists more participants than the snapshot.
    /// </summary>
    [Fact]
    public void ApplyingEveryPushInOrderToTheFirstSnapshotGivesTheSnapshot()
    {
        Gen.Int.Sample(seed =>
        {
            var random = new Random(seed);
            var now = At;
            var tracker = new PresenceTracker("w", now);
            List<WorkshopPresence> pages = [tracker.Snapshot(now)];
            var connections = 0;
            for (var step = random.Next(1, 120); step > 0; step--)
            {
                now += TimeSpan.FromMilliseconds(random.Next(0, 300));
                var connection = $"c{random.Next(0, Math.Max(1, connections))}";
                switch (random.Next(0, 10))
                {
                    case 0 or 1:
                        tracker.Connect($"c{connections++}", Person(random.Next(0, 8)));
                        break;
                    case 2 or 3 or 4:
                        tracker.Locate(connection, $"doc-{random.Next(0, 4)}", random.Next(0, 2) == 0 ? "plenary" : "g1", open: random.Next(0, 3) > 0);
                        break;
                    case 5 or 6:
                        tracker.Disconnect(connection, now);
                        break;
                    case 7:
                        pages.Add(tracker.Snapshot(now));
                        break;
                    default:
                        Push(tracker, now, pages);
                        break;
                }

                tracker.Expire(now, Grace);
            }

            Push(tracker, now, pages);
            var expected = Json(tracker.Snapshot(now));
            Assert.All(pages, page => Assert.Equal(expected, Json(page)));
        }, iter: 500);
    }

    private static void Push(PresenceTracker tracker, DateTimeOffset now, List<WorkshopPresence> pages)
    {
        var push = tracker.TakeChange(now);
        for (var i = 0; i < pages.Count; i++)
        {
            if (push?.Snapshot is { } snapshot)
            {
                pages[i] = snapshot;
            }
            else if (push?.Delta is { } delta)
            {
                pages[i] = pages[i].With(delta) ?? throw new InvalidOperationException($"a page at {pages[i].Version} could not apply {delta.BaseVersion} → {delta.Version}");
                Assert.True(delta.Changed.Count + delta.Gone.Count <= pages[i].Online.Count, "a delta listed more participants than the snapshot");
            }
        }
    }

    private static string Json(WorkshopPresence presence) => JsonSerializer.Serialize(presence);
}
