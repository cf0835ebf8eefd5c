using System.Net.Http.Json;
using Collab.Documents;
using Collab.Sessions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Collab.Tests.Realtime;

/// <summary>An embedded node whose connections may call as fast as they like (to flood it with ids on purpose).</summary>
public sealed class UnmeteredWebNode : KestrelWebNode
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Collab:Realtime:CallsPerSecond", "1000000");
        builder.UseSetting("Collab:Realtime:CallsBurst", "1000000");
        builder.UseSetting("Collab:Realtime:OpsPerSecond", "1000000");
        builder.UseSetting("Collab:Realtime:OpsBurst", "1000000");
        builder.UseSetting("Collab:Auth:JoinsPerSecond", "100000");
    }
}

/// <summary>Ids that name nothing leave nothing behind: no activation, however many a client sends.</summary>
public sealed class RefusedIdsTests(UnmeteredWebNode node) : IClassFixture<UnmeteredWebNode>
{
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task TenThousandRefusedOpensLeaveFewerThanAHundredDocumentGrains()
    {
        var before = await node.ActivationsAsync("DocumentGrain");
        var member = await node.MemberAsync("Scanner");
        var workshopId = (await node.WorkshopAsync()).Id;
        var connections = new List<HubConnection>();
        for (var i = 0; i < 4; i++)
        {
            var connection = node.Raw(member.Token);
            await connection.StartAsync();
            connections.Add(connection);
        }

        try
        {
            var refused = 0;
            await Task.WhenAll(connections.Select((connection, c) => Task.Run(async () =>
            {
                for (var i = 0; i < 2_500; i++)
                {
                    var error = await Assert.ThrowsAsync<HubException>(() =>
                        connection.InvokeAsync<OpenedDocument>("OpenDocument", new { docId = $"{workshopId}.scan-{c}-{i}-{Guid.NewGuid():N}", lastRevision = (int?)null }));
                    Assert.Equal("document.not_found", Collab.Client.HubErrors.CodeOf(error));
                    Interlocked.Increment(ref refused);
                }
            })));
            Assert.Equal(10_000, refused);

            var left = await node.ActivationsSettleBelowAsync("DocumentGrain", before + 100, Quiet);
            Assert.True(left < before + 100, $"{left - before} document grains are still active after 10,000 refused opens.");
        }
        finally
        {
            foreach (var connection in connections)
            {
                await connection.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task RefusedSessionsAndJoinCodesLeaveNoGrainsActive()
    {
        var sessionsBefore = await node.ActivationsAsync("SessionGrain");
        var claimsBefore = await node.ActivationsAsync("KeyClaimGrain");
        await using var connection = node.Raw((await node.MemberAsync("Session scanner")).Token);
        await connection.StartAsync();
        for (var i = 0; i < 300; i++)
        {
            var error = await Assert.ThrowsAsync<HubException>(() =>
                connection.InvokeAsync<SessionView>("WatchSession", new { sessionId = $"no-such-session-{i}" }));
            Assert.Equal("session.not_found", Collab.Client.HubErrors.CodeOf(error));
        }

        using var http = new HttpClient { BaseAddress = node.Address };
        for (var i = 0; i < 300; i++)
        {
            using var response = await http.PostAsJsonAsync("/api/join", new { code = $"NOPE{i:D4}XYZ", displayName = "Guess" });
            Assert.Equal(401, (int)response.StatusCode);
        }

        Assert.True(await node.ActivationsSettleBelowAsync("SessionGrain", sessionsBefore + 10, Quiet) < sessionsBefore + 10, "Refused sessions stayed active.");
        Assert.True(await node.ActivationsSettleBelowAsync("KeyClaimGrain", claimsBefore + 10, Quiet) < claimsBefore + 10, "Unknown join codes stayed active.");
    }
}

/// <summary>A document's history is read in bounded pages, however long it is.</summary>
public sealed class HistoryPagingTests(UnmeteredWebNode node) : IClassFixture<UnmeteredWebNode>
{
    [Fact]
    public async Task HistoryIsAnsweredAThousandOpsAtATime()
    {
        var workshop = await node.WorkshopAsync();
        var docId = await workshop.NewDocumentAsync("Long history", "");
        await using var connection = node.Raw((await node.MemberAsync("Typist")).Token);
        await connection.StartAsync();
        for (var seq = 1; seq <= 1_005; seq++)
        {
            object[] op = seq == 1 ? ["x"] : [seq - 1, "x"];
            await connection.InvokeAsync<SubmitResult>("SubmitOp", new { docId, baseRevision = seq - 1, clientId = "typist", clientSeq = seq, op });
        }

        var first = await workshop.OkAsync<System.Text.Json.JsonElement>(workshop.Facilitator.Token, HttpMethod.Get, $"/api/documents/{docId}/ops?after=0");
        var rest = await workshop.OkAsync<System.Text.Json.JsonElement>(workshop.Facilitator.Token, HttpMethod.Get, $"/api/documents/{docId}/ops?after=1000");
        var edge = await workshop.OkAsync<System.Text.Json.JsonElement>(workshop.Facilitator.Token, HttpMethod.Get, $"/api/documents/{docId}/ops?after={int.MaxValue}");

        Assert.Equal(1_000, first.GetArrayLength());
        Assert.Equal(1_000, first[999].GetProperty("revision").GetInt32());
        Assert.Equal([1_001, 1_002, 1_003, 1_004, 1_005], rest.EnumerateArray().Select(o => o.GetProperty("revision").GetInt32()));
        Assert.Equal(0, edge.GetArrayLength());
    }
}
