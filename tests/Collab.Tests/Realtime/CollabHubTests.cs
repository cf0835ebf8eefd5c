using System.Net.Http.Json;
using System.Text.Json;
using Collab.Client;
using Collab.Documents;
using Collab.Text;
using Collab.Web.Realtime;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Collab.Tests.Realtime;

/// <summary>The real-time protocol over real SignalR connections (WebSockets) to a real Kestrel embedded node.</summary>
public sealed class CollabHubTests(KestrelWebNode node) : IClassFixture<KestrelWebNode>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private async Task<string> NewDocumentAsync(string text = "") =>
        await (await node.WorkshopAsync()).NewDocumentAsync("Lessons learnt", text);

    private async Task<TextAtRevision> ServerTextAsync(string docId)
    {
        var workshop = await node.WorkshopAsync();
        return await workshop.OkAsync<TextAtRevision>(workshop.Facilitator.Token, HttpMethod.Get, $"/api/documents/{docId}/text");
    }

    private async Task<HubConnection> RawConnectionAsync(CollabHubProtocol protocol = CollabHubProtocol.Json)
    {
        var connection = node.Raw((await node.MemberAsync("Raw")).Token, protocol);
        await connection.StartAsync();
        return connection;
    }

    private async Task<CollabConnection> ConnectAsync(string name, CollabHubProtocol protocol = CollabHubProtocol.Json) =>
        await CollabConnection.ConnectAsync(node.HubUrl, (await node.MemberAsync(name)).Token, protocol: protocol);

    private static object Submit(string docId, int baseRevision, string clientId, long seq, object[] op) =>
        new { docId, baseRevision, clientId, clientSeq = seq, op };

    /// <summary>Even-numbered clients speak <paramref name="even"/>, odd-numbered ones <paramref name="odd"/>.</summary>
    [Theory]
    [InlineData(CollabHubProtocol.Json, CollabHubProtocol.Json)]
    [InlineData(CollabHubProtocol.MessagePack, CollabHubProtocol.MessagePack)]
    [InlineData(CollabHubProtocol.Json, CollabHubProtocol.MessagePack)]
    public async Task TenClientsEditingOneDocumentConvergeToTheServersText(CollabHubProtocol even, CollabHubProtocol odd)
    {
        var docId = await NewDocumentAsync("Bonnes pratiques : ");
        var connections = new List<CollabConnection>();
        var documents = new List<SharedDocument>();
        var inserted = 0;
        for (var i = 0; i < 10; i++)
        {
            var connection = await ConnectAsync($"Participant {i}", i % 2 == 0 ? even : odd);
            connections.Add(connection);
            documents.Add(await connection.OpenAsync(docId));
        }

        try
        {
            // Everyone types at once, at random places (never inside a surrogate pair).
            await Task.WhenAll(documents.Select((document, i) => Task.Run(async () =>
            {
                var random = new Random(i);
                string[] words = ["é", "ü", "中", "😀", "a", "b", " "];
                for (var n = 0; n < 25; n++)
                {
                    // Built from the text inside the document's own lock: no remote op can land in between.
                    var word = words[random.Next(words.Length)];
                    Interlocked.Add(ref inserted, word.Length);
                    document.Edit(text =>
                    {
                        var at = random.Next(text.Length + 1);
                        if (at > 0 && at < text.Length && char.IsLowSurrogate(text[at]))
                        {
                            at--;
                        }

                        var insert = new List<OpComponent> { OpComponent.Insert(word) };
                        if (at > 0)
                        {
                            insert.Insert(0, OpComponent.Retain(at));
                        }

                        if (text.Length > at)
                        {
                            insert.Add(OpComponent.Retain(text.Length - at));
                        }

                        return new TextOperation([.. insert]);
                    });

                    await Task.Yield();
                }
            })));

            foreach (var document in documents)
            {
                await document.WaitSyncedAsync(Patience);
            }

            var server = await ServerTextAsync(docId);
            foreach (var document in documents)
            {
                await document.WaitForRevisionAsync(server.Revision, Patience);
            }

            // Edits typed while one is in flight are sent composed, so there are at most 250 revisions; none is lost.
            Assert.InRange(server.Revision, 10, 250);
            Assert.Equal("Bonnes pratiques : ".Length + inserted, server.Text.Length);
            Assert.All(documents, d => Assert.Equal(server.Text, d.Text));
        }
        finally
        {
            foreach (var connection in connections)
            {
                await connection.DisposeAsync();
            }
        }
    }

    [Theory]
    [InlineData(CollabHubProtocol.Json)]
    [InlineData(CollabHubProtocol.MessagePack)]
    public async Task ClientThatWasAwayGetsTheOpsItMissedWithTheirAuthors(CollabHubProtocol protocol)
    {
        var docId = await NewDocumentAsync();
        var name = $"Awa (Benin, {protocol})";
        await using var writer = await ConnectAsync(name, protocol);
        var document = await writer.OpenAsync(docId);
        document.Edit(TextOperation.Of(OpComponent.Insert("Défis")));
        await document.WaitSyncedAsync(Patience);

        await using var returning = await RawConnectionAsync(protocol);
        var opened = await returning.InvokeAsync<OpenedDocument>("OpenDocument", new { docId, lastRevision = 0 });

        document.Edit(TextOperation.Of(OpComponent.Retain(5), OpComponent.Insert(" transfrontaliers")));
        await document.WaitSyncedAsync(Patience);
        var caughtUp = await returning.InvokeAsync<OpenedDocument>("OpenDocument", new { docId, lastRevision = opened.Revision });

        Assert.Null(opened.Text);
        Assert.Equal([1], opened.Ops.Select(o => o.Revision));
        Assert.Equal(name, opened.Ops[0].AuthorName);
        Assert.Equal([2], caughtUp.Ops.Select(o => o.Revision));
        Assert.Equal("Défis transfrontaliers", TextOt.Apply(TextOt.Apply("", opened.Ops[0].Op), caughtUp.Ops[0].Op));
    }

    [Theory]
    [InlineData(CollabHubProtocol.Json)]
    [InlineData(CollabHubProtocol.MessagePack)]
    public async Task ResubmittedOpIsAppliedOnceAndAnsweredWithTheOriginalAck(CollabHubProtocol protocol)
    {
        var docId = await NewDocumentAsync("ab");
        await using var connection = await RawConnectionAsync(protocol);
        await connection.InvokeAsync<OpenedDocument>("OpenDocument", new { docId, lastRevision = (int?)null });

        var first = await connection.InvokeAsync<SubmitResult>("SubmitOp", Submit(docId, 0, "c1", 1, [2, "c"]));
        var again = await connection.InvokeAsync<SubmitResult>("SubmitOp", Submit(docId, 0, "c1", 1, [2, "c"]));

        Assert.Equal(first.Revision, again.Revision);
        Assert.Equal(first.Op, again.Op);
        Assert.Equal("abc", (await ServerTextAsync(docId)).Text);
    }

    public static TheoryData<string, string> BadSubmissions => new()
    {
        { """{"baseRevision":0,"clientId":"c","clientSeq":1,"op":[2,"x"]}""", "op.base_length_mismatch" },
        { """{"baseRevision":0,"clientId":"c","clientSeq":1,"op":[0,3]}""", "op.malformed" },
        { """{"baseRevision":0,"clientId":"c","clientSeq":1,"op":{"insert":"x"}}""", "op.malformed" },
        { """{"baseRevision":0,"clientId":"c","clientSeq":1,"op":[2,"x",1]}""", "op.splits_surrogate_pair" },
        { """{"baseRevision":9,"clientId":"c","clientSeq":1,"op":[3,"x"]}""", "revision.in_future" },
    };

    [Theory]
    [MemberData(nameof(BadSubmissions))]
    public async Task BadSubmissionGetsItsCodeChangesNothingAndTheConnectionStaysUsable(string submission, string code)
    {
        foreach (var protocol in new[] { CollabHubProtocol.Json, CollabHubProtocol.MessagePack })
        {
            await BadSubmissionIsRefusedAsync(submission, code, protocol);
        }
    }

    private async Task BadSubmissionIsRefusedAsync(string submission, string code, CollabHubProtocol protocol)
    {
        var docId = await NewDocumentAsync("a😀");
        await using var connection = await RawConnectionAsync(protocol);
        var request = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(submission)!;
        request["docId"] = JsonSerializer.SerializeToElement(docId);

        var error = await Assert.ThrowsAsync<HubException>(() => connection.InvokeAsync<SubmitResult>("SubmitOp", request));

        Assert.Equal(code, HubErrors.CodeOf(error));
        var unchanged = await ServerTextAsync(docId);
        Assert.Equal(("a😀", 0), (unchanged.Text, unchanged.Revision));
        var ack = await connection.InvokeAsync<SubmitResult>("SubmitOp", Submit(docId, 0, "c", 2, [3, "!"]));
        Assert.Equal(1, ack.Revision);
    }

    [Fact]
    public async Task UnknownAndLockedDocumentsAreTypedErrors()
    {
        var docId = await NewDocumentAsync("fixed");
        await using var connection = await RawConnectionAsync();
        var workshop = await node.WorkshopAsync();
        await workshop.OkAsync<DocumentView>(workshop.Facilitator.Token, HttpMethod.Post, $"/api/documents/{docId}/lock");

        var unknown = await Assert.ThrowsAsync<HubException>(() =>
            connection.InvokeAsync<OpenedDocument>("OpenDocument", new { docId = "no-such-doc", lastRevision = (int?)null }));
        var locked = await Assert.ThrowsAsync<HubException>(() =>
            connection.InvokeAsync<SubmitResult>("SubmitOp", Submit(docId, 0, "c", 1, [5, "!"])));

        Assert.Equal("document.not_found", HubErrors.CodeOf(unknown));
        Assert.Equal("document.locked", HubErrors.CodeOf(locked));
        Assert.Equal("fixed", (await ServerTextAsync(docId)).Text);
    }

    [Theory]
    [InlineData(CollabHubProtocol.Json, CollabHubProtocol.Json)]
    [InlineData(CollabHubProtocol.Json, CollabHubProtocol.MessagePack)]
    [InlineData(CollabHubProtocol.MessagePack, CollabHubProtocol.Json)]
    [InlineData(CollabHubProtocol.MessagePack, CollabHubProtocol.MessagePack)]
    public async Task OthersSeeAnEditPushedWithItsRevisionAndAuthor(CollabHubProtocol watching, CollabHubProtocol writing)
    {
        var docId = await NewDocumentAsync();
        await using var watcher = await RawConnectionAsync(watching);
        var pushed = new TaskCompletionSource<OpsCommitted>(TaskCreationOptions.RunContinuationsAsynchronously);
        watcher.On<OpsCommitted>("OpsCommitted", committed => pushed.TrySetResult(committed));
        await watcher.InvokeAsync<OpenedDocument>("OpenDocument", new { docId, lastRevision = (int?)null });

        var name = $"Yao (Côte d'Ivoire, {watching} to {writing})";
        await using var author = await ConnectAsync(name, writing);
        var document = await author.OpenAsync(docId);
        document.Edit(TextOperation.Of(OpComponent.Insert("Leçons apprises")));

        var committed = await pushed.Task.WaitAsync(Patience);
        var op = Assert.Single(committed.Ops);
        Assert.Equal(1, op.Revision);
        Assert.Equal(name, op.AuthorName);
        Assert.Equal(TextOperation.Of(OpComponent.Insert("Leçons apprises")), op.Op);
    }

    /// <summary>
    /// The author has its op in the SubmitOp answer: a push made only of its ops skips its connection, while every other
    /// reader of the document gets it. Pushes of a document leave in revision order, so once the author has the push of
    /// the op after its own, a push of its own would have come first.
    /// </summary>
    [Theory]
    [InlineData(CollabHubProtocol.Json)]
    [InlineData(CollabHubProtocol.MessagePack)]
    public async Task AnAuthorIsNotPushedTheOpItsAnswerAlreadyCarries(CollabHubProtocol protocol)
    {
        var docId = await NewDocumentAsync("Défis : ");
        await using var author = await RawConnectionAsync(protocol);
        await using var reader = await RawConnectionAsync(protocol);
        var toAuthor = new System.Collections.Concurrent.ConcurrentQueue<int>();
        var toReader = new System.Collections.Concurrent.ConcurrentQueue<int>();
        var authorSawSecond = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var readerSawFirst = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        author.On<OpsCommitted>("OpsCommitted", committed =>
        {
            foreach (var op in committed.Ops)
            {
                toAuthor.Enqueue(op.Revision);
            }

            if (committed.Ops.Any(op => op.Revision == 2))
            {
                authorSawSecond.TrySetResult();
            }
        });
        reader.On<OpsCommitted>("OpsCommitted", committed =>
        {
            foreach (var op in committed.Ops)
            {
                toReader.Enqueue(op.Revision);
            }

            if (committed.Ops.Any(op => op.Revision == 1))
            {
                readerSawFirst.TrySetResult();
            }
        });
        await author.InvokeAsync<OpenedDocument>("OpenDocument", new { docId, lastRevision = (int?)null });
        await reader.InvokeAsync<OpenedDocument>("OpenDocument", new { docId, lastRevision = (int?)null });

        var mine = await author.InvokeAsync<SubmitResult>("SubmitOp", Submit(docId, 0, "author-1", 1, [8, "la langue"]));
        await readerSawFirst.Task.WaitAsync(Patience);
        await reader.InvokeAsync<SubmitResult>("SubmitOp", Submit(docId, 1, "reader-1", 1, [17, ", le temps"]));
        await authorSawSecond.Task.WaitAsync(Patience);

        Assert.Equal(1, mine.Revision);
        Assert.Equal(TextOperation.Of(OpComponent.Retain(8), OpComponent.Insert("la langue")), mine.Op);
        Assert.Equal([2], toAuthor);
        Assert.Contains(1, toReader);
        var fanout = node.Services.GetRequiredService<DocumentFanout>();
        Assert.Equal(2, fanout.SubmittersOf(docId));

        // Closing the document forgets the connection as a submitter: what the node keeps is bounded by who has it open.
        await author.InvokeAsync("CloseDocument", new { docId });
        await reader.InvokeAsync("CloseDocument", new { docId });
        Assert.Equal(0, fanout.SubmittersOf(docId));
    }

    [Fact]
    public async Task PresenceReachesOthersAndSelectionsMoveWithEdits()
    {
        var docId = await NewDocumentAsync("Recommandation");
        var aminaId = (await node.MemberAsync("Amina")) is var member ? member.Id : "";
        await using var amina = node.Raw(member.Token);
        await using var kofi = node.Raw((await node.MemberAsync("Kofi")).Token);
        var seenByKofi = new List<PresenceChanged>();
        var moved = new TaskCompletionSource<PresenceEntry>(TaskCreationOptions.RunContinuationsAsynchronously);
        var placed = new TaskCompletionSource<PresenceEntry>(TaskCreationOptions.RunContinuationsAsynchronously);
        kofi.On<PresenceChanged>("PresenceChanged", presence =>
        {
            if (presence.Participants.FirstOrDefault(p => p.ParticipantId == aminaId) is not { Selection: { } selection } entry)
            {
                return;
            }

            (selection.Anchor == 14 ? placed : moved).TrySetResult(entry);
        });
        await amina.StartAsync();
        await kofi.StartAsync();
        await amina.InvokeAsync<OpenedDocument>("OpenDocument", new { docId, lastRevision = (int?)null });
        await kofi.InvokeAsync<OpenedDocument>("OpenDocument", new { docId, lastRevision = (int?)null });

        // Amina's caret at the end of "Recommandation" (revision 0).
        await amina.InvokeAsync("UpdatePresence", new { docId, revision = 0, selection = new { anchor = 14, head = 14 } });
        var first = await placed.Task.WaitAsync(Patience);
        Assert.Equal("Amina", first.Name);

        // Kofi types before it: her caret must follow the text it was in.
        await kofi.InvokeAsync<SubmitResult>("SubmitOp", Submit(docId, 0, "k", 1, ["1. ", 14]));
        var after = await moved.Task.WaitAsync(Patience);
        Assert.Equal(new Selection(17, 17), after.Selection);
    }

    [Theory]
    [InlineData(CollabHubProtocol.Json)]
    [InlineData(CollabHubProtocol.MessagePack)]
    public async Task ClientThatWasDisconnectedCatchesUpAndItsOfflineEditLandsOnce(CollabHubProtocol protocol)
    {
        var docId = await NewDocumentAsync("Lessons: ");
        await using var staying = await ConnectAsync("Staying");
        await using var leaving = await ConnectAsync("Leaving", protocol);
        var a = await staying.OpenAsync(docId);
        var b = await leaving.OpenAsync(docId);

        // B loses its connection; A goes on editing; B types while offline.
        await leaving.Connection.StopAsync();
        for (var i = 0; i < 5; i++)
        {
            a.Edit(text => TextOperation.Of(OpComponent.Retain(text.Length), OpComponent.Insert($"a{i} ")));
        }

        await a.WaitSyncedAsync(Patience);
        b.Edit(text => TextOperation.Of(OpComponent.Insert("[offline] "), OpComponent.Retain(text.Length)));
        Assert.True(b.HasUnsyncedChanges);

        // Back online: B gets what it missed and its pending edit is sent (with its original sequence number).
        await leaving.Connection.StartAsync();
        await b.CatchUpAsync();
        await b.WaitSyncedAsync(Patience);

        var server = await ServerTextAsync(docId);
        await a.WaitForRevisionAsync(server.Revision, Patience);
        await b.WaitForRevisionAsync(server.Revision, Patience);
        Assert.Equal("[offline] Lessons: a0 a1 a2 a3 a4 ", server.Text);
        Assert.Equal(server.Text, a.Text);
        Assert.Equal(server.Text, b.Text);
    }

    [Fact]
    public async Task ConnectionMayHaveAtMostFiftyDocumentsOpen()
    {
        await using var connection = await RawConnectionAsync();
        var open = new List<string>();
        for (var i = 0; i < 50; i++)
        {
            open.Add(await NewDocumentAsync());
            await connection.InvokeAsync<OpenedDocument>("OpenDocument", new { docId = open[^1], lastRevision = (int?)null });
        }

        var one = await NewDocumentAsync();
        var error = await Assert.ThrowsAsync<HubException>(() =>
            connection.InvokeAsync<OpenedDocument>("OpenDocument", new { docId = one, lastRevision = (int?)null }));

        Assert.Equal("connection.too_many_documents", HubErrors.CodeOf(error));

        // Closing one makes room; the connection was usable all along.
        await connection.InvokeAsync("CloseDocument", new { docId = open[0] });
        var opened = await connection.InvokeAsync<OpenedDocument>("OpenDocument", new { docId = one, lastRevision = (int?)null });
        Assert.Equal(one, opened.DocId);
    }
}
