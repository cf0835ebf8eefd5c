using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Collab.Client;
using Collab.Documents;
using Collab.Sessions;
using Collab.Text;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Collab.Tests.Realtime;

/// <summary>
/// The hub against a hostile client: another workshop's member probing for its documents, malformed invocations of
/// every shape, oversized ids and client ids. Every refusal is a typed code, changes nothing, and the connection stays
/// usable; nothing of a workshop reaches a connection its grains have not admitted.
/// </summary>
public sealed class HostileHubTests(KestrelWebNode node) : IClassFixture<KestrelWebNode>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>Every push a client can receive, recorded as (method, JSON) on one connection.</summary>
    private static readonly string[] PushMethods =
    [
        "OpsCommitted", "PresenceChanged", "LockChanged", "SessionChanged", "Announced", "TimeUp", "HelpQueueChanged",
        "WorkshopPresenceChanged", "WorkshopPresenceDelta", "WorkshopChanged", "RecommendationChanged", "OutcomePublished", "Revoked",
    ];

    private static ConcurrentQueue<(string Method, string Json)> RecordPushes(HubConnection connection)
    {
        var pushes = new ConcurrentQueue<(string, string)>();
        foreach (var method in PushMethods)
        {
            connection.On<JsonElement>(method, body => pushes.Enqueue((method, body.GetRawText())));
        }

        return pushes;
    }

    private async Task<HubConnection> ConnectAsync(string token, CollabHubProtocol protocol = CollabHubProtocol.Json)
    {
        var connection = node.Raw(token, protocol);
        await connection.StartAsync();
        return connection;
    }

    private static async Task<string?> CodeOfAsync(Func<Task> call)
    {
        try
        {
            await call();
            return null;
        }
        catch (HubException e)
        {
            return HubErrors.CodeOf(e) ?? "(uncoded) " + e.Message;
        }
    }

    [Fact]
    public async Task AnotherWorkshopsMemberProbingItsDocumentReceivesNothingOfIt()
    {
        var ours = await node.WorkshopAsync();
        var docId = await ours.NewDocumentAsync("Défis", "");
        var theirs = await TestWorkshop.CreateAsync(() => new HttpClient { BaseAddress = node.Address });
        var prober = await theirs.JoinAsync("Mallory");

        var probes = new List<HubConnection>();
        var seen = new List<ConcurrentQueue<(string Method, string Json)>>();
        for (var i = 0; i < 3; i++)
        {
            var connection = node.Raw(prober.Token);
            seen.Add(RecordPushes(connection));
            await connection.StartAsync();
            probes.Add(connection);
        }

        await using var author = await CollabConnection.ConnectAsync(node.HubUrl, (await node.MemberAsync("Adjoa (Ghana)")).Token);
        var document = await author.OpenAsync(docId);
        try
        {
            // Three connections ask for the document over and over while its author types 60 edits.
            using var typing = new CancellationTokenSource();
            var refusals = new ConcurrentBag<string?>();
            var probing = probes.Select(probe => Task.Run(async () =>
            {
                while (!typing.IsCancellationRequested)
                {
                    refusals.Add(await CodeOfAsync(() => probe.InvokeAsync<OpenedDocument>("OpenDocument", new { docId, lastRevision = (int?)null })));
                    refusals.Add(await CodeOfAsync(() => probe.InvokeAsync("UpdatePresence", new { docId, revision = 0, selection = new { anchor = 0, head = 0 } })));
                }
            })).ToList();
            for (var i = 0; i < 60; i++)
            {
                document.Edit(text => text.Length == 0
                    ? TextOperation.Of(OpComponent.Insert($"secret-{i} "))
                    : TextOperation.Of(OpComponent.Retain(text.Length), OpComponent.Insert($"secret-{i} ")));
                await document.WaitSyncedAsync(Patience);
            }

            await typing.CancelAsync();
            await Task.WhenAll(probing);

            // Everything pushed to a probe before now arrives before the answer to a call made now (whatever it answers).
            foreach (var probe in probes)
            {
                await CodeOfAsync(() => probe.InvokeAsync<JsonElement>("EnterWorkshop"));
            }

            var leaked = seen.SelectMany(pushes => pushes)
                .Where(p => p.Json.Contains(docId, StringComparison.Ordinal) || p.Json.Contains("secret-", StringComparison.Ordinal)
                    || p.Json.Contains(ours.Id, StringComparison.Ordinal))
                .ToList();
            Assert.True(leaked.Count == 0, $"{leaked.Count} pushes of another workshop reached the prober, e.g. {leaked.FirstOrDefault()}");
            Assert.NotEmpty(refusals);
            Assert.All(refusals, code => Assert.True(code is "document.not_found" or "document.not_open" or "rate.limited", code));
        }
        finally
        {
            foreach (var probe in probes)
            {
                await probe.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task PresenceIsRefusedForADocumentTheConnectionHasNotOpened()
    {
        var workshop = await node.WorkshopAsync();
        var docId = await workshop.NewDocumentAsync("Notes", "abc");
        await using var connection = await ConnectAsync((await node.MemberAsync("Caret")).Token);

        Assert.Equal("document.not_open", await CodeOfAsync(() =>
            connection.InvokeAsync("UpdatePresence", new { docId, revision = 0, selection = new { anchor = 1, head = 1 } })));

        await connection.InvokeAsync<OpenedDocument>("OpenDocument", new { docId, lastRevision = (int?)null });
        await connection.InvokeAsync("UpdatePresence", new { docId, revision = 0, selection = new { anchor = 1, head = 1 } });
    }

    [Fact]
    public async Task APositionPastTheEndOfTheTextIsPushedAtTheEnd()
    {
        var workshop = await node.WorkshopAsync();
        var docId = await workshop.NewDocumentAsync("Notes", "abc");
        var member = await node.MemberAsync("Far caret");
        await using var mover = await ConnectAsync(member.Token);
        await using var watcher = node.Raw((await node.MemberAsync("Watcher")).Token);
        var placed = new TaskCompletionSource<PresenceEntry>(TaskCreationOptions.RunContinuationsAsynchronously);
        watcher.On<PresenceChanged>("PresenceChanged", presence =>
        {
            if (presence.Participants.FirstOrDefault(p => p.ParticipantId == member.Id) is { Selection: not null } entry)
            {
                placed.TrySetResult(entry);
            }
        });
        await watcher.StartAsync();
        await watcher.InvokeAsync<OpenedDocument>("OpenDocument", new { docId, lastRevision = (int?)null });
        await mover.InvokeAsync<OpenedDocument>("OpenDocument", new { docId, lastRevision = (int?)null });

        await mover.InvokeAsync("UpdatePresence", new { docId, revision = 0, selection = new { anchor = 2_000_000_000, head = 1 } });

        Assert.Equal(new Selection(3, 1), (await placed.Task.WaitAsync(Patience)).Selection);
    }

    public static TheoryData<string, string, string> MalformedInvocations() => new()
    {
        // method, arguments (a JSON array), the code expected
        { "SubmitOp", """[{"docId":"DOC","baseRevision":2147483648,"clientId":"c","clientSeq":1,"op":["x"]}]""", "request.malformed" },
        { "SubmitOp", """[{"docId":"DOC","baseRevision":9007199254740993,"clientId":"c","clientSeq":1,"op":["x"]}]""", "request.malformed" },
        { "SubmitOp", """[{"docId":"DOC","baseRevision":"0","clientId":"c","clientSeq":1,"op":["x"]}]""", "request.malformed" },
        { "SubmitOp", """[{"docId":"DOC","baseRevision":0.5,"clientId":"c","clientSeq":1,"op":["x"]}]""", "request.malformed" },
        { "SubmitOp", """[{"docId":"DOC","baseRevision":-1,"clientId":"c","clientSeq":1,"op":["x"]}]""", "request.malformed" },
        { "SubmitOp", """[{"docId":"DOC","baseRevision":0,"clientId":"c","clientSeq":9223372036854775808,"op":["x"]}]""", "request.malformed" },
        { "SubmitOp", """[{"docId":"DOC","baseRevision":0,"clientId":"c","clientSeq":0,"op":["x"]}]""", "op.client_seq_invalid" },
        { "SubmitOp", """[{"docId":"DOC","baseRevision":0,"clientId":"c","clientSeq":1,"op":["x"],"clientTime":"yesterday"}]""", "request.malformed" },
        { "SubmitOp", """[{"docId":null,"baseRevision":0,"clientId":"c","clientSeq":1,"op":["x"]}]""", "request.malformed" },
        { "SubmitOp", """[{"baseRevision":0,"clientId":"c","clientSeq":1,"op":["x"]}]""", "request.malformed" },
        { "SubmitOp", """[{"docId":"","baseRevision":0,"clientId":"c","clientSeq":1,"op":["x"]}]""", "request.malformed" },
        { "SubmitOp", """[{"docId":42,"baseRevision":0,"clientId":"c","clientSeq":1,"op":["x"]}]""", "request.malformed" },
        { "SubmitOp", """[{"docId":"DOC","baseRevision":0,"clientId":null,"clientSeq":1,"op":["x"]}]""", "request.malformed" },
        { "SubmitOp", """[{"docId":"DOC","baseRevision":0,"clientId":"","clientSeq":1,"op":["x"]}]""", "op.client_id_invalid" },
        { "SubmitOp", """[{"docId":"DOC","baseRevision":0,"clientId":"c\n","clientSeq":1,"op":["x"]}]""", "op.client_id_invalid" },
        { "SubmitOp", """[{"docId":"DOC","baseRevision":0,"clientId":"c","clientSeq":1}]""", "op.malformed" },
        { "SubmitOp", """[{"docId":"DOC","baseRevision":0,"clientId":"c","clientSeq":1,"op":{"insert":"x"}}]""", "op.malformed" },
        { "SubmitOp", """[42]""", "request.malformed" },
        { "SubmitOp", """["SubmitOp"]""", "request.malformed" },
        { "SubmitOp", """[[1,2,3]]""", "request.malformed" },
        { "SubmitOp", """[null]""", "request.malformed" },
        { "SubmitOp", """[]""", "request.malformed" },
        { "SubmitOp", """[{"docId":"DOC","baseRevision":0,"clientId":"c","clientSeq":1,"op":["x"]},{"docId":"DOC"}]""", "request.malformed" },
        { "OpenDocument", """[{"docId":"DOC","lastRevision":2147483648}]""", "request.malformed" },
        { "OpenDocument", """[{"docId":"DOC","lastRevision":"latest"}]""", "request.malformed" },
        { "OpenDocument", """[{"docId":"DOC/../x","lastRevision":null}]""", "request.malformed" },
        { "OpenDocument", """[true]""", "request.malformed" },
        { "CloseDocument", """[{"docId":["DOC"]}]""", "request.malformed" },
        { "UpdatePresence", """[{"docId":"DOC","revision":0,"selection":"everything"}]""", "request.malformed" },
        { "UpdatePresence", """[{"docId":"DOC","revision":0,"selection":[1,2]}]""", "request.malformed" },
        { "UpdatePresence", """[{"docId":"DOC","revision":0,"selection":{"anchor":"a","head":1}}]""", "request.malformed" },
        { "UpdatePresence", """[{"docId":"DOC","revision":0,"selection":{"anchor":-1,"head":1}}]""", "request.malformed" },
        { "UpdatePresence", """[{"docId":"DOC","revision":2147483648,"selection":null}]""", "request.malformed" },
        { "WatchSession", """[{"sessionId":null}]""", "request.malformed" },
        { "WatchSession", """[{"sessionId":17}]""", "request.malformed" },
        { "WatchSession", """[{}]""", "request.malformed" },
        { "UnwatchSession", """[7]""", "request.malformed" },
    };

    [Theory]
    [MemberData(nameof(MalformedInvocations))]
    public Task MalformedInvocationGetsATypedCodeChangesNothingAndTheConnectionStaysUsable(string method, string arguments, string code) =>
        MalformedInvocationIsRefusedAsync(method, arguments, code, CollabHubProtocol.Json);

    /// <summary>The same invocations, sent as MessagePack (each JSON value as its MessagePack counterpart): the same codes.</summary>
    [Theory]
    [MemberData(nameof(MalformedInvocations))]
    public Task MalformedInvocationOverMessagePackGetsTheSameCodeAndTheConnectionStaysUsable(string method, string arguments, string code) =>
        MalformedInvocationIsRefusedAsync(method, arguments, code, CollabHubProtocol.MessagePack);

    private async Task MalformedInvocationIsRefusedAsync(string method, string arguments, string code, CollabHubProtocol protocol)
    {
        var workshop = await node.WorkshopAsync();
        var docId = await workshop.NewDocumentAsync("Lessons", "fixed");
        await using var connection = await ConnectAsync((await node.MemberAsync("Fuzzer")).Token, protocol);
        await connection.InvokeAsync<OpenedDocument>("OpenDocument", new { docId, lastRevision = (int?)null });
        var args = JsonNode.Parse(arguments.Replace("DOC", docId, StringComparison.Ordinal))!.AsArray().Select(a => (object?)a).ToArray();

        var refused = await CodeOfAsync(() => connection.InvokeCoreAsync(method, typeof(JsonElement), args));

        Assert.Equal(code, refused);
        var server = await workshop.OkAsync<TextAtRevision>(workshop.Facilitator.Token, HttpMethod.Get, $"/api/documents/{docId}/text");
        Assert.Equal(("fixed", 0), (server.Text, server.Revision));
        var ack = await connection.InvokeAsync<SubmitResult>("SubmitOp", new { docId, baseRevision = 0, clientId = "honest", clientSeq = 1, op = new object[] { 5, "!" } });
        Assert.Equal(1, ack.Revision);
    }

    [Fact]
    public async Task LongClientIdsAndIdsAreRefusedBeforeAnythingIsStoredOrPushed()
    {
        var workshop = await node.WorkshopAsync();
        var docId = await workshop.NewDocumentAsync("Amplified", "");
        await using var connection = await ConnectAsync((await node.MemberAsync("Amplifier")).Token);
        await connection.InvokeAsync<OpenedDocument>("OpenDocument", new { docId, lastRevision = (int?)null });

        var huge = new string('c', 400_000);
        Assert.Equal("op.client_id_invalid", await CodeOfAsync(() =>
            connection.InvokeAsync<SubmitResult>("SubmitOp", new { docId, baseRevision = 0, clientId = huge, clientSeq = 1, op = new object[] { "x" } })));
        Assert.Equal("op.client_id_invalid", await CodeOfAsync(() =>
            connection.InvokeAsync<SubmitResult>("SubmitOp", new { docId, baseRevision = 0, clientId = new string('c', 65), clientSeq = 1, op = new object[] { "x" } })));
        Assert.Equal("request.malformed", await CodeOfAsync(() =>
            connection.InvokeAsync<OpenedDocument>("OpenDocument", new { docId = new string('d', 201), lastRevision = (int?)null })));
        Assert.Equal("request.malformed", await CodeOfAsync(() =>
            connection.InvokeAsync<SessionView>("WatchSession", new { sessionId = new string('s', 400_000) })));

        // A UUID is a client id; nothing of the refused ones was stored.
        var ack = await connection.InvokeAsync<SubmitResult>("SubmitOp", new { docId, baseRevision = 0, clientId = Guid.NewGuid().ToString(), clientSeq = 1, op = new object[] { "x" } });
        Assert.Equal(1, ack.Revision);
        var history = await workshop.OkAsync<JsonElement>(workshop.Facilitator.Token, HttpMethod.Get, $"/api/documents/{docId}/ops?after=0");
        Assert.Equal(1, history.GetArrayLength());
    }

    [Fact]
    public async Task EveryMethodThatReachesAGrainIsUnderTheConnectionsBudget()
    {
        await using var connection = await ConnectAsync((await node.MemberAsync("Flooder")).Token);
        var workshopId = (await node.WorkshopAsync()).Id;

        // The default budget lets a page open a room's documents at once (a burst of 100), not thousands of ids.
        var codes = new List<string?>();
        for (var i = 0; i < 300; i++)
        {
            codes.Add(await CodeOfAsync(() => connection.InvokeAsync<OpenedDocument>("OpenDocument", new { docId = $"{workshopId}.no-such-{i}", lastRevision = (int?)null })));
        }

        Assert.All(codes, code => Assert.True(code is "document.not_found" or "rate.limited", code));
        Assert.InRange(codes.Count(c => c == "document.not_found"), 100, 200);
    }

    [Fact]
    public async Task AParticipantMayHoldABoundedNumberOfConnectionsOnANode()
    {
        var member = await node.MemberAsync("Many tabs");
        var connections = new List<HubConnection>();
        try
        {
            for (var i = 0; i < 20; i++)
            {
                connections.Add(await ConnectAsync(member.Token));
            }

            using var http = new HttpClient { BaseAddress = node.Address };
            using var request = new HttpRequestMessage(HttpMethod.Post, "/hubs/collab/negotiate?negotiateVersion=1");
            request.Headers.Authorization = new("Bearer", member.Token);
            using var refused = await http.SendAsync(request);
            var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(429, (int)refused.StatusCode);
            Assert.Equal("connection.too_many", problem.GetProperty("code").GetString());

            // Another participant is not affected.
            connections.Add(await ConnectAsync((await node.MemberAsync("One tab")).Token));
        }
        finally
        {
            foreach (var connection in connections)
            {
                await connection.DisposeAsync();
            }
        }
    }
}
