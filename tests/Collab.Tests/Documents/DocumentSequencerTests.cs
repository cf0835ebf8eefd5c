using Collab.Documents;
using Collab.Errors;
using Collab.Text;

namespace Collab.Tests.Documents;

/// <summary>The sequencer alone, without a silo: transform, apply, revisions, the window and exactly-once recognition.</summary>
public sealed class DocumentSequencerTests
{
    private static readonly DateTimeOffset At = new(2026, 3, 12, 9, 0, 0, TimeSpan.Zero);

    /// <summary>Retain n (n &gt; 0), delete -n (n &lt; 0), insert s; a 0 is left out.</summary>
    internal static TextOperation Op(params object[] components) => TextOperation.Of(components.Where(c => c is not 0).Select(c => c switch
    {
        int n when n > 0 => OpComponent.Retain(n),
        int n => OpComponent.Delete(-n),
        string s => OpComponent.Insert(s),
        _ => throw new ArgumentException("component"),
    }).ToArray());

    /// <summary>Submits as the grain does when nothing needs the log, and commits at once unless told not to.</summary>
    private static CommittedOp Submit(DocumentSequencer sequencer, string client, long seq, int baseRevision, TextOperation op, bool commit = true)
    {
        sequencer.ValidateClient(client, seq);
        Assert.Equal(RecognitionKind.New, sequencer.Recognise(client, seq, baseRevision, logSearchedUpTo: null).Kind);
        var rebase = sequencer.Admit(op, baseRevision);
        Assert.Null(sequencer.Missing(rebase));
        var entry = sequencer.Sequence(rebase, client, seq, "p-" + client, client, At, null);
        if (commit)
        {
            sequencer.Committed([entry]);
        }

        return entry;
    }

    private static string Code(Action action) => Assert.ThrowsAny<CollabException>(action).Code;

    [Fact]
    public void OpOnTheLatestRevisionIsAppliedAsSent()
    {
        var sequencer = new DocumentSequencer("d", new DocumentOptions(), "Best practices");

        var entry = Submit(sequencer, "a", 1, 0, Op(14, ": patrouilles mixtes"));

        Assert.Equal((1, "Best practices: patrouilles mixtes"), (entry.Revision, sequencer.Text));
        Assert.Equal(Op(14, ": patrouilles mixtes"), entry.Op);
        Assert.Equal((1, 34), (sequencer.CommittedRevision, sequencer.CommittedLength));
    }

    [Fact]
    public void StaleOpIsTransformedThroughWhatWasSequencedSinceItsBase()
    {
        var sequencer = new DocumentSequencer("d", new DocumentOptions(), "ab");
        Submit(sequencer, "a", 1, 0, Op(1, "X", 1));

        var entry = Submit(sequencer, "k", 1, 0, Op(2, "Y"));

        Assert.Equal(Op(3, "Y"), entry.Op);
        Assert.Equal("aXbY", sequencer.Text);
    }

    [Fact]
    public void QueuedOpsCountForTransformsButNotForTheCommittedRevision()
    {
        var sequencer = new DocumentSequencer("d", new DocumentOptions(), "ab");
        var first = Submit(sequencer, "a", 1, 0, Op(2, "!"), commit: false);

        var second = Submit(sequencer, "k", 1, 0, Op("¡", 2), commit: false);

        Assert.Equal((2, 0, false), (sequencer.Revision, sequencer.CommittedRevision, sequencer.AllCommitted));
        Assert.Equal("¡ab!", sequencer.Text);

        // A base past the committed revision is refused even though it was sequenced.
        Assert.Equal("revision.in_future", Code(() => sequencer.Admit(Op(4, "?"), 1)));

        sequencer.Committed([first, second]);
        Assert.Equal((2, 4, true), (sequencer.CommittedRevision, sequencer.CommittedLength, sequencer.AllCommitted));
    }

    [Fact]
    public void OpsOlderThanTheWindowAreAskedForAndTransformedThrough()
    {
        var sequencer = new DocumentSequencer("d", new DocumentOptions { RecentOpsKept = 2 }, "");
        var log = new List<CommittedOp>();
        for (var i = 0; i < 5; i++)
        {
            log.Add(Submit(sequencer, "a", i + 1, i, Op(i, i.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        }

        // Each op sequenced pushes the oldest committed ones out beyond the 2 kept.
        Assert.Equal(4, sequencer.OldestKept);

        var rebase = sequencer.Admit(Op("k"), 0);
        Assert.Equal((0, 3), sequencer.Missing(rebase));
        sequencer.Through(rebase, log.Take(3).ToList(), 3);
        Assert.Null(sequencer.Missing(rebase));

        var entry = sequencer.Sequence(rebase, "k", 1, "p-k", "k", At, null);
        // Ties go to the op committed first: "k" stays behind each earlier insert at its place.
        Assert.Equal("01234k", sequencer.Text);
        Assert.Equal(Op(5, "k"), entry.Op);
    }

    [Fact]
    public void ALogReadThatStopsShortIsAnErrorNotASilentSkip()
    {
        var sequencer = new DocumentSequencer("d", new DocumentOptions { RecentOpsKept = 1 }, "");
        var log = new List<CommittedOp>();
        for (var i = 0; i < 4; i++)
        {
            log.Add(Submit(sequencer, "a", i + 1, i, Op(i, "x")));
        }

        var rebase = sequencer.Admit(Op("k"), 0);
        var (after, to) = sequencer.Missing(rebase)!.Value;

        Assert.Throws<InvalidOperationException>(() => sequencer.Through(rebase, [log[0], log[2]], to));
        Assert.Equal(0, after);
    }

    [Fact]
    public void SequencingWithoutTheOlderOpsIsRefused()
    {
        var sequencer = new DocumentSequencer("d", new DocumentOptions { RecentOpsKept = 1 }, "");
        for (var i = 0; i < 4; i++)
        {
            Submit(sequencer, "a", i + 1, i, Op(i, "x"));
        }

        var rebase = sequencer.Admit(Op("k"), 0);

        Assert.Throws<InvalidOperationException>(() => sequencer.Sequence(rebase, "k", 1, "p-k", "k", At, null));
        Assert.Equal(4, sequencer.Revision);
    }

    [Theory]
    [InlineData("", 1, "op.client_id_invalid")]
    [InlineData("has space", 1, "op.client_id_invalid")]
    [InlineData("a", 0, "op.client_seq_invalid")]
    public void InvalidClientIsRefusedWithItsCode(string client, long seq, string code)
    {
        var sequencer = new DocumentSequencer("d", new DocumentOptions(), "");

        Assert.Equal(code, Code(() => sequencer.ValidateClient(client, seq)));
    }

    [Fact]
    public void RefusalsLeaveEverythingAsItWas()
    {
        var sequencer = new DocumentSequencer("d", new DocumentOptions { MaxTransformSpan = 2 }, "né😀");
        for (var i = 0; i < 3; i++)
        {
            Submit(sequencer, "a", i + 1, i, Op(4 + i, "!"));
        }

        Assert.Equal("revision.in_future", Code(() => sequencer.Admit(Op(7, "x"), 4)));
        Assert.Equal("revision.in_future", Code(() => sequencer.Admit(Op(7, "x"), -1)));
        Assert.Equal("revision.too_old", Code(() => sequencer.Admit(Op(4, "x"), 0)));
        Assert.Equal("op.malformed", Code(() => sequencer.Admit(TextOperation.Of(OpComponent.Retain(0), OpComponent.Retain(7)), 3)));
        Assert.Equal("op.too_large", Code(() => sequencer.Admit(Op(7, new string('x', 65_537)), 3)));
        Assert.Equal("op.splits_surrogate_pair", Code(() => sequencer.Sequence(sequencer.Admit(Op(3, "x", 4), 3), "b", 1, "p", "b", At, null)));
        Assert.Equal("op.base_length_mismatch", Code(() => sequencer.Sequence(sequencer.Admit(Op(6, "x"), 3), "b", 1, "p", "b", At, null)));
        Assert.Equal("op.base_length_mismatch", Code(() => sequencer.Sequence(sequencer.Admit(Op(5, "x"), 2), "b", 1, "p", "b", At, null)));

        Assert.Equal(("né😀!!!", 3, 3), (sequencer.Text, sequencer.Revision, sequencer.CommittedRevision));
        Assert.Equal(RecognitionKind.New, sequencer.Recognise("b", 1, 3, null).Kind);
    }

    [Fact]
    public void TextOverTheSizeLimitIsRefused()
    {
        var sequencer = new DocumentSequencer("d", new DocumentOptions(), new string('a', 1_048_000));

        Assert.Equal("document.too_large", Code(() => sequencer.Sequence(sequencer.Admit(Op(1_048_000, new string('b', 1_000)), 0), "a", 1, "p", "a", At, null)));
        Assert.Equal(0, sequencer.Revision);
    }

    [Fact]
    public void ResubmissionOfTheLastCommittedOpIsKnownWithItsOriginalAck()
    {
        var sequencer = new DocumentSequencer("d", new DocumentOptions(), "");
        var first = Submit(sequencer, "a", 1, 0, Op("Bonjour"));

        var again = sequencer.Recognise("a", 1, 0, null);

        Assert.Equal(RecognitionKind.Known, again.Kind);
        Assert.Same(first, again.Original);
    }

    [Fact]
    public void ResubmissionOfAQueuedOpWaitsForItsRevision()
    {
        var sequencer = new DocumentSequencer("d", new DocumentOptions(), "");
        Submit(sequencer, "k", 1, 0, Op("x"), commit: false);
        var queued = Submit(sequencer, "a", 1, 0, Op("y"), commit: false);

        Assert.Equal((RecognitionKind.Pending, 2), (sequencer.Recognise("a", 1, 0, null).Kind, sequencer.Recognise("a", 1, 0, null).PendingRevision));

        sequencer.Committed([sequencer.Find(1)!, queued]);
        Assert.Equal(RecognitionKind.Known, sequencer.Recognise("a", 1, 0, null).Kind);
    }

    [Fact]
    public void OlderSequenceNumbersAreLookedUpInTheLogAndReusedOnesRefused()
    {
        var sequencer = new DocumentSequencer("d", new DocumentOptions(), "");
        Submit(sequencer, "a", 1, 0, Op("x"));
        Submit(sequencer, "a", 2, 1, Op(1, "y"));

        var older = sequencer.Recognise("a", 1, 0, null);

        Assert.Equal((RecognitionKind.SearchLog, 2L), (older.Kind, older.ReusedUpTo));
        Assert.Equal("op.sequence_reused", DocumentSequencer.SequenceReused("a", 2).Code);
        Assert.Equal(RecognitionKind.New, sequencer.Recognise("a", 3, 2, null).Kind);
    }

    [Fact]
    public void AClientCommittingOutOfOrderKeepsItsHighestSequenceNumber()
    {
        var sequencer = new DocumentSequencer("d", new DocumentOptions(), "");
        var five = Submit(sequencer, "a", 5, 0, Op("5"), commit: false);
        var three = Submit(sequencer, "a", 3, 0, Op("3"), commit: false);
        sequencer.Committed([five, three]);

        // Before, the mark became (3, 2) and a resubmitted 5 was applied a second time.
        Assert.Equal(RecognitionKind.SearchLog, sequencer.Recognise("a", 5, 0, null).Kind);
        Assert.Equal(RecognitionKind.SearchLog, sequencer.Recognise("a", 3, 0, null).Kind);
        Assert.True(sequencer.Marks.TryGet("a", out var mark));
        Assert.Equal(new ClientMark(5, 2), mark);
    }

    [Fact]
    public void MarksKeepOnlyTheClientsThatCommittedMostRecently()
    {
        var sequencer = new DocumentSequencer("d", new DocumentOptions { ClientMarksKept = 3 }, "");
        for (var i = 0; i < 10; i++)
        {
            Submit(sequencer, "c" + i, 1, i, Op(i, "x"));
        }

        Assert.Equal(3, sequencer.Marks.Count);
        Assert.Equal(["c7", "c8", "c9"], sequencer.Marks.ToDictionary().Keys.Order());
        Assert.Equal(7, sequencer.Marks.CompleteAfter);
    }

    [Fact]
    public void MarksOfClientsIdleForLongerThanTheSpanAreDropped()
    {
        var sequencer = new DocumentSequencer("d", new DocumentOptions { ClientMarkSpan = 5 }, "");
        Submit(sequencer, "idle", 1, 0, Op("i"));
        for (var i = 1; i <= 6; i++)
        {
            Submit(sequencer, "busy", i, i, Op(i, "b"));
        }

        Assert.False(sequencer.Marks.TryGet("idle", out _));
        Assert.True(sequencer.Marks.TryGet("busy", out _));
        Assert.Equal(1, sequencer.Marks.CompleteAfter);
    }

    [Fact]
    public void AClientWhoseMarkWasDroppedIsLookedUpWhenItsBaseIsOlderThanTheMarks()
    {
        var sequencer = new DocumentSequencer("d", new DocumentOptions { ClientMarksKept = 2 }, "");
        Submit(sequencer, "early", 1, 0, Op("e"));
        for (var i = 1; i <= 3; i++)
        {
            Submit(sequencer, "c" + i, 1, i, Op(i, "x"));
        }

        // The mark of "early" (revision 1) is gone; its op was committed after the base it resubmits with.
        Assert.False(sequencer.Marks.TryGet("early", out _));
        Assert.Equal(new Recognition(RecognitionKind.SearchLog, null, 0, null), sequencer.Recognise("early", 1, 0, null));

        // Not in the log: it is new after all. A base the marks cover needs no lookup.
        Assert.Equal(RecognitionKind.New, sequencer.Recognise("early", 1, 0, logSearchedUpTo: 4).Kind);

        // A search sent before a mark it did not see was dropped proves nothing: the op may have been committed since.
        Assert.Equal(RecognitionKind.SearchLog, sequencer.Recognise("early", 1, 0, logSearchedUpTo: 1).Kind);
        Assert.Equal(RecognitionKind.New, sequencer.Recognise("fresh", 1, sequencer.Marks.CompleteAfter, null).Kind);
    }

    [Fact]
    public void AMarkStartedAfterMarksWereDroppedDoesNotProveHigherSequenceNumbersNew()
    {
        var sequencer = new DocumentSequencer("d", new DocumentOptions { ClientMarksKept = 1 }, "");
        Submit(sequencer, "a", 7, 0, Op("7"));
        Submit(sequencer, "b", 1, 1, Op(1, "b"));

        // "a" comes back with a lower sequence number (it should not, but it must not get 7 applied twice).
        Submit(sequencer, "a", 2, 2, Op(2, "2"));
        Assert.True(sequencer.Marks.TryGet("a", out var mark));
        Assert.True(mark.Partial);

        Assert.Equal(RecognitionKind.SearchLog, sequencer.Recognise("a", 7, 0, null).Kind);
        Assert.Equal(RecognitionKind.New, sequencer.Recognise("a", 8, 3, null).Kind);
    }

    [Fact]
    public void RestoredMarksAndTheReplayedTailRecogniseWhatWasCommitted()
    {
        var options = new DocumentOptions { ClientMarksKept = 2 };
        var before = new DocumentSequencer("d", options, "");
        var log = new List<CommittedOp>();
        for (var i = 0; i < 6; i++)
        {
            log.Add(Submit(before, "c" + i, 1, i, Op(i, "x")));
        }

        // A snapshot at revision 4, then the tail.
        var snapshot = new DocumentSequencer("d", options, "");
        foreach (var op in log.Take(4))
        {
            snapshot.Replay(op);
        }

        snapshot.PruneMarks();

        var marks = ClientMarks.Restore(snapshot.Marks.ToDictionary(), snapshot.Marks.CompleteAfter, options.ClientMarksKept, options.ClientMarkSpan);
        var after = new DocumentSequencer("d", options, snapshot.Text, 4, marks);
        foreach (var op in log.Skip(4))
        {
            after.Replay(op);
        }

        after.PruneMarks();

        Assert.Equal((before.Text, before.Revision), (after.Text, after.Revision));
        Assert.Equal(before.Marks.ToDictionary(), after.Marks.ToDictionary());
        Assert.Equal(before.Marks.CompleteAfter, after.Marks.CompleteAfter);
        Assert.Equal(RecognitionKind.Known, after.Recognise("c5", 1, 5, null).Kind);
        Assert.Equal(RecognitionKind.SearchLog, after.Recognise("c0", 1, 0, null).Kind);
    }

    [Fact]
    public void ReplayRefusesAGapInTheLog()
    {
        var sequencer = new DocumentSequencer("d", new DocumentOptions(), "");

        Assert.Throws<InvalidOperationException>(() => sequencer.Replay(new CommittedOp(2, Op("x"), "a", 1, "p", "a", At, null)));
    }

    [Fact]
    public void CommittingOutOfOrderIsABug()
    {
        var sequencer = new DocumentSequencer("d", new DocumentOptions(), "");
        Submit(sequencer, "a", 1, 0, Op("x"), commit: false);
        var second = Submit(sequencer, "a", 2, 0, Op("y"), commit: false);

        Assert.Throws<InvalidOperationException>(() => sequencer.Committed([second]));
    }

    [Fact]
    public void TheWindowServesRecentOpsAndSendsOlderOnesToTheLog()
    {
        var sequencer = new DocumentSequencer("d", new DocumentOptions { RecentOpsKept = 3 }, "");
        for (var i = 0; i < 6; i++)
        {
            Submit(sequencer, "a", i + 1, i, Op(i, "x"));
        }

        Assert.True(sequencer.TryGetOps(3, 6, out var recent));
        Assert.Equal([4, 5, 6], recent.Select(o => o.Revision));
        Assert.True(sequencer.TryGetOps(4, 5, out var middle));
        Assert.Equal([5], middle.Select(o => o.Revision));
        Assert.False(sequencer.TryGetOps(2, 6, out _));
        Assert.Equal(6, sequencer.Newest!.Revision);
        Assert.Null(sequencer.Find(3));
    }
}
