using Collab.Documents;
using Collab.Text;
using Collab.Web.Realtime;

namespace Collab.Tests.Realtime;

/// <summary>
/// One document's pushes on a web node: forwarded in revision order whatever order Orleans delivers them in, and
/// coalesced while a send is under way, so a busy document costs one group message per send instead of one per commit
/// while an idle one's push leaves at once (issue 16, fan-out).
/// </summary>
public sealed class PushOrderTests
{
    private static readonly DateTime T0 = new(2026, 12, 6, 12, 0, 0, DateTimeKind.Utc);
    private static readonly TimeSpan Window = TimeSpan.FromMilliseconds(200);

    private static OpsCommitted Batch(params int[] revisions) => new("doc", [.. revisions.Select(r =>
        new CommittedOp(r, TextOperation.Of(OpComponent.Insert("x")), "c", r, "p", "P", T0, null))]);

    private static int[] Revisions(OpsCommitted? push) => push is null ? [] : [.. push.Ops.Select(o => o.Revision)];

    [Fact]
    public void AnIdleDocumentsBatchLeavesAtOnceAsItIs()
    {
        var order = new PushOrder();
        Assert.True(order.Enqueue(order.Accept(Batch(1, 2), T0, Window)));
        Assert.Equal([1, 2], Revisions(order.TakeOutbox("doc")));
        Assert.Null(order.TakeOutbox("doc"));

        // The send is over: the next batch leaves at once again.
        Assert.True(order.Enqueue(order.Accept(Batch(3), T0, Window)));
        Assert.Equal([3], Revisions(order.TakeOutbox("doc")));
    }

    [Fact]
    public void BatchesReadyWhileASendIsUnderWayLeaveTogetherInOnePushInRevisionOrder()
    {
        var order = new PushOrder();
        Assert.True(order.Enqueue(order.Accept(Batch(1), T0, Window)));
        Assert.Equal([1], Revisions(order.TakeOutbox("doc")));

        // Revision 1 is being sent: 2, 3 and 4 arrive meanwhile; nobody else sends.
        Assert.False(order.Enqueue(order.Accept(Batch(2), T0, Window)));
        Assert.False(order.Enqueue(order.Accept(Batch(3, 4), T0, Window)));

        var coalesced = order.TakeOutbox("doc");
        Assert.Equal("doc", coalesced!.DocId);
        Assert.Equal([2, 3, 4], Revisions(coalesced));
        Assert.Null(order.TakeOutbox("doc"));
    }

    [Fact]
    public void ABatchAheadOfAGapIsHeldUntilTheMissingOneArrivesThenBothLeaveInOrder()
    {
        var order = new PushOrder();
        Assert.True(order.Enqueue(order.Accept(Batch(1), T0, Window)));
        Assert.Equal([1], Revisions(order.TakeOutbox("doc")));
        Assert.Null(order.TakeOutbox("doc"));

        Assert.False(order.Enqueue(order.Accept(Batch(3), T0, Window)));
        Assert.True(order.HasHeld);
        Assert.True(order.Enqueue(order.Accept(Batch(2), T0.AddMilliseconds(5), Window)));
        Assert.False(order.HasHeld);
        Assert.Equal([2, 3], Revisions(order.TakeOutbox("doc")));
    }

    [Fact]
    public void ABatchWhosePredecessorNeverComesLeavesAfterTheWindow()
    {
        var order = new PushOrder();
        Assert.True(order.Enqueue(order.Accept(Batch(1), T0, Window)));
        order.TakeOutbox("doc");
        order.TakeOutbox("doc");

        Assert.False(order.Enqueue(order.Accept(Batch(5), T0, Window)));
        Assert.False(order.Enqueue(order.Accept(null, T0 + Window / 2, Window)));
        Assert.True(order.Enqueue(order.Accept(null, T0 + Window, Window)));
        Assert.Equal([5], Revisions(order.TakeOutbox("doc")));
    }

    [Fact]
    public void AfterAFailedSendTheNextNotificationSendsWhatIsLeft()
    {
        var order = new PushOrder();
        Assert.True(order.Enqueue(order.Accept(Batch(1), T0, Window)));
        order.TakeOutbox("doc");
        Assert.False(order.Enqueue(order.Accept(Batch(2), T0, Window)));

        // The send of revision 1 failed: revision 2 waits for the next notification, which sends both it and 3.
        order.SendFailed();
        Assert.True(order.Enqueue(order.Accept(Batch(3), T0, Window)));
        Assert.Equal([2, 3], Revisions(order.TakeOutbox("doc")));
    }
}
