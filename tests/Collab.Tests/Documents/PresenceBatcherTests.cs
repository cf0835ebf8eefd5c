using Collab.Documents;
using Collab.Text;
using CsCheck;

namespace Collab.Tests.Documents;

/// <summary>Presence batching without a silo: one batch per burst of changes, selections moved with commits, expiry.</summary>
public sealed class PresenceBatcherTests
{
    private static readonly DateTimeOffset At = new(2026, 3, 12, 9, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Expiry = TimeSpan.FromMinutes(2);

    private static PresenceEntry Entry(string session, int? anchor = null, int? head = null) =>
        new(session, "p-" + session, session, anchor is { } a ? new Selection(a, head ?? a) : null);

    private static CommittedOp Committed(int revision, TextOperation op) => new(revision, op, "c", revision, "p", "P", At, null);

    [Fact]
    public void ABurstOfChangesIsOneBatchAndThenNothingUntilTheNextChange()
    {
        var presence = new PresenceBatcher(Expiry);
        Assert.True(presence.Update(Entry("s1", 1), At));
        Assert.True(presence.Update(Entry("s2"), At));

        var batch = presence.TakeBatch(At);

        Assert.Equal(["s1", "s2"], batch!.Select(e => e.ConnectionId).Order());
        Assert.False(presence.Dirty);
        Assert.Null(presence.TakeBatch(At));
    }

    [Fact]
    public void ASecondUpdateBeforeTheBatchReplacesTheFirstAndSaysSo()
    {
        var presence = new PresenceBatcher(Expiry);
        presence.Update(Entry("s1", 1), At);

        Assert.False(presence.Update(Entry("s1", 5), At));
        Assert.Equal(new Selection(5, 5), Assert.Single(presence.TakeBatch(At)!).Selection);

        // After the batch the next update is a first one again.
        Assert.True(presence.Update(Entry("s1", 6), At));
    }

    [Fact]
    public void LeavingIsAChangeOnlyForSomeoneWhoWasThere()
    {
        var presence = new PresenceBatcher(Expiry);
        presence.Leave("nobody");
        Assert.False(presence.Dirty);

        presence.Update(Entry("s1"), At);
        presence.TakeBatch(At);
        presence.Leave("s1");

        Assert.True(presence.Dirty);
        Assert.Empty(presence.TakeBatch(At)!);
        Assert.Equal(0, presence.Count);
    }

    [Fact]
    public void ConnectionsNotHeardOfForLongerThanTheExpiryAreDropped()
    {
        var presence = new PresenceBatcher(Expiry);
        presence.Update(Entry("old"), At);
        presence.Update(Entry("new"), At + Expiry);
        presence.TakeBatch(At + Expiry);

        var batch = presence.TakeBatch(At + Expiry + TimeSpan.FromSeconds(1));

        Assert.Equal(["new"], batch!.Select(e => e.ConnectionId));
    }

    [Fact]
    public void SelectionsMoveWithCommittedOpsAndOnlyAMoveIsAChange()
    {
        var presence = new PresenceBatcher(Expiry);
        presence.Update(Entry("s1", 2, 4), At);
        presence.Update(Entry("s2"), At);
        presence.TakeBatch(At);

        // Typing after the selection moves nothing.
        presence.MoveThrough([Committed(1, TextOperation.Of(OpComponent.Retain(6), OpComponent.Insert("!")))]);
        Assert.False(presence.Dirty);

        presence.MoveThrough([
            Committed(2, TextOperation.Of(OpComponent.Insert("ab"), OpComponent.Retain(7))),
            Committed(3, TextOperation.Of(OpComponent.Retain(5), OpComponent.Delete(2), OpComponent.Retain(2))),
        ]);

        Assert.True(presence.Dirty);
        var moved = presence.TakeBatch(At)!.Single(e => e.ConnectionId == "s1");
        Assert.Equal(new Selection(4, 5), moved.Selection);
    }

    [Fact]
    public void MovingThroughABatchIsMovingThroughEachOpInTurn()
    {
        Gen.Int.Sample(seed =>
        {
            var random = new Random(seed);
            var text = new string('a', random.Next(0, 20));
            var anchor = random.Next(0, text.Length + 1);
            var head = random.Next(0, text.Length + 1);
            var ops = new List<CommittedOp>();
            for (var i = 1; i <= random.Next(1, 6); i++)
            {
                var at = random.Next(0, text.Length + 1);
                var delete = random.Next(0, text.Length - at + 1);
                var components = new List<OpComponent>();
                if (at > 0)
                {
                    components.Add(OpComponent.Retain(at));
                }

                if (delete > 0)
                {
                    components.Add(OpComponent.Delete(delete));
                }

                components.Add(OpComponent.Insert(new string('b', random.Next(1, 4))));
                if (text.Length - at - delete > 0)
                {
                    components.Add(OpComponent.Retain(text.Length - at - delete));
                }

                var op = TextOperation.Of([.. components]);
                text = TextOt.Apply(text, op);
                ops.Add(Committed(i, op));
            }

            var batched = new PresenceBatcher(Expiry);
            var oneByOne = new PresenceBatcher(Expiry);
            batched.Update(Entry("s", anchor, head), At);
            oneByOne.Update(Entry("s", anchor, head), At);

            batched.MoveThrough(ops);
            foreach (var op in ops)
            {
                oneByOne.MoveThrough([op]);
            }

            var moved = Assert.Single(batched.Entries()).Selection!;
            Assert.InRange(moved.Anchor, 0, text.Length);
            Assert.InRange(moved.Head, 0, text.Length);
            Assert.Equal(oneByOne.Entries(), batched.Entries());
        }, iter: 500);
    }
}
