using System.Net.Http.Json;
using Collab.Client;
using Collab.Documents;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Collab.Tests.Realtime;

/// <summary>An embedded node whose connections may submit 5 ops at once and 1 per second after that.</summary>
public sealed class TightBudgetWebNode : KestrelWebNode
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Collab:Realtime:OpsBurst", "5");
        builder.UseSetting("Collab:Realtime:OpsPerSecond", "1");
    }
}

/// <summary>The op budget is per connection (never per IP address), and a refused op changes nothing.</summary>
public sealed class RateLimitTests(TightBudgetWebNode node) : IClassFixture<TightBudgetWebNode>
{
    [Fact]
    public async Task ConnectionOverItsOpBudgetIsRateLimitedAndOnlyAcceptedOpsCount()
    {
        var workshop = await node.WorkshopAsync();
        var docId = await workshop.NewDocumentAsync("Budget");

        // The same participant on two devices: two connections, two budgets.
        var participant = await node.MemberAsync("Delegate");
        await using var first = node.Raw(participant.Token);
        await using var second = node.Raw(participant.Token);
        await first.StartAsync();
        await second.StartAsync();

        async Task<string?> SubmitAsync(HubConnection connection, string clientId, int seq)
        {
            try
            {
                await connection.InvokeAsync<SubmitResult>("SubmitOp", new { docId, baseRevision = 0, clientId, clientSeq = seq, op = new object[] { "x" } });
                return "ok";
            }
            catch (HubException e)
            {
                return HubErrors.CodeOf(e);
            }
        }

        var outcomes = new List<string?>();
        for (var seq = 1; seq <= 12; seq++)
        {
            outcomes.Add(await SubmitAsync(first, "first", seq));
        }

        // The burst of 5 (and at most a refill or two) goes through; the rest is refused with the code, not dropped silently.
        Assert.InRange(outcomes.Count(o => o == "ok"), 5, 8);
        Assert.All(outcomes, o => Assert.True(o is "ok" or "rate.limited", o));

        // Another connection from the same address has its own budget.
        Assert.Equal("ok", await SubmitAsync(second, "second", 1));

        var text = await workshop.OkAsync<TextAtRevision>(workshop.Facilitator.Token, HttpMethod.Get, $"/api/documents/{docId}/text");
        Assert.Equal(outcomes.Count(o => o == "ok") + 1, text!.Text.Length);
    }
}
