using Collab.Bench;

namespace Collab.Tests.Realtime;

/// <summary>
/// The bench's lean client (<c>bench/Collab.Bench/LeanClient.cs</c>) is a third-party client written from
/// docs/protocol.md alone: the JSON hub protocol by hand, its own OT state, its own op acknowledged by the answer or by
/// a push, whichever comes first, and pushes or answers ahead of a gap held until it fills. Typing fast beside others on
/// a real node, every such client must end with exactly the server's text, and the server must hold every keystroke
/// once. That holds the protocol document to what the server does, and keeps the instrument behind
/// docs/performance.md honest. The bench's library client (Collab's .NET client) runs the same check.
/// </summary>
public sealed class HandWrittenClientTests(KestrelWebNode node) : IClassFixture<KestrelWebNode>
{
    [Theory]
    [InlineData("lean")]
    [InlineData("library")]
    public async Task ClientsTypingAtOnceEndWithTheServersTextAndEveryKeystrokeOnce(string client)
    {
        var options = new BenchOptions
        {
            BaseUrl = node.Address,
            Docs = 2,
            Clients = 4,
            Rate = 20, // ops/s each: ops cross in flight, so remote ops are transformed through pending ones
            Warmup = 1,
            Seconds = 3,
            Seed = 7,
            Client = client,
        };

        var report = await new BenchRunner(options, TextWriter.Null).RunAsync(CancellationToken.None);

        var summary = new StringWriter();
        report.Print(summary);
        Assert.True(report.Failure is null, summary.ToString());
        Assert.True(report.Converged, summary.ToString());
        Assert.All(report.Checks!, check => Assert.True(check.Complete, summary.ToString()));
        Assert.All(report.Checks!, check => Assert.True(check.ServerRevision > 20, summary.ToString()));
        Assert.True(report.P99Ms > 0, "no remote op was timed at any peer:\n" + summary);
    }
}

/// <summary>
/// The bench against a server that has just started (README, "Health": 503 until ready) waits for it, as a load balancer
/// would, instead of failing at the first probe: a node's hub warm-up takes a few hundred milliseconds after it listens.
/// </summary>
public sealed class BenchWaitsForReadinessTests(GatedWebNode node) : IClassFixture<GatedWebNode>
{
    [Fact]
    public async Task TheBenchStartsOnceAStartingServerIsReady()
    {
        var options = new BenchOptions { BaseUrl = node.Address, Docs = 1, Clients = 2, Rate = 5, Warmup = 0.5, Seconds = 1, Seed = 3 };
        var run = new BenchRunner(options, TextWriter.Null).RunAsync(CancellationToken.None);

        await node.Gate.ProbedWhileClosed.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.False(run.IsCompleted, "the bench gave up on a server that answered 503 while starting");
        node.Gate.Open = true;

        var report = await run.WaitAsync(TimeSpan.FromSeconds(90));
        var summary = new StringWriter();
        report.Print(summary);
        Assert.True(report.Failure is null, summary.ToString());
        Assert.True(report.Converged, summary.ToString());
    }
}
