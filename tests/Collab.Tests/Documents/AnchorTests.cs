using Collab.Documents;
using Collab.Errors;
using Collab.Text;
using CsCheck;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Core.Internal;
using Orleans.Storage;

namespace Collab.Tests.Documents;

/// <summary>
/// An embedded node that snapshots documents every 3 revisions and stores anchors again once they are 6 revisions behind,
/// and whose grain storage records every state write and lets a test hold a document's next state write, commit ops
/// meanwhile, then let the write go or fail it.
/// </summary>
public sealed class AnchorTestNode : EmbeddedWebNode
{
    public HeldStateWrites Writes { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Collab:Documents:SnapshotEvery", "3");
        builder.UseSetting("Collab:Documents:AnchorsRewriteEvery", "6");
        builder.ConfigureTestServices(services =>
        {
            var storage = services.Single(d => d.ServiceType == typeof(IGrainStorage) && d.IsKeyedService && Equals(d.ServiceKey, "Default"));
            services.Remove(storage);
            services.AddKeyedSingleton<IGrainStorage>("Default", (provider, key) =>
                Writes.Wrap((IGrainStorage)storage.KeyedImplementationFactory!(provider, key)));
        });
    }
}

/// <summary>
/// Passes state writes through, except the next one of the grain a test named, which waits for the test; records the
/// writes that succeeded.
/// </summary>
public sealed class HeldStateWrites
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<(string GrainKey, string StateName, object? State)> _written = new();
    private HeldWrite? _next;

    /// <summary>The states stored for the grain keyed <paramref name="grainKey"/>, in order, as (state name, state).</summary>
    public List<(string StateName, object? State)> StoredFor(string grainKey) =>
        _written.Where(w => w.GrainKey == grainKey).Select(w => (w.StateName, w.State)).ToList();

    /// <summary>Holds the next state write of the grain keyed <paramref name="grainKey"/>.</summary>
    public HeldWrite HoldNext(string grainKey)
    {
        var held = new HeldWrite(grainKey);
        Volatile.Write(ref _next, held);
        return held;
    }

    internal IGrainStorage Wrap(IGrainStorage inner) => new Storage(inner, this);

    private HeldWrite? Take(GrainId grainId) =>
        Volatile.Read(ref _next) is { } next && grainId.Key.ToString() == next.GrainKey && Interlocked.CompareExchange(ref _next, null, next) == next
            ? next
            : null;

    private sealed class Storage(IGrainStorage inner, HeldStateWrites writes) : IGrainStorage
    {
        public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
            inner.ReadStateAsync(stateName, grainId, grainState);

        public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            if (writes.Take(grainId) is { } held)
            {
                await held.WaitForTestAsync();
            }

            await inner.WriteStateAsync(stateName, grainId, grainState);
            writes._written.Enqueue((grainId.Key.ToString()!, stateName, grainState.State));
        }

        public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
            inner.ClearStateAsync(stateName, grainId, grainState);
    }
}

/// <summary>A state write that has not reached storage yet: the test sees it start, then lets it go or fails it.</summary>
public sealed class HeldWrite(string grainKey)
{
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _outcome = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string GrainKey => grainKey;

    public async Task StartedAsync()
    {
        try
        {
            await _started.Task.WaitAsync(Pushes<object>.Patience);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Expected a state write of '{GrainKey}' to start within {Pushes<object>.Patience}.");
        }
    }

    public void Release() => _outcome.TrySetResult();

    public void Fail(Exception error) => _outcome.TrySetException(error);

    internal Task WaitForTestAsync()
    {
        _started.TrySetResult();
        return _outcome.Task;
    }
}

/// <summary>Anchored ranges follow every committed op, durably, through a real embedded silo (SQLite).</summary>
public sealed class AnchorTests(AnchorTestNode node) : IClassFixture<AnchorTestNode>
{
    private static readonly Caller Amina = new("amina", "Amina (Togo)", "w-docs", Role.Facilitator);
    private static readonly Caller Kofi = new("kofi", "Kofi (Ghana)", "w-docs", Role.Participant);
    private static readonly Caller Observer = new("obs", "Observer (UEMOA)", "w-docs", Role.Observer);
    private static readonly Caller Outsider = new("out", "Outsider", "w-other", Role.Facilitator);

    private IClusterClient Cluster => node.Services.GetRequiredService<IClusterClient>();

    private async Task<IDocumentGrain> NewDocumentAsync(string text)
    {
        var grain = Cluster.GetGrain<IDocumentGrain>("doc-" + Guid.NewGuid().ToString("N"));
        await grain.CreateAsync(new CreateDocument("Recommendations", text, Amina, "plenary", null));
        return grain;
    }

    private static TextOperation Op(params object[] components) => TextOperation.Of(components.Select(c => c switch
    {
        int n when n > 0 => OpComponent.Retain(n),
        int n => OpComponent.Delete(-n),
        string s => OpComponent.Insert(s),
        _ => throw new ArgumentException("component"),
    }).ToArray());

    private static SubmitOp Submit(string client, long seq, int baseRevision, TextOperation op) =>
        new(client, seq, baseRevision, op, Amina, null);

    private static CreateAnchor Anchor(string id, int start, int end, int revision, Caller? caller = null) =>
        new(caller ?? Kofi, id, start, end, revision);

    private static async Task<AnchorView?> FindAsync(IDocumentGrain grain, string id) =>
        (await grain.GetAnchorsAsync(Amina, [id])).SingleOrDefault();

    private static async Task<string> TextAsync(IDocumentGrain grain) => (await CurrentAsync(grain)).Text;

    private static async Task<(int Revision, string Text)> CurrentAsync(IDocumentGrain grain)
    {
        var revision = (await grain.GetAsync(Amina)).Revision;
        return (revision, (await grain.GetTextAtRevisionAsync(Amina, revision)).Text);
    }

    /// <summary>
    /// Stores <paramref name="anchors"/> in the document's own state, as versions before <see cref="DocumentAnchorsState"/>
    /// did (with the snapshot). The document must not be active.
    /// </summary>
    private async Task StoreAsEarlierVersionAsync(IDocumentGrain grain, List<AnchorState> anchors)
    {
        var storage = node.Services.GetRequiredKeyedService<IGrainStorage>("Default");
        var stored = new GrainState<DocumentState>();
        await storage.ReadStateAsync("document", grain.GetGrainId(), stored);
        stored.State!.Anchors = anchors;
        await storage.WriteStateAsync("document", grain.GetGrainId(), stored);
    }

    /// <summary>Drops the activation; the next call loads the document from storage (snapshot, anchors, op log tail).</summary>
    private static async Task DeactivateAsync(IDocumentGrain grain) => await grain.Cast<IGrainManagementExtension>().DeactivateOnIdle();

    [Fact]
    public async Task AnchorKeepsCoveringItsTextThroughConcurrentEditsAroundAndInsideIt()
    {
        const string Text = "Recommandations: patrouilles mixtes et radios";
        var grain = await NewDocumentAsync(Text);
        await grain.AnchorAsync(Anchor("c1", 17, 35, 0));
        Assert.Equal("patrouilles mixtes", Text[17..35]);

        // Every edit is based on revision 0, so each is transformed against the ones committed before it.
        await grain.SubmitAsync(Submit("a", 1, 0, Op("Draft. ", Text.Length)));          // before
        await grain.SubmitAsync(Submit("b", 1, 0, Op(17, "« ", 28)));                   // exactly at the start
        await grain.SubmitAsync(Submit("c", 1, 0, Op(35, " conjointes", 10)));          // exactly at the end
        await grain.SubmitAsync(Submit("d", 1, 0, Op(29, "très ", 16)));                // inside
        await grain.SubmitAsync(Submit("e", 1, 0, Op(Text.Length, " !")));              // after

        var anchor = await FindAsync(grain, "c1");
        var text = await TextAsync(grain);
        Assert.Equal("Draft. Recommandations: « patrouilles très mixtes conjointes et radios !", text);
        Assert.NotNull(anchor);
        Assert.Equal("patrouilles très mixtes", anchor.Text);
        Assert.Equal(text[anchor.Start..anchor.End], anchor.Text);
        Assert.Equal(5, anchor.Revision);
        Assert.False(anchor.Collapsed);
    }

    [Fact]
    public async Task DeletionsInsideAndAcrossItsEdgesShrinkTheAnchor()
    {
        const string Text = "alpha beta gamma delta";
        var grain = await NewDocumentAsync(Text);
        await grain.AnchorAsync(Anchor("c1", 6, 16, 0));
        Assert.Equal("beta gamma", Text[6..16]);

        await grain.SubmitAsync(Submit("a", 1, 0, Op(3, -5, 14)));       // "ha be", across the start
        await grain.SubmitAsync(Submit("b", 1, 0, Op(11, -2, 9)));       // "ga", inside
        await grain.SubmitAsync(Submit("c", 1, 0, Op(14, -5, 3)));       // "ma de", across the end

        var anchor = await FindAsync(grain, "c1");
        Assert.Equal("alpta mlta", await TextAsync(grain));
        Assert.NotNull(anchor);
        Assert.Equal("ta m", anchor.Text);
        Assert.Equal((3, 7), (anchor.Start, anchor.End));
    }

    [Fact]
    public async Task AnchorWhoseTextIsDeletedCollapsesAndStaysCollapsedAtThatPlace()
    {
        var grain = await NewDocumentAsync("keep DROP keep");
        await grain.AnchorAsync(Anchor("c1", 5, 9, 0));

        await grain.SubmitAsync(Submit("a", 1, 0, Op(4, -5, 5)));        // " DROP"
        var collapsed = await FindAsync(grain, "c1");
        await grain.SubmitAsync(Submit("a", 2, 1, Op(4, " NEW", 5)));      // typed where it was
        await grain.SubmitAsync(Submit("b", 1, 1, Op("» ", 9)));           // before it, based on revision 1

        var anchor = await FindAsync(grain, "c1");
        Assert.Equal("» keep NEW keep", await TextAsync(grain));
        Assert.NotNull(collapsed);
        Assert.True(collapsed.Collapsed);
        Assert.Equal((4, 4, ""), (collapsed.Start, collapsed.End, collapsed.Text));
        Assert.NotNull(anchor);
        Assert.True(anchor.Collapsed);
        Assert.Equal((6, 6, ""), (anchor.Start, anchor.End, anchor.Text));
    }

    [Fact]
    public async Task AnchorCreatedAtAnOldRevisionIsMovedToTheCommittedRevision()
    {
        var grain = await NewDocumentAsync("Lessons learnt");
        await grain.SubmitAsync(Submit("a", 1, 0, Op("Key ", 14)));
        await grain.SubmitAsync(Submit("a", 2, 1, Op(11, " and shared", 7)));
        await grain.SubmitAsync(Submit("a", 3, 2, Op(-4, 25)));

        // Kofi selected "learnt" while he still saw revision 0.
        var anchor = await grain.AnchorAsync(Anchor("c1", 8, 14, 0));

        Assert.Equal("Lessons and shared learnt", await TextAsync(grain));
        Assert.Equal(3, anchor.Revision);
        Assert.Equal("learnt", anchor.Text);
        Assert.Equal((19, 25), (anchor.Start, anchor.End));
        Assert.Equal(anchor, await FindAsync(grain, "c1"));
    }

    [Fact]
    public async Task AnchorOlderThanTheOpsKeptInMemoryIsMovedThroughTheLog()
    {
        var grain = await NewDocumentAsync("abc");
        var revision = 0;
        var length = 3;
        var before = 0;
        for (var chunk = 0; chunk < 21; chunk++)
        {
            // 50 concurrent edits on the same base (one group commit or a few), each at the start or at the end.
            var edits = Enumerable.Range(0, 50).Select(i => i % 3 == 0 ? Op("x", length) : Op(length, "y")).ToList();
            await Task.WhenAll(edits.Select((op, i) => grain.SubmitAsync(Submit($"c{i}", chunk + 1, revision, op))));
            before += edits.Count(op => op.Components[0].Kind == OpKind.Insert);
            revision += 50;
            length += 50;
        }

        // 1,050 revisions: the first ones are only in the op log by now.
        var anchor = await grain.AnchorAsync(Anchor("c1", 0, 3, 0));

        Assert.Equal(1_050, anchor.Revision);
        Assert.Equal("abc", anchor.Text);
        Assert.Equal((before, before + 3), (anchor.Start, anchor.End));
    }

    [Fact]
    public async Task OpsCommittedWhileTheAnchorIsBeingWrittenMoveItToo()
    {
        var grain = await NewDocumentAsync("Best practices");
        var held = node.Writes.HoldNext(grain.GetPrimaryKeyString());
        var anchoring = grain.AnchorAsync(Anchor("c1", 5, 14, 0));
        await held.StartedAsync();

        // Its positions were taken at revision 0; two edits commit before its write is durable.
        await grain.SubmitAsync(Submit("a", 1, 0, Op("1. ", 14)));
        await grain.SubmitAsync(Submit("a", 2, 1, Op(8, "good ", 9)));   // exactly at its start: outside
        held.Release();
        var anchor = await anchoring;
        await DeactivateAsync(grain);

        Assert.Equal("1. Best good practices", await TextAsync(grain));
        Assert.Equal(new AnchorView(anchor.DocId, "c1", 13, 22, 2, "practices", false), anchor);
        Assert.Equal(anchor, await FindAsync(grain, "c1"));
    }

    [Fact]
    public async Task EditsAreAcknowledgedWhileASnapshotIsBeingWritten()
    {
        var grain = await NewDocumentAsync("Best practices");
        var held = node.Writes.HoldNext(grain.GetPrimaryKeyString());
        for (var i = 1; i <= 3; i++)
        {
            await grain.SubmitAsync(Submit("a", i, i - 1, Op(14 + i - 1, ".")));
        }

        // The snapshot at revision 3 is being written; an edit sent meanwhile does not wait for it.
        await held.StartedAsync();
        var fourth = await grain.SubmitAsync(Submit("a", 4, 3, Op(17, "!"))).WaitAsync(Pushes<object>.Patience);
        Assert.Equal(4, fourth.Revision);

        held.Release();
        await DeactivateAsync(grain);
        Assert.Equal("Best practices...!", await TextAsync(grain));
        Assert.Contains(node.Writes.StoredFor(grain.GetPrimaryKeyString()), w => w.State is DocumentState { SnapshotRevision: 3 });
    }

    [Fact]
    public async Task AnchorWhoseWriteFailsIsNeitherShownNorStoredByLaterWrites()
    {
        var grain = await NewDocumentAsync("Best practices");
        var held = node.Writes.HoldNext(grain.GetPrimaryKeyString());
        var anchoring = grain.AnchorAsync(Anchor("c1", 5, 14, 0));
        await held.StartedAsync();
        await grain.SubmitAsync(Submit("a", 1, 0, Op("1. ", 14)));
        held.Fail(new IOException("The disk is full."));

        await Assert.ThrowsAnyAsync<Exception>(() => anchoring);
        Assert.Empty(await grain.GetAnchorsAsync(Amina, ["c1"]));

        // Three more revisions: a snapshot is written, then the document is reloaded from it.
        for (var i = 2; i <= 4; i++)
        {
            await grain.SubmitAsync(Submit("a", i, i - 1, Op(14 + i + 1, ".")));
        }

        await DeactivateAsync(grain);
        Assert.Empty(await grain.GetAnchorsAsync(Amina, ["c1"]));
        Assert.Equal("practices", (await grain.AnchorAsync(Anchor("c1", 8, 17, 1))).Text);
    }

    [Fact]
    public async Task AnchoringAnExistingIdReturnsTheAnchorUnchanged()
    {
        var grain = await NewDocumentAsync("Best practices");
        var first = await grain.AnchorAsync(Anchor("c1", 0, 4, 0));
        await grain.SubmitAsync(Submit("a", 1, 0, Op("1. ", 14)));

        var again = await grain.AnchorAsync(Anchor("c1", 5, 14, 1));

        Assert.Equal("Best", first.Text);
        Assert.Equal(new AnchorView(first.DocId, "c1", 3, 7, 1, "Best", false), again);
    }

    [Fact]
    public async Task ObserversMayAnchorAndOtherWorkshopsSeeNothing()
    {
        var grain = await NewDocumentAsync("Best practices");

        var anchor = await grain.AnchorAsync(Anchor("obs:1", 5, 14, 0, Observer));
        var forbidden = await Assert.ThrowsAsync<NotFoundException>(() => grain.AnchorAsync(Anchor("out:1", 0, 4, 0, Outsider)));
        var hidden = await Assert.ThrowsAsync<NotFoundException>(() => grain.GetAnchorsAsync(Outsider, ["obs:1"]));

        Assert.Equal("practices", anchor.Text);
        Assert.Equal("document.not_found", forbidden.Code);
        Assert.Equal("document.not_found", hidden.Code);
        Assert.Equal(["obs:1"], (await grain.GetAnchorsAsync(Kofi, ["obs:1", "unknown", "out:1", "obs:1"])).Select(a => a.AnchorId));
    }

    public static TheoryData<string, int, string> InvalidAnchors => new()
    {
        // the text is "né😀 ok": n, é, a surrogate pair at 2–3, then " ok"; revisions 0 and 1 exist
        { "empty id", 0, "anchor.id_invalid" },
        { "id with a space", 1, "anchor.id_invalid" },
        { "id of 101 characters", 2, "anchor.id_invalid" },
        { "negative start", 3, "anchor.range_invalid" },
        { "start after end", 4, "anchor.range_invalid" },
        { "end beyond the text", 5, "anchor.range_invalid" },
        { "starts inside the emoji", 6, "anchor.range_invalid" },
        { "ends inside the emoji", 7, "anchor.range_invalid" },
        { "revision in the future", 8, "revision.not_found" },
        { "negative revision", 9, "revision.not_found" },
        { "beyond the text of its (older) revision", 10, "anchor.range_invalid" },
    };

    private static CreateAnchor InvalidAnchor(int which) => which switch
    {
        0 => Anchor("", 0, 1, 0),
        1 => Anchor("a b", 0, 1, 0),
        2 => Anchor(new string('a', 101), 0, 1, 0),
        3 => Anchor("c1", -1, 1, 1),
        4 => Anchor("c1", 5, 4, 1),
        5 => Anchor("c1", 0, 9, 1),
        6 => Anchor("c1", 3, 5, 1),
        7 => Anchor("c1", 0, 3, 1),
        8 => Anchor("c1", 0, 1, 2),
        9 => Anchor("c1", 0, 1, -1),
        _ => Anchor("c1", 0, 8, 0),
    };

    [Theory]
    [MemberData(nameof(InvalidAnchors))]
    public async Task InvalidAnchorIsRejectedWithItsCodeAndNothingIsStored(string why, int which, string code)
    {
        var grain = await NewDocumentAsync("né😀 ok");
        await grain.SubmitAsync(Submit("a", 1, 0, Op(7, "!")));
        var command = InvalidAnchor(which);

        var error = await Assert.ThrowsAnyAsync<CollabException>(() => grain.AnchorAsync(command));

        Assert.True(error.Code == code, $"{why}: expected {code}, got {error.Code}");
        switch (error)
        {
            case ValidationFailedException validation:
                Assert.Equal(code == "anchor.id_invalid" ? "anchorId" : "start", validation.Field);
                break;
            case NotFoundException:
                Assert.Equal("revision.not_found", code);
                break;
            default:
                Assert.Fail($"{why}: unexpected {error.GetType().Name}");
                break;
        }

        Assert.Empty(await grain.GetAnchorsAsync(Amina, [command.AnchorId]));
        await DeactivateAsync(grain);
        Assert.Empty(await grain.GetAnchorsAsync(Amina, [command.AnchorId]));
        Assert.Equal("né😀 ok!", await TextAsync(grain));
    }

    [Fact]
    public async Task DocumentKeepsAtMostTwoThousandAnchors()
    {
        var grain = await NewDocumentAsync("Recommandation 1");
        for (var i = 0; i < 2_000; i++)
        {
            await grain.AnchorAsync(Anchor($"c{i}", i % 16, 16, 0));
        }

        var error = await Assert.ThrowsAsync<ConflictException>(() => grain.AnchorAsync(Anchor("one-more", 0, 1, 0)));
        var existing = await grain.AnchorAsync(Anchor("c7", 0, 1, 0));

        Assert.Equal("anchor.too_many", error.Code);
        Assert.Equal("ndation 1", existing.Text);
        Assert.Empty(await grain.GetAnchorsAsync(Amina, ["one-more"]));
        Assert.Equal(2_000, (await grain.GetAnchorsAsync(Amina, Enumerable.Range(0, 2_000).Select(i => $"c{i}").ToList())).Count);
    }

    [Fact]
    public async Task AnchorsAreStoredApartSoThatASnapshotCarriesNoneAndAnchoringWritesNoSnapshot()
    {
        var grain = await NewDocumentAsync("Recommandation 1");
        var key = grain.GetPrimaryKeyString();
        for (var i = 0; i < 2_000; i++)
        {
            await grain.AnchorAsync(Anchor($"c{i}", i % 16, 16, 0));
        }

        var afterAnchoring = node.Writes.StoredFor(key);

        // Three revisions: a snapshot.
        for (var i = 1; i <= 3; i++)
        {
            await grain.SubmitAsync(Submit("a", i, i - 1, Op(15 + i, ".")));
        }

        // Deactivation waits for the snapshot's write, which may still be under way when the last op is acknowledged.
        await DeactivateAsync(grain);
        var anchors = await grain.GetAnchorsAsync(Amina, Enumerable.Range(0, 2_000).Select(i => $"c{i}").ToList());
        var afterSnapshot = node.Writes.StoredFor(key).Skip(afterAnchoring.Count).ToList();

        // Each anchor wrote the anchors' own state only (every anchor so far); the snapshot wrote the document's only.
        Assert.Equal(2_001, afterAnchoring.Count);
        Assert.Equal(["document"], afterAnchoring.Take(1).Select(w => w.StateName));
        Assert.All(afterAnchoring.Skip(1), w => Assert.Equal("document-anchors", w.StateName));
        Assert.Equal(2_000, Assert.IsType<DocumentAnchorsState>(afterAnchoring[^1].State).Anchors.Count);
        var snapshot = Assert.IsType<DocumentState>(Assert.Single(afterSnapshot).State);
        Assert.Equal((3, "Recommandation 1..."), (snapshot.SnapshotRevision, snapshot.SnapshotText));
        Assert.Empty(snapshot.Anchors);
        Assert.Equal(2_000, anchors.Count);
        Assert.Equal("ndation 1", anchors[7].Text);
    }

    [Fact]
    public async Task AnchorsStoredLongAgoAreStoredAgainAtASnapshotAtTheCommittedRevision()
    {
        // Collab:Documents:SnapshotEvery is 3 and Collab:Documents:AnchorsRewriteEvery 6 on this node: the snapshot at 6
        // stores the anchors too.
        var grain = await NewDocumentAsync("Best practices");
        var key = grain.GetPrimaryKeyString();
        await grain.AnchorAsync(Anchor("c1", 5, 14, 0));
        for (var i = 1; i <= 7; i++)
        {
            await grain.SubmitAsync(Submit("a", i, i - 1, Op(13 + i, "x")));
        }

        var before = await FindAsync(grain, "c1");
        await DeactivateAsync(grain);
        var after = await FindAsync(grain, "c1");
        var anchorWrites = node.Writes.StoredFor(key).Where(w => w.StateName == "document-anchors").Select(w => (DocumentAnchorsState)w.State!).ToList();

        Assert.Equal([0, 6], anchorWrites.Select(w => Assert.Single(w.Anchors).Revision));
        Assert.Equal("practices", before!.Text);
        Assert.Equal(before, after);
    }

    [Fact]
    public async Task AnchorsOfAnEarlierVersionStayWithTheSnapshotUntilTheirOwnStateIsWritten()
    {
        var grain = await NewDocumentAsync("Best practices");
        var key = grain.GetPrimaryKeyString();
        await grain.SubmitAsync(Submit("a", 1, 0, Op("1. ", 14)));
        await DeactivateAsync(grain);
        await StoreAsEarlierVersionAsync(grain, [new AnchorState("legacy", 8, 17, 1)]);

        // The snapshot at 3 first stores the anchors in their own state: that write fails, so the snapshot is not written.
        var held = node.Writes.HoldNext(key);
        await grain.SubmitAsync(Submit("a", 2, 1, Op(17, ".")));
        var loaded = await FindAsync(grain, "legacy");
        await grain.SubmitAsync(Submit("a", 3, 2, Op(18, ".")));
        await held.StartedAsync();
        var failedAt = node.Writes.StoredFor(key).Count;
        held.Fail(new IOException("The disk is full."));
        await DeactivateAsync(grain);
        var afterFailure = await FindAsync(grain, "legacy");
        Assert.Equal(failedAt, node.Writes.StoredFor(key).Count);

        // The next snapshot (at 4: none was written since 0) stores them first, then a document state without them.
        for (var i = 4; i <= 6; i++)
        {
            await grain.SubmitAsync(Submit("a", i, i - 1, Op(15 + i, ".")));
        }

        await DeactivateAsync(grain);
        var migrated = await FindAsync(grain, "legacy");
        var writes = node.Writes.StoredFor(key).Skip(failedAt).ToList();

        Assert.Equal(new AnchorView(loaded!.DocId, "legacy", 8, 17, 2, "practices", false), loaded);
        Assert.Equal(loaded with { Revision = 3 }, afterFailure);
        Assert.Equal(loaded with { Revision = 6 }, migrated);
        Assert.Equal(["document-anchors", "document"], writes.Select(w => w.StateName));
        Assert.Equal([new AnchorState("legacy", 8, 17, 4)], Assert.IsType<DocumentAnchorsState>(writes[0].State).Anchors);
        Assert.Equal(4, Assert.IsType<DocumentState>(writes[1].State).SnapshotRevision);
        Assert.Empty(Assert.IsType<DocumentState>(writes[1].State).Anchors);
    }

    [Fact]
    public async Task AnchorsSurviveReactivationWithTheOpsSinceTheirLastWriteReplayed()
    {
        // SnapshotEvery is 3 on this node: two ops after the anchor leave it stored at revision 0, moved on load.
        var grain = await NewDocumentAsync("Best practices");
        await grain.AnchorAsync(Anchor("c1", 5, 14, 0));
        await grain.SubmitAsync(Submit("a", 1, 0, Op("1. ", 14)));
        await grain.SubmitAsync(Submit("a", 2, 0, Op(5, "shared ", 4, "ti", 5)));   // exactly at its start, and inside
        var before = await FindAsync(grain, "c1");

        await DeactivateAsync(grain);

        Assert.Equal("1. Best shared practitices", await TextAsync(grain));
        Assert.Equal(new AnchorView(before!.DocId, "c1", 15, 26, 2, "practitices", false), before);
        Assert.Equal(before, await FindAsync(grain, "c1"));
    }

    [Fact]
    public async Task AnchorsSurviveReactivationAcrossManySnapshotsAndKeepMoving()
    {
        var grain = await NewDocumentAsync("Intro. patrouilles mixtes. Fin.");
        await grain.AnchorAsync(Anchor("early", 7, 25, 0));
        await grain.AnchorAsync(Anchor("gone", 0, 7, 0));
        for (var i = 1; i <= 20; i++)
        {
            // Based one revision back (from the second on), so each is transformed; all insert at the very start.
            var baseRevision = Math.Max(0, (await grain.GetAsync(Amina)).Revision - 1);
            var baseText = (await grain.GetTextAtRevisionAsync(Amina, baseRevision)).Text;
            await grain.SubmitAsync(Submit("a", i, baseRevision, Op($"é{i}😀 ", baseText.Length)));
            if (i == 7)
            {
                var (revision, text) = await CurrentAsync(grain);
                var at = text.IndexOf("Intro. ", StringComparison.Ordinal);
                await grain.SubmitAsync(Submit("b", 1, revision, Op(at, -7, text.Length - at - 7)));
            }

            if (i == 13)
            {
                // Anchored on what the author saw two revisions ago.
                var revision = (await grain.GetAsync(Amina)).Revision - 2;
                var text = (await grain.GetTextAtRevisionAsync(Amina, revision)).Text;
                var at = text.IndexOf("Fin", StringComparison.Ordinal);
                await grain.AnchorAsync(Anchor("late", at, at + 3, revision));
            }
        }

        var ids = new[] { "early", "gone", "late" };
        var before = await grain.GetAnchorsAsync(Amina, ids);
        Assert.Equal(["patrouilles mixtes", "", "Fin"], before.Select(a => a.Text));
        Assert.True(before[1].Collapsed);
        Assert.Equal(21, before[0].Revision);

        await DeactivateAsync(grain);
        var after = await grain.GetAnchorsAsync(Amina, ids);
        var (current, currentText) = await CurrentAsync(grain);
        var middle = currentText.IndexOf("mixtes", StringComparison.Ordinal);
        await grain.SubmitAsync(Submit("c", 1, current, Op(middle, "très ", currentText.Length - middle)));

        Assert.Equal(before, after);
        Assert.Equal(["patrouilles très mixtes", "", "Fin"], (await grain.GetAnchorsAsync(Amina, ids)).Select(a => a.Text));
    }

    [Fact]
    public async Task ListenerOfAnotherWorkshopIsRefused()
    {
        var grain = await NewDocumentAsync("Best practices");

        var error = await Assert.ThrowsAsync<ForbiddenException>(() => grain.SetListenerAsync("w-other", "rec-1"));

        Assert.Equal("document.other_workshop", error.Code);
    }

    [Fact]
    public async Task CommitsGoOnWhenTheListenerNamesNoGrainThatCanListen()
    {
        // No grain class implements IDocumentListener on this node: telling it fails, and the commit must not care.
        var grain = await NewDocumentAsync("Best practices");
        await grain.SetListenerAsync("w-docs", "rec-" + Guid.NewGuid().ToString("N"));

        var first = await grain.SubmitAsync(Submit("a", 1, 0, Op(14, ".")));
        await DeactivateAsync(grain);
        var second = await grain.SubmitAsync(Submit("a", 2, 1, Op(15, "!")));
        await grain.SetListenerAsync("w-docs", null);
        var third = await grain.SubmitAsync(Submit("a", 3, 2, Op(16, "?")));

        Assert.Equal((1, 2, 3), (first.Revision, second.Revision, third.Revision));
        Assert.Equal("Best practices.!?", await TextAsync(grain));
    }

    // ---- Property: the anchor is the range tracked independently through the committed ops ----

    private static readonly string[] Pieces = ["a", "b", " ", "é", "e\u0301", "中", "😀", "👩‍👩‍👧", "\n"];

    private static string RandomText(Random random, int maxPieces) =>
        string.Concat(Enumerable.Range(0, random.Next(0, maxPieces + 1)).Select(_ => Pieces[random.Next(Pieces.Length)]));

    /// <summary>Positions that do not split a surrogate pair.</summary>
    private static List<int> Boundaries(string text) =>
        Enumerable.Range(0, text.Length + 1).Where(i => i == 0 || i == text.Length || !char.IsLowSurrogate(text[i])).ToList();

    /// <summary>An insert, a delete or a replacement anywhere in <paramref name="text"/> (whole code points only).</summary>
    private static TextOperation RandomEdit(Random random, string text)
    {
        var boundaries = Boundaries(text);
        var kind = text.Length == 0 ? 0 : random.Next(3);
        int from, to;
        if (kind == 0)
        {
            from = to = boundaries[random.Next(boundaries.Count)];
        }
        else
        {
            var first = random.Next(boundaries.Count - 1);
            (from, to) = (boundaries[first], boundaries[random.Next(first + 1, boundaries.Count)]);
        }

        var components = new List<OpComponent>();
        if (from > 0)
        {
            components.Add(OpComponent.Retain(from));
        }

        if (kind != 1)
        {
            components.Add(OpComponent.Insert(RandomText(random, 3) is { Length: > 0 } s ? s : "x"));
        }

        if (to > from)
        {
            components.Add(OpComponent.Delete(to - from));
        }

        if (text.Length > to)
        {
            components.Add(OpComponent.Retain(text.Length - to));
        }

        return new TextOperation([.. components]);
    }

    /// <summary>The oracle: start stays after text inserted at it, end before; an empty range moves as one point.</summary>
    private static (int Start, int End) Track((int Start, int End) range, TextOperation op)
    {
        if (range.Start == range.End)
        {
            var at = TextOt.TransformPosition(range.Start, op, Affinity.Before);
            return (at, at);
        }

        return (TextOt.TransformPosition(range.Start, op, Affinity.After), TextOt.TransformPosition(range.End, op, Affinity.Before));
    }

    /// <summary>Applies <paramref name="op"/> to characters tagged with where they came from (null: inserted later).</summary>
    private static List<bool?> ApplyTagged(List<bool?> tags, TextOperation op)
    {
        var result = new List<bool?>();
        var index = 0;
        foreach (var c in op.Components)
        {
            switch (c.Kind)
            {
                case OpKind.Retain:
                    result.AddRange(tags.Skip(index).Take(c.Count));
                    index += c.Count;
                    break;
                case OpKind.Insert:
                    result.AddRange(Enumerable.Repeat<bool?>(null, c.Text!.Length));
                    break;
                case OpKind.Delete:
                    index += c.Count;
                    break;
            }
        }

        return result;
    }

    [Fact]
    public async Task AnchoredTextIsTheRangeTrackedThroughEveryCommittedOp()
    {
        // The node starts on first use, and not safely from several threads at once: start it before sampling in parallel.
        _ = Cluster;
        await Gen.Int.SampleAsync(async seed =>
        {
            var random = new Random(seed);
            var grain = await NewDocumentAsync(RandomText(random, 12));
            var texts = new List<string> { (await grain.GetTextAtRevisionAsync(Amina, 0)).Text };
            var rounds = random.Next(1, 7);
            var anchorRound = random.Next(0, rounds + 1);
            var anchorRevision = 0;
            (int Start, int End) range = default;
            AnchorView? created = null;
            for (var round = 0; round <= rounds; round++)
            {
                // A few edits at once, each on a revision up to three behind, and maybe the anchor among them.
                var committed = texts.Count - 1;
                var edits = new List<Task<SubmitResult>>();
                for (var i = round < rounds ? random.Next(1, 5) : 0; i > 0; i--)
                {
                    var baseRevision = random.Next(Math.Max(0, committed - 3), committed + 1);
                    edits.Add(grain.SubmitAsync(Submit($"c{round}-{i}", 1, baseRevision, RandomEdit(random, texts[baseRevision]))));
                }

                Task<AnchorView>? anchoring = null;
                if (round == anchorRound)
                {
                    anchorRevision = random.Next(Math.Max(0, committed - 3), committed + 1);
                    var boundaries = Boundaries(texts[anchorRevision]);
                    var (a, b) = (boundaries[random.Next(boundaries.Count)], boundaries[random.Next(boundaries.Count)]);
                    range = (Math.Min(a, b), Math.Max(a, b));
                    anchoring = grain.AnchorAsync(Anchor("p", range.Start, range.End, anchorRevision));
                }

                await Task.WhenAll(edits);
                created = anchoring is null ? created : await anchoring;
                var latest = (await grain.GetAsync(Amina)).Revision;
                foreach (var op in await grain.GetOpsAsync(Amina, committed, latest))
                {
                    texts.Add(TextOt.Apply(texts[^1], op.Op));
                }
            }

            var final = texts.Count - 1;
            var ops = await grain.GetOpsAsync(Amina, 0, final);
            var anchor = (await grain.GetAnchorsAsync(Amina, ["p"])).Single();
            var tags = Enumerable.Range(0, texts[anchorRevision].Length).Select(i => (bool?)(i >= range.Start && i < range.End)).ToList();
            var expected = range;
            var tracked = new Dictionary<int, (int Start, int End)> { [anchorRevision] = range };
            foreach (var op in ops.Where(o => o.Revision > anchorRevision))
            {
                expected = Track(expected, op.Op);
                tracked[op.Revision] = expected;
                tags = ApplyTagged(tags, op.Op);
                Assert.True(expected.Start <= expected.End, $"seed {seed}: start {expected.Start} after end {expected.End}");
            }

            // As created (at whatever was committed when it was written) and as it is now.
            Assert.NotNull(created);
            Assert.Equal(tracked[created.Revision], (created.Start, created.End));
            Assert.Equal(texts[created.Revision][created.Start..created.End], created.Text);
            Assert.Equal(final, anchor.Revision);
            Assert.Equal((expected.Start, expected.End), (anchor.Start, anchor.End));
            Assert.Equal(texts[final][expected.Start..expected.End], anchor.Text);
            Assert.Equal(anchor.Start == anchor.End, anchor.Collapsed);

            // Independently of the position rules: what survives of the anchored text is inside, the rest outside.
            for (var i = 0; i < tags.Count; i++)
            {
                if (tags[i] is { } inside)
                {
                    Assert.True(inside == (i >= anchor.Start && i < anchor.End), $"seed {seed}: character {i} {(inside ? "left" : "entered")} the anchor");
                }
            }
        }, iter: 200);
    }
}
