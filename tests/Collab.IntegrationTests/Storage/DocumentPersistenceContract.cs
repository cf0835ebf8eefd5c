using Collab.Documents;
using Collab.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Storage;

namespace Collab.IntegrationTests.Storage;

/// <summary>
/// A document across silo restarts, the same on SQLite and PostgreSQL: the snapshot plus the op log's tail rebuild
/// exactly the committed text, history before the snapshot still reads, resubmissions are still recognised (also once
/// their client's exactly-once mark was dropped), and anchors are where the ops moved them, stored apart from the
/// snapshot (also those an earlier version stored with it).
/// </summary>
public abstract class DocumentPersistenceContract
{
    private static readonly Caller Author = new("p1", "Rapporteur", "w-storage", Role.Rapporteur);

    /// <summary>A silo host on this storage; every call returns a new host on the same data.</summary>
    protected abstract Task<IHost> StartHostAsync();

    private static IDocumentGrain Document(IHost host, string docId) =>
        host.Services.GetRequiredService<IClusterClient>().GetGrain<IDocumentGrain>(docId);

    private static TextOperation Append(int length, string text) =>
        length == 0 ? TextOperation.Of(OpComponent.Insert(text)) : TextOperation.Of(OpComponent.Retain(length), OpComponent.Insert(text));

    [Fact]
    public async Task RestartedSiloRebuildsTheTextFromSnapshotAndLogAndRecognisesResubmissions()
    {
        var docId = "persist-" + Guid.NewGuid().ToString("N");
        var expected = "";
        SubmitResult lastAck;
        var host = await StartHostAsync();
        try
        {
            var grain = Document(host, docId);
            await grain.CreateAsync(new CreateDocument("Challenges", "", Author, "plenary", null));
            lastAck = null!;
            for (var i = 1; i <= 250; i++)
            {
                var piece = $"é{i}😀 ";
                lastAck = await grain.SubmitAsync(new SubmitOp("client", i, i - 1, Append(expected.Length, piece), Author, null));
                expected += piece;
            }
        }
        finally
        {
            await host.StopAsync();
            host.Dispose();
        }

        host = await StartHostAsync();
        try
        {
            var grain = Document(host, docId);
            var view = await grain.GetAsync(Author);
            Assert.Equal(250, view.Revision);
            Assert.Equal(expected, (await grain.GetTextAtRevisionAsync(Author, 250)).Text);

            // History from before the last snapshot (taken at 200) and from its tail.
            Assert.Equal("é1😀 ", (await grain.GetTextAtRevisionAsync(Author, 1)).Text);
            Assert.StartsWith((await grain.GetTextAtRevisionAsync(Author, 120)).Text, expected, StringComparison.Ordinal);
            Assert.EndsWith("é120😀 ", (await grain.GetTextAtRevisionAsync(Author, 120)).Text, StringComparison.Ordinal);

            // The last op (kept in memory) and an old one (found in the log) are both recognised as already applied.
            Assert.Equal(lastAck, await grain.SubmitAsync(new SubmitOp("client", 250, 249, Append(expected.Length, "x"), Author, null)));
            var old = await grain.SubmitAsync(new SubmitOp("client", 10, 9, Append(0, "x"), Author, null));
            Assert.Equal(10, old.Revision);
            Assert.Equal(250, (await grain.GetAsync(Author)).Revision);

            var next = await grain.SubmitAsync(new SubmitOp("client", 251, 250, Append(expected.Length, "fin"), Author, null));
            Assert.Equal(251, next.Revision);
        }
        finally
        {
            await host.StopAsync();
            host.Dispose();
        }
    }

    [Fact]
    public async Task AClientWhoseMarkWasDroppedStillGetsItsOriginalAckAcrossARestart()
    {
        var docId = "marks-" + Guid.NewGuid().ToString("N");
        var kept = new DocumentOptions().ClientMarksKept;
        SubmitResult first;
        var host = await StartHostAsync();
        try
        {
            var grain = Document(host, docId);
            await grain.CreateAsync(new CreateDocument("Lessons learnt", "", Author, "plenary", null));
            first = await grain.SubmitAsync(new SubmitOp("early", 1, 0, Append(0, "Début. "), Author, null));

            // More clients than the marks keep commit after it (50 at a time on one base, so group commit takes them
            // together): the mark of "early" is dropped, and the snapshots written meanwhile leave it out.
            for (var from = 1; from <= kept; from += 50)
            {
                var baseRevision = from;
                await Task.WhenAll(Enumerable.Range(from, 50).Select(i =>
                    grain.SubmitAsync(new SubmitOp($"c{i}", 1, baseRevision, Append(6 + baseRevision, "x"), Author, null))));
            }

            Assert.Equal(first, await grain.SubmitAsync(new SubmitOp("early", 1, 0, Append(0, "Début. "), Author, null)));
            Assert.Equal(kept + 1, (await grain.GetAsync(Author)).Revision);
        }
        finally
        {
            await host.StopAsync();
            host.Dispose();
        }

        host = await StartHostAsync();
        try
        {
            var grain = Document(host, docId);
            Assert.Equal(first, await grain.SubmitAsync(new SubmitOp("early", 1, 0, Append(0, "Début. "), Author, null)));

            var text = (await grain.GetTextAsync(Author)).Text;
            Assert.Equal("Début. " + new string('x', kept), text);
            Assert.Equal(kept + 1, (await grain.GetAsync(Author)).Revision);

            // Its next op is new, and so is a client never seen.
            Assert.Equal(kept + 2, (await grain.SubmitAsync(new SubmitOp("early", 2, kept + 1, Append(text.Length, "!"), Author, null))).Revision);
            Assert.Equal(kept + 3, (await grain.SubmitAsync(new SubmitOp("late", 1, kept + 1, Append(text.Length, "?"), Author, null))).Revision);
        }
        finally
        {
            await host.StopAsync();
            host.Dispose();
        }
    }

    [Fact]
    public async Task AnchorsSurviveARestartAndKeepFollowingEdits()
    {
        var docId = "anchors-" + Guid.NewGuid().ToString("N");
        var ids = new[] { "early", "gone", "late" };
        var texts = new List<string> { "Intro. patrouilles mixtes. Fin." };
        IReadOnlyList<AnchorView> before;
        var host = await StartHostAsync();
        try
        {
            var grain = Document(host, docId);
            await grain.CreateAsync(new CreateDocument("Recommendations", texts[0], Author, "plenary", null));
            await grain.AnchorAsync(new CreateAnchor(Author, "early", 7, 25, 0));
            await grain.AnchorAsync(new CreateAnchor(Author, "gone", 0, 7, 0));
            for (var i = 1; i <= 130; i++)
            {
                // At the start of the text as it was one revision earlier, so each is transformed; a snapshot at 100.
                var baseRevision = Math.Max(0, texts.Count - 2);
                var insert = TextOperation.Of(OpComponent.Insert($"é{i}😀 "), OpComponent.Retain(texts[baseRevision].Length));
                var ack = await grain.SubmitAsync(new SubmitOp("client", i, baseRevision, insert, Author, null));
                texts.Add(TextOt.Apply(texts[^1], ack.Op));
                if (i == 60)
                {
                    var at = texts[^1].IndexOf("Intro. ", StringComparison.Ordinal);
                    var delete = TextOperation.Of(OpComponent.Retain(at), OpComponent.Delete(7), OpComponent.Retain(texts[^1].Length - at - 7));
                    var deleted = await grain.SubmitAsync(new SubmitOp("editor", 1, texts.Count - 1, delete, Author, null));
                    texts.Add(TextOt.Apply(texts[^1], deleted.Op));
                }

                if (i == 120)
                {
                    var revision = texts.Count - 3;
                    var at = texts[revision].IndexOf("Fin", StringComparison.Ordinal);
                    await grain.AnchorAsync(new CreateAnchor(Author, "late", at, at + 3, revision));
                }
            }

            before = await grain.GetAnchorsAsync(Author, ids);
            Assert.Equal(["patrouilles mixtes", "", "Fin"], before.Select(a => a.Text));
            Assert.All(before, a => Assert.Equal(131, a.Revision));
        }
        finally
        {
            await host.StopAsync();
            host.Dispose();
        }

        host = await StartHostAsync();
        try
        {
            var grain = Document(host, docId);
            Assert.Equal(before, await grain.GetAnchorsAsync(Author, ids));

            var middle = texts[^1].IndexOf("mixtes", StringComparison.Ordinal);
            var inside = TextOperation.Of(OpComponent.Retain(middle), OpComponent.Insert("très "), OpComponent.Retain(texts[^1].Length - middle));
            await grain.SubmitAsync(new SubmitOp("client", 131, texts.Count - 1, inside, Author, null));
            Assert.Equal(["patrouilles très mixtes", "", "Fin"], (await grain.GetAnchorsAsync(Author, ids)).Select(a => a.Text));
        }
        finally
        {
            await host.StopAsync();
            host.Dispose();
        }
    }

    /// <summary>Runs <paramref name="body"/> on a new host on this storage, and stops the host whatever happens.</summary>
    private async Task OnHostAsync(Func<IHost, Task> body)
    {
        var host = await StartHostAsync();
        try
        {
            await body(host);
        }
        finally
        {
            await host.StopAsync();
            host.Dispose();
        }
    }

    private static async Task<T> ReadStoredAsync<T>(IHost host, string stateName, string docId)
    {
        var stored = new GrainState<T>();
        await host.Services.GetRequiredKeyedService<IGrainStorage>("Default")
            .ReadStateAsync(stateName, Document(host, docId).GetGrainId(), stored);
        return stored.State!;
    }

    [Fact]
    public async Task AnchorsStoredWithTheSnapshotByAnEarlierVersionLoadAndMoveToTheirOwnState()
    {
        var docId = "legacy-anchors-" + Guid.NewGuid().ToString("N");
        var facilitator = Author with { Role = Role.Facilitator };
        IReadOnlyList<AnchorView> loaded = [];
        await OnHostAsync(async host =>
        {
            var grain = Document(host, docId);
            await grain.CreateAsync(new CreateDocument("Best practices", "Best practices", Author, "plenary", null));
            await grain.SubmitAsync(new SubmitOp("client", 1, 0, TextOperation.Of(OpComponent.Insert("1. "), OpComponent.Retain(14)), Author, null));
            await grain.SubmitAsync(new SubmitOp("client", 2, 1, Append(17, "."), Author, null));
        });

        await OnHostAsync(async host =>
        {
            // What an earlier version stored: anchors in the document's state (each at the revision of its write).
            var storage = host.Services.GetRequiredKeyedService<IGrainStorage>("Default");
            var grainId = Document(host, docId).GetGrainId();
            var document = new GrainState<DocumentState>();
            await storage.ReadStateAsync("document", grainId, document);
            document.State!.Anchors = [new AnchorState("best", 0, 4, 0), new AnchorState("practices", 8, 17, 1)];
            await storage.WriteStateAsync("document", grainId, document);

            var grain = Document(host, docId);
            loaded = await grain.GetAnchorsAsync(Author, ["best", "practices"]);
            Assert.Equal(["Best", "practices"], loaded.Select(a => a.Text));
            Assert.Equal([(3, 7), (8, 17)], loaded.Select(a => (a.Start, a.End)));
            Assert.Empty((await ReadStoredAsync<DocumentAnchorsState>(host, "document-anchors", docId)).Anchors);

            // The next write of the document's state stores the anchors in their own state first, then itself without them.
            await grain.SetLockedAsync(new SetLocked(true, facilitator));
            Assert.Equal(
                [new AnchorState("best", 3, 7, 2), new AnchorState("practices", 8, 17, 2)],
                (await ReadStoredAsync<DocumentAnchorsState>(host, "document-anchors", docId)).Anchors.OrderBy(a => a.AnchorId, StringComparer.Ordinal));
            var rewritten = await ReadStoredAsync<DocumentState>(host, "document", docId);
            Assert.Empty(rewritten.Anchors);
            Assert.True(rewritten.Locked);
            await grain.SetLockedAsync(new SetLocked(false, facilitator));
        });

        await OnHostAsync(async host =>
        {
            var grain = Document(host, docId);
            Assert.Equal(loaded, await grain.GetAnchorsAsync(Author, ["best", "practices"]));
            await grain.SubmitAsync(new SubmitOp("client", 3, 2, TextOperation.Of(OpComponent.Retain(11), OpComponent.Insert("-"), OpComponent.Retain(7)), Author, null));
            Assert.Equal(["Best", "pra-ctices"], (await grain.GetAnchorsAsync(Author, ["best", "practices"])).Select(a => a.Text));
        });
    }

    [Fact]
    public Task ASnapshotCarriesNoAnchorsAndAnchorsAreStoredInTheirOwnState() => OnHostAsync(async host =>
    {
        var docId = "apart-" + Guid.NewGuid().ToString("N");
        var grain = Document(host, docId);
        await grain.CreateAsync(new CreateDocument("Challenges", "", Author, "plenary", null));
        await grain.AnchorAsync(new CreateAnchor(Author, "start", 0, 0, 0));
        var expected = "";
        for (var i = 1; i <= 100; i++)
        {
            await grain.SubmitAsync(new SubmitOp("client", i, i - 1, Append(expected.Length, "ab"), Author, null));
            expected += "ab";
        }

        // A read after the snapshot's write (deactivation waits for it).
        await grain.Cast<Orleans.Core.Internal.IGrainManagementExtension>().DeactivateOnIdle();
        Assert.Equal(100, (await grain.GetAsync(Author)).Revision);

        var document = await ReadStoredAsync<DocumentState>(host, "document", docId);
        Assert.Equal((100, expected), (document.SnapshotRevision, document.SnapshotText));
        Assert.Empty(document.Anchors);
        Assert.Equal([new AnchorState("start", 0, 0, 0)], (await ReadStoredAsync<DocumentAnchorsState>(host, "document-anchors", docId)).Anchors);
    });

    [Fact]
    public async Task WhenAnotherActivationWroteTheRevisionFirstTheGrainReloadsInsteadOfForking()
    {
        var docId = "race-" + Guid.NewGuid().ToString("N");
        var host = await StartHostAsync();
        try
        {
            var grain = Document(host, docId);
            await grain.CreateAsync(new CreateDocument(null, "", Author, "plenary", null));
            await grain.SubmitAsync(new SubmitOp("mine", 1, 0, Append(0, "a"), Author, null));

            // A second activation (say, during a cluster reconfiguration) commits revision 2 behind this one's back.
            var intruder = new CommittedOp(2, Append(1, "X"), "other", 1, "p2", "Other", DateTimeOffset.UtcNow, null);
            await host.Services.GetRequiredService<IOpLog>().AppendAsync(docId, [intruder]);

            // This activation also numbers its next op 2: the log refuses it, nothing is acknowledged.
            var refused = await Assert.ThrowsAsync<Collab.Errors.UnavailableException>(() =>
                grain.SubmitAsync(new SubmitOp("mine", 2, 1, Append(1, "b"), Author, null)));
            Assert.Equal("server.unavailable", refused.Code);

            // The client resends (as clients do on server.unavailable) until a fresh activation, which has loaded
            // revision 2, takes it and rebases it.
            SubmitResult? ack = null;
            for (var attempt = 0; ack is null && attempt < 50; attempt++)
            {
                try
                {
                    ack = await grain.SubmitAsync(new SubmitOp("mine", 2, 1, Append(1, "b"), Author, null));
                }
                catch (Collab.Errors.UnavailableException)
                {
                    // The stale activation is still finishing its deactivation.
                }
            }

            Assert.NotNull(ack);
            Assert.Equal(3, ack.Revision);
            Assert.Equal("aXb", (await grain.GetTextAtRevisionAsync(Author, 3)).Text);
            Assert.Equal(["mine", "other", "mine"], (await grain.GetOpsAsync(Author, 0, 3)).Select(o => o.ClientId));
        }
        finally
        {
            await host.StopAsync();
            host.Dispose();
        }
    }
}

public sealed class SqliteDocumentPersistenceTests : DocumentPersistenceContract, IDisposable
{
    private readonly TempFolder _data = new();

    protected override async Task<IHost> StartHostAsync()
    {
        var host = Infrastructure.InProcessNode.BuildEmbedded(_data.Path);
        await host.StartAsync();
        return host;
    }

    public void Dispose() => _data.Dispose();
}

public sealed class PostgresDocumentPersistenceTests : DocumentPersistenceContract, IAsyncLifetime
{
    private Infrastructure.TestDatabase? _database;

    protected override async Task<IHost> StartHostAsync()
    {
        _database ??= await Infrastructure.PostgresServer.CreateDatabaseAsync();
        var host = Infrastructure.InProcessNode.BuildClustered(_database.ConnectionString, "persist");
        await host.StartAsync();
        return host;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    // Every test stops its hosts in a finally before it ends.
    public async Task DisposeAsync()
    {
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }
}
