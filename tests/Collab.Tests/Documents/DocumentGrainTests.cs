using Collab.Documents;
using Collab.Errors;
using Collab.Text;
using Microsoft.Extensions.DependencyInjection;

namespace Collab.Tests.Documents;

/// <summary>The sequencer through a real embedded silo (SQLite op log and grain storage).</summary>
public sealed class DocumentGrainTests(EmbeddedWebNode node) : IClassFixture<EmbeddedWebNode>
{
    private static readonly Caller Amina = new("amina", "Amina (Togo)", "w-docs", Role.Facilitator);
    private static readonly Caller Kofi = new("kofi", "Kofi (Ghana)", "w-docs", Role.Participant);

    private IClusterClient Cluster => node.Services.GetRequiredService<IClusterClient>();

    private async Task<IDocumentGrain> NewDocumentAsync(string text = "")
    {
        var grain = Cluster.GetGrain<IDocumentGrain>("doc-" + Guid.NewGuid().ToString("N"));
        await grain.CreateAsync(new CreateDocument("Best practices", text, Amina, "plenary", null));
        return grain;
    }

    private static TextOperation Op(params object[] components) => TextOperation.Of(components.Select(c => c switch
    {
        int n when n > 0 => OpComponent.Retain(n),
        int n => OpComponent.Delete(-n),
        string s => OpComponent.Insert(s),
        _ => throw new ArgumentException("component"),
    }).ToArray());

    private static SubmitOp Submit(string client, long seq, int baseRevision, TextOperation op, Caller? caller = null) =>
        new(client, seq, baseRevision, op, caller ?? Amina, null);

    private static async Task<string> TextAsync(IDocumentGrain grain) => (await grain.GetTextAsync(Amina)).Text;

    [Fact]
    public async Task SubmittedOpIsCommittedAtTheNextRevision()
    {
        var grain = await NewDocumentAsync("Best practices");

        var ack = await grain.SubmitAsync(Submit("a", 1, 0, Op(14, ": patrouilles mixtes")));

        Assert.Equal(1, ack.Revision);
        Assert.Equal("Best practices: patrouilles mixtes", await TextAsync(grain));
    }

    [Fact]
    public async Task ConcurrentOpIsTransformedAgainstWhatWasCommittedSinceItsBase()
    {
        var grain = await NewDocumentAsync("ab");
        await grain.SubmitAsync(Submit("a", 1, 0, Op(1, "X", 1)));

        // Kofi edited revision 0 too, not knowing about Amina's X.
        var ack = await grain.SubmitAsync(Submit("k", 1, 0, Op(2, "Y"), Kofi));

        Assert.Equal(2, ack.Revision);
        Assert.Equal(Op(3, "Y"), ack.Op);
        Assert.Equal("aXbY", await TextAsync(grain));
    }

    [Fact]
    public async Task SamePositionInsertsKeepTheEarlierCommitFirst()
    {
        var grain = await NewDocumentAsync("");
        await grain.SubmitAsync(Submit("a", 1, 0, Op("first")));
        await grain.SubmitAsync(Submit("k", 1, 0, Op("second"), Kofi));

        Assert.Equal("firstsecond", await TextAsync(grain));
    }

    [Fact]
    public async Task ResubmittedOpIsAppliedOnce()
    {
        var grain = await NewDocumentAsync("");
        var first = await grain.SubmitAsync(Submit("a", 1, 0, Op("Bonjour")));

        var again = await grain.SubmitAsync(Submit("a", 1, 0, Op("Bonjour")));

        Assert.Equal(first, again);
        Assert.Equal("Bonjour", await TextAsync(grain));
        Assert.Equal(1, (await grain.GetAsync(Amina)).Revision);
    }

    [Fact]
    public async Task ConcurrentResubmissionsOfOneOpAreAppliedOnce()
    {
        var grain = await NewDocumentAsync("");

        var acks = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => grain.SubmitAsync(Submit("a", 1, 0, Op("once")))));

        Assert.All(acks, ack => Assert.Equal(1, ack.Revision));
        Assert.Equal("once", await TextAsync(grain));
    }

    [Fact]
    public async Task ResubmissionWhoseMarkWasDroppedGetsItsOriginalAckAndIsAppliedOnce()
    {
        var grain = await NewDocumentAsync("");
        var first = await grain.SubmitAsync(Submit("early", 1, 0, Op("Début. ")));

        // More clients than the marks keep commit after it: its mark is dropped; the op log still knows the op.
        var kept = new DocumentOptions().ClientMarksKept;
        for (var from = 1; from <= kept; from += 50)
        {
            // 50 at a time on the same base (a group commit's worth), each appending to the text as of that base.
            var baseRevision = from;
            await Task.WhenAll(Enumerable.Range(from, 50).Select(i =>
                grain.SubmitAsync(Submit($"c{i}", 1, baseRevision, Op(6 + baseRevision, "x")))));
        }

        var again = await grain.SubmitAsync(Submit("early", 1, 0, Op("Début. ")));

        Assert.Equal(first, again);
        Assert.Equal("Début. " + new string('x', kept), await TextAsync(grain));
        Assert.Equal(kept + 1, (await grain.GetAsync(Amina)).Revision);
    }

    public static TheoryData<string, int, string> InvalidOps => new()
    {
        // a text of 5 code units: "né😀" is n, é, then a surrogate pair; "ab" makes 5
        { "base length too short", 0, "op.base_length_mismatch" },
        { "base length too long", 1, "op.base_length_mismatch" },
        { "splits the emoji", 2, "op.splits_surrogate_pair" },
        { "lone surrogate inserted", 3, "op.splits_surrogate_pair" },
        { "zero retain", 4, "op.malformed" },
        { "too large", 5, "op.too_large" },
    };

    private static TextOperation InvalidOp(int which) => which switch
    {
        0 => Op(4, "x"),
        1 => Op(6, "x"),
        2 => Op(3, "x", 2),
        3 => Op(5, "\uD83D"),
        4 => TextOperation.Of(OpComponent.Retain(0), OpComponent.Retain(5)),
        _ => Op(5, new string('x', 65_537)),
    };

    [Theory]
    [MemberData(nameof(InvalidOps))]
    public async Task InvalidOpIsRejectedWithItsCodeAndChangesNothing(string why, int which, string code)
    {
        var grain = await NewDocumentAsync("né😀");
        Assert.Equal(4, "né😀".Length);
        await grain.SubmitAsync(Submit("a", 1, 0, Op(4, "!")));

        var error = await Assert.ThrowsAsync<ValidationFailedException>(() => grain.SubmitAsync(Submit("a", 2, 1, InvalidOp(which))));

        Assert.True(error.Code == code, $"{why}: expected {code}, got {error.Code}");
        Assert.Equal("né😀!", await TextAsync(grain));
        Assert.Equal(1, (await grain.GetAsync(Amina)).Revision);

        // The same client can go on editing.
        await grain.SubmitAsync(Submit("a", 3, 1, Op(5, "?")));
        Assert.Equal("né😀!?", await TextAsync(grain));
    }

    [Fact]
    public async Task DocumentOverTheSizeLimitIsRejected()
    {
        var grain = await NewDocumentAsync(new string('a', 1_048_000));

        var error = await Assert.ThrowsAsync<ValidationFailedException>(() =>
            grain.SubmitAsync(Submit("a", 1, 0, Op(1_048_000, new string('b', 1_000)))));

        Assert.Equal("document.too_large", error.Code);
        Assert.Equal(0, (await grain.GetAsync(Amina)).Revision);
    }

    [Fact]
    public async Task BaseRevisionInTheFutureIsRejected()
    {
        var grain = await NewDocumentAsync("abc");

        var error = await Assert.ThrowsAsync<ValidationFailedException>(() => grain.SubmitAsync(Submit("a", 1, 7, Op(3, "d"))));

        Assert.Equal("revision.in_future", error.Code);
        Assert.Equal("abc", await TextAsync(grain));
    }

    [Fact]
    public async Task UnknownDocumentIsNotFound()
    {
        var grain = Cluster.GetGrain<IDocumentGrain>("never-created-" + Guid.NewGuid().ToString("N"));

        var error = await Assert.ThrowsAsync<NotFoundException>(() => grain.SubmitAsync(Submit("a", 1, 0, Op("x"))));

        Assert.Equal("document.not_found", error.Code);
    }

    [Fact]
    public async Task LockedDocumentRejectsOpsUntilUnlocked()
    {
        var grain = await NewDocumentAsync("final text");
        await grain.SetLockedAsync(new SetLocked(true, Amina));

        var error = await Assert.ThrowsAsync<ConflictException>(() => grain.SubmitAsync(Submit("a", 1, 0, Op(10, "!"))));
        Assert.Equal("document.locked", error.Code);
        Assert.Equal("final text", await TextAsync(grain));
        Assert.True((await grain.GetAsync(Amina)).Locked);

        await grain.SetLockedAsync(new SetLocked(false, Amina));
        await grain.SubmitAsync(Submit("a", 1, 0, Op(10, "!")));
        Assert.Equal("final text!", await TextAsync(grain));
    }

    [Fact]
    public async Task HistoryGivesTheTextAtEachRevisionAndTheOpsWithTheirAuthors()
    {
        var grain = await NewDocumentAsync("");
        await grain.SubmitAsync(Submit("a", 1, 0, Op("Lessons")));
        await grain.SubmitAsync(Submit("k", 1, 1, Op(7, " learnt"), Kofi));
        await grain.SubmitAsync(Submit("a", 2, 2, Op(-7, 7)));

        Assert.Equal("", (await grain.GetTextAtRevisionAsync(Amina, 0)).Text);
        Assert.Equal("Lessons", (await grain.GetTextAtRevisionAsync(Amina, 1)).Text);
        Assert.Equal("Lessons learnt", (await grain.GetTextAtRevisionAsync(Amina, 2)).Text);
        Assert.Equal(" learnt", (await grain.GetTextAtRevisionAsync(Amina, 3)).Text);

        var ops = await grain.GetOpsAsync(Amina, 1, 3);
        Assert.Equal([2, 3], ops.Select(o => o.Revision));
        Assert.Equal(["Kofi (Ghana)", "Amina (Togo)"], ops.Select(o => o.AuthorName));

        var atSecond = await grain.GetTextAtTimeAsync(Amina, ops[0].CommittedAt);
        Assert.Equal("Lessons learnt", atSecond.Text);
        await Assert.ThrowsAsync<NotFoundException>(() => grain.GetTextAtRevisionAsync(Amina, 4));

        // "Now" is the last committed revision, in one call.
        var now = await grain.GetTextAsync(Kofi);
        Assert.Equal((3, " learnt", ops[1].CommittedAt), (now.Revision, now.Text, now.CommittedAt));
    }

    [Fact]
    public async Task ClientBehindGetsTheOpsItMissedAndAClientWithNothingGetsASnapshot()
    {
        var grain = await NewDocumentAsync("x");
        for (var i = 0; i < 5; i++)
        {
            await grain.SubmitAsync(Submit("a", i + 1, i, Op(1 + i, i.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        }

        var behind = await grain.OpenAsync(new OpenDocument(2, "s1", Kofi));
        var fresh = await grain.OpenAsync(new OpenDocument(null, "s2", Kofi));

        Assert.Null(behind.Text);
        Assert.Equal([3, 4, 5], behind.Ops.Select(o => o.Revision));
        Assert.Equal("x01234", fresh.Text);
        Assert.Equal(5, fresh.Revision);
    }

    [Fact]
    public async Task CreatingAnExistingDocumentIsAConflict()
    {
        var grain = await NewDocumentAsync("kept");

        var error = await Assert.ThrowsAsync<ConflictException>(() => grain.CreateAsync(new CreateDocument(null, "replaced", Amina, "plenary", null)));

        Assert.Equal("document.already_exists", error.Code);
        Assert.Equal("kept", await TextAsync(grain));
    }

    [Fact]
    public async Task ANewActivationPushesToTheWebNodesThatSubscribedToTheOneBefore()
    {
        var grain = await NewDocumentAsync("ab");
        var node = new RecordingNode();
        var reference = Cluster.CreateObjectReference<IDocumentObserver>(node);
        try
        {
            await grain.SubscribeAsync(reference);
            await grain.SubmitAsync(Submit("a", 1, 0, Op(2, "!")));
            await node.Commits.FirstAsync(c => c.Ops.Any(o => o.Revision == 1), "the push of revision 1");

            // The activation goes (as when its silo dies, or when a cluster change left a second one idle); this node
            // does not subscribe again (its renewal is far off).
            await grain.AsReference<Orleans.Core.Internal.IGrainManagementExtension>().DeactivateOnIdle();
            await node.Deactivations.FirstAsync(_ => true, "the old activation telling it deactivates");

            // An edit wakes a new activation, which pushes to the node at once.
            await grain.SubmitAsync(Submit("a", 2, 1, Op(3, "?")));
            await node.Commits.FirstAsync(c => c.Ops.Any(o => o.Revision == 2), "the new activation's push of revision 2");
        }
        finally
        {
            Cluster.DeleteObjectReference<IDocumentObserver>(reference);
        }
    }

    /// <summary>A web node's document observer, recording what the grain pushes.</summary>
    private sealed class RecordingNode : IDocumentObserver
    {
        public Pushes<OpsCommitted> Commits { get; } = new();

        public Pushes<string> Deactivations { get; } = new();

        public Task OpsCommitted(OpsCommitted committed)
        {
            Commits.Add(committed);
            return Task.CompletedTask;
        }

        public Task PresenceChanged(PresenceChanged presence) => Task.CompletedTask;

        public Task LockChanged(LockChanged change) => Task.CompletedTask;

        public Task AccessChanged(AccessChanged change) => Task.CompletedTask;

        public Task Deactivating(string docId)
        {
            Deactivations.Add(docId);
            return Task.CompletedTask;
        }
    }
}
