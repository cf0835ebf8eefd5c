using System.Net;
using System.Net.Http.Headers;
using Collab.Workshops;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Collab.Tests.Web;

/// <summary>
/// The Production node whose grain calls go through <see cref="Faults"/>: a real Orleans outgoing call filter that makes
/// chosen calls fail as the cluster fails them during an outage, before they leave the web node.
/// </summary>
public sealed class FaultyClusterWebNode : ProductionWebNode
{
    public GrainCallFaults Faults { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services => services.AddSingleton<IOutgoingGrainCallFilter>(Faults));
    }
}

/// <summary>
/// When the cluster cannot answer (a silo restarting, storage down), every HTTP path answers 503 <c>server.unavailable</c>
/// with <c>Retry-After</c>, never a 500 without a code; a fault of our own is a 500 that still carries a code.
/// </summary>
public sealed class ClusterFaultTests(FaultyClusterWebNode node) : IClassFixture<FaultyClusterWebNode>
{
    private async Task<HttpResponseMessage> GetAsync(string path, string token)
    {
        using var http = new HttpClient { BaseAddress = node.Address };
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await http.SendAsync(request);
    }

    /// <summary>How an outage reaches the web node: a dead silo, a response that never came, a grain whose storage is down.</summary>
    public static TheoryData<string> Outages => ["silo unavailable", "timeout", "storage unavailable"];

    private static Exception Outage(string kind) => kind switch
    {
        "silo unavailable" => new SiloUnavailableException(),
        "timeout" => new TimeoutException("Response did not arrive on time"),
        _ => new Collab.Errors.UnavailableException("server.unavailable", "The workshop's storage could not be reached."),
    };

    [Theory]
    [MemberData(nameof(Outages))]
    public async Task SignInCheckThatCannotReachTheWorkshopIsServerUnavailable(string outage)
    {
        var workshop = await TestWorkshop.CreateAsync(() => new HttpClient { BaseAddress = node.Address });
        var me = $"/api/workshops/{workshop.Id}/me";

        using (node.Faults.Fail(nameof(IWorkshopGrain.AuthenticateAsync), workshop.Id, () => Outage(outage)))
        {
            using var api = await GetAsync(me, workshop.Facilitator.Token);
            await HttpErrorsTests.ProblemAsync(api, HttpStatusCode.ServiceUnavailable, "server.unavailable");
            Assert.Equal("1", api.Headers.RetryAfter?.ToString());

            // The hub's negotiation is signed in the same way.
            using var http = new HttpClient { BaseAddress = node.Address };
            using var negotiate = new HttpRequestMessage(HttpMethod.Post, "/hubs/collab/negotiate?negotiateVersion=1");
            negotiate.Headers.Authorization = new AuthenticationHeaderValue("Bearer", workshop.Facilitator.Token);
            using var hub = await http.SendAsync(negotiate);
            await HttpErrorsTests.ProblemAsync(hub, HttpStatusCode.ServiceUnavailable, "server.unavailable");
        }

        // Once the cluster answers again, the same token works: nothing was decided against it.
        using var again = await GetAsync(me, workshop.Facilitator.Token);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.DoesNotContain(node.Logs.Entries, e => e.Level >= LogLevel.Error && e.Text.Contains(workshop.Id, StringComparison.Ordinal));
        Assert.DoesNotContain(node.Logs.Entries, e => e.Level >= LogLevel.Error && e.Category.Contains("JwtBearer", StringComparison.Ordinal));
    }

    [Fact]
    public async Task EndpointThatCannotReachTheWorkshopIsServerUnavailable()
    {
        var workshop = await TestWorkshop.CreateAsync(() => new HttpClient { BaseAddress = node.Address });

        using (node.Faults.Fail(nameof(IWorkshopGrain.GetRosterAsync), workshop.Id, () => new TimeoutException("Response did not arrive on time")))
        {
            using var response = await GetAsync($"/api/workshops/{workshop.Id}/roster", workshop.Facilitator.Token);
            await HttpErrorsTests.ProblemAsync(response, HttpStatusCode.ServiceUnavailable, "server.unavailable");
            Assert.Equal("1", response.Headers.RetryAfter?.ToString());
        }
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("text/html")]
    public async Task FaultOfOurOwnIsAnInternalErrorThatStillHasACode(string accept)
    {
        var workshop = await TestWorkshop.CreateAsync(() => new HttpClient { BaseAddress = node.Address });

        using (node.Faults.Fail(nameof(IWorkshopGrain.GetAsync), workshop.Id, () => new InvalidOperationException("a bug of ours")))
        {
            using var http = new HttpClient { BaseAddress = node.Address };
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/workshops/{workshop.Id}");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", workshop.Facilitator.Token);
            request.Headers.Accept.ParseAdd(accept);
            using var response = await http.SendAsync(request);

            var problem = await HttpErrorsTests.ProblemAsync(response, HttpStatusCode.InternalServerError, "server.error");
            Assert.DoesNotContain("a bug of ours", problem.ToString(), StringComparison.Ordinal);
        }

        // The server's own fault is logged, once, as an error with what failed.
        Assert.Contains(node.Logs.Entries, e => e.Level == LogLevel.Error && e.Text.Contains("a bug of ours", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SignInCheckDuringAnOutageIsProblemJsonWhateverTheClientAccepts()
    {
        var workshop = await TestWorkshop.CreateAsync(() => new HttpClient { BaseAddress = node.Address });

        using (node.Faults.Fail(nameof(IWorkshopGrain.AuthenticateAsync), workshop.Id, () => new SiloUnavailableException()))
        {
            using var http = new HttpClient { BaseAddress = node.Address };
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/workshops/{workshop.Id}/me");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", workshop.Facilitator.Token);
            request.Headers.Accept.ParseAdd("text/html");
            using var response = await http.SendAsync(request);

            await HttpErrorsTests.ProblemAsync(response, HttpStatusCode.ServiceUnavailable, "server.unavailable");
        }
    }
}
