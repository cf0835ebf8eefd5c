using System.Text.Json;
using Collab.Client;
using Collab.Documents;
using Collab.Text;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Collab.Tests.Realtime;

/// <summary>
/// Ops whose counts overflow 32-bit sums (issue 13, item 1) and malformed ops whose content must not come back in the
/// error (item 5), sent over real SignalR connections to a real Kestrel embedded node.
/// </summary>
public sealed class OpOverflowTests(KestrelWebNode node) : IClassFixture<KestrelWebNode>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    public static TheoryData<string, string> OverflowingOps => new()
    {
        // The two ops of the issue: the first was committed as "Hello worldHello world", the second as a garbage no-op.
        { "[11,-2147483647,-2147483638,11]", "op.base_length_mismatch" },
        { "[-2147483647,-2147483647,-2,11]", "op.base_length_mismatch" },
        { "[2147483647,2147483647,13]", "op.base_length_mismatch" },
        { "[\"x\",2147483647,\"y\",2147483647,13]", "op.base_length_mismatch" },
        { "[536870912]", "op.base_length_mismatch" },
        { "[-2147483648,2147483647,12]", "op.malformed" },
        { "[11,2147483648]", "op.malformed" },
        { "[11,9007199254740993]", "op.malformed" },
        { "[1e300]", "op.malformed" },
        { "[-0,11]", "op.malformed" },
    };

    [Theory]
    [MemberData(nameof(OverflowingOps))]
    public async Task OverflowingOpIsRefusedCommitsNothingAndTheNextEditReachesOthers(string op, string code)
    {
        var docId = await NewDocumentAsync("Hello world");
        await using var watcher = await ConnectAsync("Watcher");
        var firstPush = new TaskCompletionSource<OpsCommitted>(TaskCreationOptions.RunContinuationsAsynchronously);
        watcher.On<OpsCommitted>("OpsCommitted", committed => firstPush.TrySetResult(committed));
        await watcher.InvokeAsync<OpenedDocument>("OpenDocument", new { docId, lastRevision = (int?)null });
        await using var author = await ConnectAsync("Author");
        await author.InvokeAsync<OpenedDocument>("OpenDocument", new { docId, lastRevision = (int?)null });

        var refused = await Assert.ThrowsAsync<HubException>(() => author.InvokeAsync<SubmitResult>("SubmitOp", Submit(docId, 0, 1, op)));

        Assert.Equal(code, HubErrors.CodeOf(refused));
        Assert.Equal(("Hello world", 0), await ServerTextAsync(docId));
        Assert.Empty(await ServerOpsAsync(docId));

        var ack = await author.InvokeAsync<SubmitResult>("SubmitOp", Submit(docId, 0, 2, """[11,"!"]"""));
        var pushed = await firstPush.Task.WaitAsync(Patience);

        Assert.Equal(1, ack.Revision);
        var received = Assert.Single(pushed.Ops);
        Assert.Equal((1, "Hello world!"), (received.Revision, TextOt.Apply("Hello world", received.Op)));
        Assert.Equal(("Hello world!", 1), await ServerTextAsync(docId));
    }

    [Fact]
    public async Task OverflowingOpsBasedOnAnOlderRevisionAreRefusedAndHonestConcurrentEditsStillTransform()
    {
        var docId = await NewDocumentAsync("Hello world");
        await using var author = await ConnectAsync("Concurrent author");
        await author.InvokeAsync<OpenedDocument>("OpenDocument", new { docId, lastRevision = (int?)null });
        var first = await author.InvokeAsync<SubmitResult>("SubmitOp", Submit(docId, 0, 1, """[11,"!"]"""));

        // Both are based on revision 0, so the sequencer would transform them over revision 1 before applying them.
        var wrapping = await Assert.ThrowsAsync<HubException>(() =>
            author.InvokeAsync<SubmitResult>("SubmitOp", Submit(docId, 0, 2, "[11,-2147483647,-2147483638,11]")));
        var garbage = await Assert.ThrowsAsync<HubException>(() =>
            author.InvokeAsync<SubmitResult>("SubmitOp", Submit(docId, 0, 3, "[-2147483647,-2147483647,-2,11]")));
        var concurrent = await author.InvokeAsync<SubmitResult>("SubmitOp", Submit(docId, 0, 4, """["¡",11]"""));

        Assert.Equal("op.base_length_mismatch", HubErrors.CodeOf(wrapping));
        Assert.Equal("op.base_length_mismatch", HubErrors.CodeOf(garbage));
        Assert.Equal((1, 2), (first.Revision, concurrent.Revision));
        Assert.Equal(("¡Hello world!", 2), await ServerTextAsync(docId));
        Assert.Equal(2, (await ServerOpsAsync(docId)).Count);
    }

    public static TheoryData<string, int> MalformedOpsWithContent => new()
    {
        { """[1,["SECRET"]]""", 1 },
        { """[{"x":"SECRET"},1]""", 0 },
        { """[1,{"SECRET":1}]""", 1 },
        { """[1,2,[["SECRET", 3]]]""", 2 },
        { """[1,true,"SECRET"]""", 1 },
        { "[1,[\"" + string.Concat(Enumerable.Repeat("SECRET ", 400 * 1024 / 7)) + "\"]]", 1 },
        { "{\"op\":\"" + string.Concat(Enumerable.Repeat("SECRET ", 400 * 1024 / 7)) + "\"}", -1 },
        { "\"" + string.Concat(Enumerable.Repeat("SECRET ", 400 * 1024 / 7)) + "\"", -1 },
    };

    [Theory]
    [MemberData(nameof(MalformedOpsWithContent))]
    public async Task MalformedOpErrorNamesTheComponentButNeverWhatItHeld(string op, int index)
    {
        var docId = await NewDocumentAsync("ab");
        await using var author = await ConnectAsync("Typist");
        await author.InvokeAsync<OpenedDocument>("OpenDocument", new { docId, lastRevision = (int?)null });

        var refused = await Assert.ThrowsAsync<HubException>(() => author.InvokeAsync<SubmitResult>("SubmitOp", Submit(docId, 0, 1, op)));

        Assert.Equal("op.malformed", HubErrors.CodeOf(refused));
        Assert.DoesNotContain("SECRET", refused.Message, StringComparison.OrdinalIgnoreCase);
        Assert.InRange(refused.Message.Length, 1, 400);
        if (index >= 0)
        {
            Assert.Contains($"omponent {index} ", refused.Message, StringComparison.Ordinal);
        }

        Assert.Equal(("ab", 0), await ServerTextAsync(docId));
    }

    private static Dictionary<string, object?> Submit(string docId, int baseRevision, long clientSeq, string op) => new()
    {
        ["docId"] = docId,
        ["baseRevision"] = baseRevision,
        ["clientId"] = "overflow-test",
        ["clientSeq"] = clientSeq,
        ["op"] = JsonDocument.Parse(op).RootElement,
    };

    private async Task<string> NewDocumentAsync(string text) =>
        await (await node.WorkshopAsync()).NewDocumentAsync("Overflow", text);

    private async Task<HubConnection> ConnectAsync(string name)
    {
        var connection = node.Raw((await node.MemberAsync(name)).Token);
        await connection.StartAsync();
        return connection;
    }

    private async Task<(string Text, int Revision)> ServerTextAsync(string docId)
    {
        var workshop = await node.WorkshopAsync();
        var text = await workshop.OkAsync<TextAtRevision>(workshop.Facilitator.Token, HttpMethod.Get, $"/api/documents/{docId}/text");
        return (text.Text, text.Revision);
    }

    private async Task<IReadOnlyList<JsonElement>> ServerOpsAsync(string docId)
    {
        var workshop = await node.WorkshopAsync();
        var ops = await workshop.OkAsync<JsonElement>(workshop.Facilitator.Token, HttpMethod.Get, $"/api/documents/{docId}/ops");
        return [.. ops.EnumerateArray()];
    }
}
