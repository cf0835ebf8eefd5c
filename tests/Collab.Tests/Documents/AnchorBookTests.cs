using Collab.Documents;
using Collab.Errors;
using Collab.Text;
using CsCheck;

namespace Collab.Tests.Documents;

/// <summary>
/// The anchor book without a silo: id rules and bound, the anchor being written, one sweep per op against each anchor
/// moved through each op in turn (what the grain did before the book), and restoring what was stored.
/// </summary>
public sealed class AnchorBookTests
{
    private static readonly DateTimeOffset At = new(2026, 3, 12, 9, 0, 0, TimeSpan.Zero);
    private static readonly DocumentOptions Options = new() { MaxAnchors = 3, MaxAnchorIdLength = 8 };

    private static TextOperation Op(params object[] components) => DocumentSequencerTests.Op(components);

    private static CommittedOp Committed(int revision, TextOperation op) => new(revision, op, "c", revision, "p", "P", At, null);

    private static List<CommittedOp> Batch(int after, params TextOperation[] ops) =>
        ops.Select((op, i) => Committed(after + i + 1, op)).ToList();

    private static AnchorBook BookWith(params (string Id, int Start, int End)[] anchors)
    {
        var book = new AnchorBook(Options);
        foreach (var (id, start, end) in anchors)
        {
            book.BeginWrite(id, new AnchorRange(start, end));
            book.EndWrite(durable: true);
        }

        return book;
    }

    private static AnchorRange? Range(AnchorBook book, string id) => book.TryGet(id, out var range) ? range : null;

    [Fact]
    public void ABatchMovesEveryAnchorThroughItsOpsInOrder()
    {
        // "alpha beta gamma": "beta" at 6–10, a point at 0, "gamma" at 11–16.
        var book = BookWith(("beta", 6, 10), ("point", 0, 0), ("gamma", 11, 16));

        book.MoveThrough(Batch(0,
            Op("« ", 16),            // before everything: the point stays before it
            Op(8, "très ", 10),      // exactly at the start of "beta": outside it
            Op(13, -2, 1, "!", 7))); // "be" deleted from "beta", "!" inside it

        // "« alpha très t!a gamma"
        Assert.Equal(new AnchorRange(0, 0), Range(book, "point"));
        Assert.Equal(new AnchorRange(13, 16), Range(book, "beta"));
        Assert.Equal(new AnchorRange(17, 22), Range(book, "gamma"));
    }

    [Fact]
    public void APointWhoseSurroundingsAreDeletedStaysBeforeTextInsertedAtItsPlaceLaterInTheBatch()
    {
        // The reason a batch is not composed into one op: "insert x, delete 2" would carry the point past "x".
        var book = BookWith(("inside", 2, 2), ("range", 1, 3));

        book.MoveThrough(Batch(0, Op(1, -2, 1), Op(1, "x", 1)));

        Assert.Equal(new AnchorRange(1, 1), Range(book, "inside"));
        Assert.Equal(new AnchorRange(1, 1), Range(book, "range"));
    }

    [Fact]
    public void AnAnchorBeingWrittenMovesWithCommitsButIsFoundOnlyOnceDurable()
    {
        var book = BookWith(("kept", 0, 4));
        book.BeginWrite("new", new AnchorRange(5, 14));

        book.MoveThrough(Batch(0, Op("1. ", 14)));

        Assert.True(book.Writing);
        Assert.Null(Range(book, "new"));
        Assert.Empty(book.Find(["new"]));
        Assert.Equal(1, book.Count);
        Assert.Equal(
            [new AnchorState("kept", 3, 7, 1), new AnchorState("new", 8, 17, 1)],
            book.ToStored(1).OrderBy(a => a.AnchorId, StringComparer.Ordinal));

        book.EndWrite(durable: true);

        Assert.False(book.Writing);
        Assert.Equal(new AnchorRange(8, 17), Range(book, "new"));
        Assert.Equal(2, book.Count);
    }

    [Fact]
    public void AnAnchorWhoseWriteFailedIsNeitherFoundNorStoredNorMoved()
    {
        var book = BookWith(("kept", 0, 4));
        book.BeginWrite("lost", new AnchorRange(5, 14));
        book.EndWrite(durable: false);

        book.MoveThrough(Batch(0, Op("1. ", 14)));

        Assert.Null(Range(book, "lost"));
        Assert.Equal([new AnchorState("kept", 3, 7, 1)], book.ToStored(1));

        // The id is free again.
        book.BeginWrite("lost", new AnchorRange(8, 17));
        book.EndWrite(durable: true);
        Assert.Equal(new AnchorRange(8, 17), Range(book, "lost"));
    }

    [Fact]
    public void OnlyOneAnchorIsWrittenAtATimeAndAnExistingIdIsNotWrittenAgain()
    {
        var book = BookWith(("kept", 0, 4));
        book.BeginWrite("new", new AnchorRange(0, 1));

        Assert.Throws<InvalidOperationException>(() => book.BeginWrite("other", new AnchorRange(0, 1)));
        book.EndWrite(durable: true);
        Assert.Throws<InvalidOperationException>(() => book.BeginWrite("kept", new AnchorRange(0, 1)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("a b")]
    [InlineData("ninechars")]
    [InlineData("é")]
    public void InvalidIdsAreRefusedWithTheirCodeAndField(string id)
    {
        var book = new AnchorBook(Options);

        var error = Assert.Throws<ValidationFailedException>(() => book.ValidateId(id));

        Assert.Equal(("anchor.id_invalid", "anchorId"), (error.Code, error.Field));
    }

    [Fact]
    public void ValidIdsPassAndTheBookKeepsAtMostMaxAnchors()
    {
        var book = BookWith(("a", 0, 0), ("b.c_d-e", 0, 0));
        book.ValidateId("obs:1");
        book.ValidateId("12345678");
        book.EnsureRoom("d");
        book.BeginWrite("third", new AnchorRange(0, 0));
        book.EndWrite(durable: true);

        var error = Assert.Throws<ConflictException>(() => book.EnsureRoom("d"));

        Assert.Equal("anchor.too_many", error.Code);
        Assert.Contains("3 anchors", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FindReturnsEachKnownIdOnceInTheOrderAsked()
    {
        var book = BookWith(("a", 0, 1), ("b", 1, 2));

        var found = book.Find(["b", "unknown", "a", "b", null!]);

        Assert.Equal([("b", new AnchorRange(1, 2)), ("a", new AnchorRange(0, 1))], found);
    }

    [Fact]
    public void RestoreMovesEachStoredAnchorThroughTheOpsAfterItsRevision()
    {
        // "ab" → "Xab" (1) → "Xab!" (2) → "YXab!" (3)
        var history = Batch(0, Op("X", 2), Op(3, "!"), Op("Y", 4));
        AnchorState[] stored = [new("old", 0, 2, 0), new("mid", 1, 3, 1), new("now", 0, 5, 3)];

        var book = AnchorBook.Restore(Options, "d", stored, history, 3);

        Assert.Equal(new AnchorRange(2, 4), Range(book, "old"));
        Assert.Equal(new AnchorRange(2, 4), Range(book, "mid"));
        Assert.Equal(new AnchorRange(0, 5), Range(book, "now"));
        Assert.Equal(3, book.Count);
    }

    [Fact]
    public void RestoreRefusesAnchorsAfterTheLastRevisionOrMissingOps()
    {
        var history = Batch(0, Op("X", 2), Op(3, "!"));

        Assert.Throws<InvalidOperationException>(() => AnchorBook.Restore(Options, "d", [new("late", 0, 1, 3)], history, 2));
        Assert.Throws<InvalidOperationException>(() => AnchorBook.Restore(Options, "d", [new("old", 0, 1, 0)], history.Skip(1).ToList(), 2));
        Assert.Throws<InvalidOperationException>(() => AnchorBook.Restore(Options, "d", [new("old", 0, 1, 0)], history, 3));
    }

    // ---- Property: the book against each anchor moved through each op in turn ----

    /// <summary>A random op over a text of <paramref name="length"/>: several retains, inserts and deletes, not always canonical.</summary>
    private static TextOperation RandomOp(Random random, int length)
    {
        var components = new List<OpComponent>();
        var position = 0;
        while (position < length || random.Next(4) == 0)
        {
            var left = length - position;
            switch (random.Next(left == 0 ? 1 : 3))
            {
                case 0:
                    components.Add(OpComponent.Insert(new string("xyz"[random.Next(3)], random.Next(1, 4))));
                    break;
                case 1:
                    var retained = random.Next(1, left + 1);
                    components.Add(OpComponent.Retain(retained));
                    position += retained;
                    break;
                default:
                    var deleted = random.Next(1, Math.Min(left, 4) + 1);
                    components.Add(OpComponent.Delete(deleted));
                    position += deleted;
                    break;
            }

            if (position == length && random.Next(2) == 0)
            {
                break;
            }
        }

        return new TextOperation([.. components]);
    }

    private static AnchorRange RandomRange(Random random, int length)
    {
        var (a, b) = (random.Next(length + 1), random.Next(length + 1));
        return random.Next(4) == 0 ? new AnchorRange(a, a) : new AnchorRange(Math.Min(a, b), Math.Max(a, b));
    }

    [Fact]
    public void TheBookMovesAnchorsAsEachAnchorThroughEachOpInTurn() =>
        Gen.Int.Sample(seed =>
        {
            var random = new Random(seed);
            var options = new DocumentOptions { MaxAnchors = 40 };
            var book = new AnchorBook(options);
            var oracle = new Dictionary<string, AnchorRange>(StringComparer.Ordinal);
            var history = new List<CommittedOp>();
            var storedAt = new List<(int Revision, List<AnchorState> Anchors)>();
            var length = random.Next(0, 40);
            var revision = 0;
            var next = 0;
            for (var round = random.Next(1, 12); round > 0; round--)
            {
                for (var i = random.Next(0, 6); i > 0 && book.Count < options.MaxAnchors; i--)
                {
                    var id = $"a{next++}";
                    var range = RandomRange(random, length);
                    book.BeginWrite(id, range);
                    book.EndWrite(durable: true);
                    oracle[id] = range;
                }

                // Sometimes an anchor is being written across the batch; its write succeeds or fails.
                (string Id, AnchorRange Range)? writing = null;
                if (random.Next(3) == 0)
                {
                    writing = ($"a{next++}", RandomRange(random, length));
                    book.BeginWrite(writing.Value.Id, writing.Value.Range);
                }

                var batch = new List<CommittedOp>();
                for (var i = random.Next(1, 9); i > 0; i--)
                {
                    var op = RandomOp(random, length);
                    batch.Add(Committed(++revision, op));
                    length = (int)op.TargetLength;
                }

                book.MoveThrough(batch);
                history.AddRange(batch);
                foreach (var id in oracle.Keys.ToList())
                {
                    oracle[id] = batch.Aggregate(oracle[id], (range, op) => range.Through(op.Op));
                }

                if (writing is var (writingId, writingRange))
                {
                    var durable = random.Next(2) == 0;
                    var stored = book.ToStored(revision);
                    book.EndWrite(durable);
                    if (durable)
                    {
                        oracle[writingId] = batch.Aggregate(writingRange, (range, op) => range.Through(op.Op));
                        storedAt.Add((revision, stored));
                    }
                }

                Assert.Equal(oracle.Count, book.Count);
                foreach (var (id, expected) in oracle)
                {
                    Assert.True(Range(book, id) == expected, $"seed {seed}: {id} is {Range(book, id)}, expected {expected}");
                }

                storedAt.Add((revision, book.ToStored(revision)));
            }

            // Restored from any stored moment, or from anchors stored at different moments (an earlier version's shape).
            var (from, anchors) = storedAt[random.Next(storedAt.Count)];
            var mixed = storedAt.SelectMany(s => s.Anchors).GroupBy(a => a.AnchorId).Select(g => g.ElementAt(random.Next(g.Count()))).ToList();
            foreach (var stored in new[] { anchors, mixed })
            {
                var restored = AnchorBook.Restore(options, "d", stored, history, revision);
                foreach (var anchor in stored)
                {
                    Assert.True(
                        Range(restored, anchor.AnchorId) == oracle[anchor.AnchorId],
                        $"seed {seed}: {anchor.AnchorId} restored from revision {anchor.Revision} is {Range(restored, anchor.AnchorId)}, expected {oracle[anchor.AnchorId]}");
                }

                // And keeps moving like the book it was stored from.
                var op = RandomOp(random, length);
                restored.MoveThrough([Committed(revision + 1, op)]);
                foreach (var anchor in stored)
                {
                    Assert.Equal(oracle[anchor.AnchorId].Through(op), Range(restored, anchor.AnchorId));
                }
            }

            Assert.True(from <= revision);
        }, iter: 1_000);
}
