using System.Net;
using System.Text.Json;
using Collab.Tests.Web;
using Collab.Web.Realtime;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace Collab.Tests.Realtime;

/// <summary>
/// A node runs its hub once before it reports ready (<see cref="HubWarmUp"/>): every call of the warm-up goes through
/// SignalR's connection handler, the hub's filters and the grains, in every hub protocol, and is refused with its
/// typed code, since the warm-up caller belongs to no workshop. Nothing of it stays behind.
/// </summary>
public sealed class HubWarmUpTests(ProductionWebNode node) : IClassFixture<ProductionWebNode>
{
    /// <summary>What each call of the warm-up must be answered: the refusals of the hub's filter and the grains.</summary>
    internal static readonly string[] Expected =
    [
        "json: workshop.not_found, document.not_found, document.not_found, document.not_open",
        "messagepack: workshop.not_found, document.not_found, document.not_found, document.not_open",
    ];

    [Fact]
    public async Task TheNodeIsReadyOnceEveryProtocolWentThroughTheHubAndWasRefused()
    {
        using var http = new HttpClient { BaseAddress = node.Address };
        var ready = await ReadyAsync(http);

        Assert.Equal("Healthy", ready.GetProperty("checks").GetProperty("warm-up").GetProperty("status").GetString());
        Assert.Equal(Expected, node.Services.GetRequiredService<HubWarmUp>().Answers);
    }

    [Fact]
    public async Task TheNodeSaysItIsReadyOnlyAfterTheWarmUp()
    {
        var texts = (await LoggedAsync(node.Logs, "is ready at")).Select(e => e.Text).ToList();
        var warmedUp = texts.FindIndex(t => t.Contains("Warmed up the hub", StringComparison.Ordinal));
        var banner = texts.FindIndex(t => t.Contains("is ready at", StringComparison.Ordinal));
        Assert.True(warmedUp >= 0 && warmedUp < banner, "the warm-up's line comes before \"is ready at\":\n" + string.Join("\n", texts));
    }

    /// <summary>The captured entries once one contains <paramref name="text"/> (bounded).</summary>
    internal static async Task<IReadOnlyList<(string Category, Microsoft.Extensions.Logging.LogLevel Level, string Text)>> LoggedAsync(
        Collab.Tests.Operations.CapturedLogs logs, string text)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        while (true)
        {
            var entries = logs.Entries;
            if (entries.Any(e => e.Text.Contains(text, StringComparison.Ordinal)))
            {
                return entries;
            }

            Assert.True(DateTime.UtcNow < deadline, $"Nothing logged \"{text}\" within 60 s.");
            await tick.WaitForNextTickAsync();
        }
    }

    [Fact]
    public async Task TheWarmUpLeavesNoDocumentNoWorkshopAndNoPresenceBehind()
    {
        using var http = new HttpClient { BaseAddress = node.Address };
        await ReadyAsync(http);

        // Refused ids deactivate just after the call that named them. Nobody else has used this node yet, so no grain of
        // these classes may be left.
        foreach (var grainClass in Touched)
        {
            Assert.Equal(0, await node.ActivationsSettleBelowAsync(grainClass, 1, TimeSpan.FromSeconds(15)));
        }

        // The same count sees a workshop's grains once someone is in it.
        var member = await node.MemberAsync("Control");
        await using var connection = node.Raw(member.Token);
        await connection.StartAsync();
        await connection.InvokeAsync<JsonElement>("EnterWorkshop");
        Assert.True(await node.ActivationsAsync("WorkshopGrain") >= 1, "the workshop's grain is counted");
    }

    [Fact]
    public async Task ReadinessWaitsForTheWarmUpToRun()
    {
        _ = node.Address; // started
        using var lifetime = new StartedOnDemand();
        var warmUp = new HubWarmUp(
            node.Services.GetRequiredService<HubConnectionHandler<CollabHub>>(),
            node.Services.GetRequiredService<IHubProtocolResolver>(),
            node.Services.GetRequiredService<Collab.Web.Identity.TokenIssuer>(),
            node.Services.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<Microsoft.AspNetCore.Authentication.JwtBearer.JwtBearerOptions>>(),
            lifetime,
            NullLogger<HubWarmUp>.Instance);
        await warmUp.StartAsync(CancellationToken.None);
        try
        {
            Assert.False(warmUp.State.Open);
            Assert.Empty(warmUp.Answers);

            lifetime.Start();
            var deadline = DateTime.UtcNow + HubWarmUp.Budget;
            using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
            while (!warmUp.State.Open && DateTime.UtcNow < deadline)
            {
                await tick.WaitForNextTickAsync();
            }

            Assert.True(warmUp.State.Open);
            Assert.Equal(Expected, warmUp.Answers);
        }
        finally
        {
            await warmUp.StopAsync(CancellationToken.None);
        }
    }

    /// <summary>Polls <c>/health/ready</c> (bounded) until it answers 200; its body.</summary>
    internal static async Task<JsonElement> ReadyAsync(HttpClient http)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        while (true)
        {
            using var response = await http.GetAsync(new Uri("/health/ready", UriKind.Relative));
            var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
            if (response.StatusCode == HttpStatusCode.OK || DateTime.UtcNow > deadline)
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                return body;
            }

            await tick.WaitForNextTickAsync();
        }
    }

    /// <summary>The grain classes the warm-up's calls reach.</summary>
    private static readonly string[] Touched = ["DocumentGrain", "WorkshopGrain", "PresenceGrain", "SessionGrain"];

    /// <summary>A host lifetime whose start the test announces.</summary>
    private sealed class StartedOnDemand : IHostApplicationLifetime, IDisposable
    {
        private readonly CancellationTokenSource _started = new();

        public CancellationToken ApplicationStarted => _started.Token;

        public CancellationToken ApplicationStopping => CancellationToken.None;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void Start() => _started.Cancel();

        public void StopApplication()
        {
        }

        public void Dispose() => _started.Dispose();
    }
}

/// <summary>With SignalR's detailed errors (Development), the warm-up reads the same codes behind SignalR's prefix.</summary>
public sealed class HubWarmUpDevelopmentTests(DevelopmentWebNode node) : IClassFixture<DevelopmentWebNode>
{
    [Fact]
    public async Task TheWarmUpReadsTheSameRefusalsWithDetailedErrors()
    {
        using var http = new HttpClient { BaseAddress = node.Address };
        await HubWarmUpTests.ReadyAsync(http);

        Assert.Equal(HubWarmUpTests.Expected, node.Services.GetRequiredService<HubWarmUp>().Answers);
    }

    [Fact]
    public async Task NoWorkshopCanBeTheWarmUpCallers()
    {
        // The hub takes nothing for the warm-up's connection because its workshop cannot exist: created workshops get
        // 12 letters and digits, and the warm-up's id has a hyphen.
        var created = (await node.WorkshopAsync()).Id;
        Assert.Matches("^[a-z2-9]{12}$", created);
        Assert.DoesNotMatch("^[a-z2-9]{12}$", HubWarmUp.WorkshopId);
    }
}

/// <summary>A node with one more start-up step than usual, which the test says when it is done.</summary>
public sealed class GatedWebNode : ProductionWebNode
{
    public TestGate Gate { get; } = new();

    protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services => services.AddSingleton<Collab.Hosting.Health.IReadinessGate>(Gate));
    }

    public sealed class TestGate : Collab.Hosting.Health.IReadinessGate
    {
        private readonly TaskCompletionSource _opened = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private volatile bool _open;

        public bool Open
        {
            get => _open;
            set
            {
                _open = value;
                if (value)
                {
                    _opened.TrySetResult();
                }
            }
        }

        /// <summary>Completed the first time a probe finds the step not done.</summary>
        public TaskCompletionSource ProbedWhileClosed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Name => "test-step";

        public Task WhenOpen => _opened.Task;

        public (bool Open, string Description) State
        {
            get
            {
                var open = Open;
                if (!open)
                {
                    ProbedWhileClosed.TrySetResult();
                }

                return (open, open ? "done" : "still starting");
            }
        }
    }
}

/// <summary>
/// <c>/health/ready</c> names a start-up step that is not done as not ready, beside the checks, and logs nothing for it:
/// ASP.NET Core logs an unhealthy check at Error on every probe, and a node that is starting is not failing.
/// </summary>
public sealed class ReadinessGateTests(GatedWebNode node) : IClassFixture<GatedWebNode>
{
    [Fact]
    public async Task AStepNotDoneKeepsTheNodeUnreadyWithoutAnErrorLine()
    {
        using var http = new HttpClient { BaseAddress = node.Address };
        for (var probe = 0; probe < 3; probe++)
        {
            using var response = await http.GetAsync(new Uri("/health/ready", UriKind.Relative));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Contains("no-store", response.Headers.CacheControl?.ToString() ?? "", StringComparison.Ordinal);
            var checks = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("checks");
            Assert.Equal("Unhealthy", checks.GetProperty("test-step").GetProperty("status").GetString());
            Assert.Equal("still starting", checks.GetProperty("test-step").GetProperty("description").GetString());
            Assert.Equal("Healthy", checks.GetProperty("storage").GetProperty("status").GetString());
        }

        // Announced ready only once every step is done.
        Assert.DoesNotContain(node.Logs.Entries, e => e.Text.Contains("is ready at", StringComparison.Ordinal));
        node.Gate.Open = true;
        await HubWarmUpTests.LoggedAsync(node.Logs, "is ready at");
        var ready = await HubWarmUpTests.ReadyAsync(http);
        Assert.Equal("Healthy", ready.GetProperty("status").GetString());
        Assert.Equal("done", ready.GetProperty("checks").GetProperty("test-step").GetProperty("description").GetString());
        Assert.DoesNotContain(node.Logs.Entries, e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Warning && e.Text.Contains("test-step", StringComparison.Ordinal));
        Assert.DoesNotContain(node.Logs.Entries, e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Error);
    }
}
