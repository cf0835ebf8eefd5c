using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Collab.Tests.Operations;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Collab.Tests.Web;

/// <summary>The embedded node on Kestrel as it runs for real: the Production environment, its logs captured (Information and up).</summary>
public class ProductionWebNode : KestrelWebNode
{
    public CapturedLogs Logs { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseEnvironment("Production");
        builder.UseSetting("Logging:LogLevel:Default", "Information");
        builder.ConfigureServices(services => services.AddLogging(logging => logging.AddProvider(Logs)));
    }
}

/// <summary>The same node in the Development environment, where the framework's defaults differ (exceptions for bad requests, the developer page).</summary>
public sealed class DevelopmentWebNode : KestrelWebNode
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseEnvironment("Development");
    }
}

/// <summary>
/// Every error answer of the HTTP API is problem+json with a stable <c>code</c>, also when the framework refuses the
/// request by itself (unreadable body, wrong content type, oversize body, unknown route or method), and in Production as
/// in Development: the same tests run against both.
/// </summary>
public abstract class HttpErrorsTests(KestrelWebNode node)
{
    private HttpClient Http() => new() { BaseAddress = node.Address };

    /// <summary>Asserts a problem+json answer with <paramref name="status"/> and <paramref name="code"/>; returns its body.</summary>
    public static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"Expected {(int)status} {code}, got {(int)response.StatusCode}: {text}");
        Assert.True(response.Content.Headers.ContentType?.MediaType == "application/problem+json", $"Not problem+json ({response.Content.Headers.ContentType}): {text}");
        var problem = JsonDocument.Parse(text).RootElement.Clone();
        Assert.True(problem.TryGetProperty("code", out var actual), $"No code in: {text}");
        Assert.Equal(code, actual.GetString());
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()), text);
        return problem;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, HttpContent? content = null, string? token = null, bool expectContinue = false)
    {
        using var http = Http();
        using var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.ExpectContinue = expectContinue;
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await http.SendAsync(request);
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary>A workshop body with one agenda entry whose <c>day</c> is <paramref name="day"/> (raw JSON).</summary>
    private static string WorkshopWithDay(string day) =>
        $$"""{"title":"T","startsOn":"2026-11-30","endsOn":"2026-12-01","languages":["en"],"creator":{"name":"F"},"agenda":[{"day":{{day}},"title":"Opening"}]}""";

    [Fact]
    public async Task MalformedJsonIsRequestMalformed()
    {
        using var response = await SendAsync(HttpMethod.Post, "/api/join", Json("{\"code\": "));

        await ProblemAsync(response, HttpStatusCode.BadRequest, "request.malformed");
    }

    [Fact]
    public async Task WrongContentTypeIsUnsupportedMediaType()
    {
        using var response = await SendAsync(HttpMethod.Post, "/api/join", new StringContent("{\"code\":\"X\"}", Encoding.UTF8, "text/plain"));

        await ProblemAsync(response, HttpStatusCode.UnsupportedMediaType, "request.unsupported_media_type");
    }

    [Theory]
    [InlineData("\"one\"")]
    [InlineData("1.5")]
    [InlineData("99999999999")]
    [InlineData("-9223372036854775809")]
    [InlineData("null")]
    public async Task NumberThatIsNotAnIntIsRequestMalformedNamingTheField(string day)
    {
        using var response = await SendAsync(HttpMethod.Post, "/api/workshops", Json(WorkshopWithDay(day)));

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest, "request.malformed");
        Assert.Equal("agenda[0].day", problem.GetProperty("field").GetString());
    }

    [Fact]
    public async Task UnknownEnumValueIsRequestMalformedNamingTheField()
    {
        var workshop = await node.WorkshopAsync();

        using var response = await SendAsync(
            HttpMethod.Post, $"/api/workshops/{workshop.Id}/sessions/d1-opening/timer", Json("{\"action\":\"explode\",\"seconds\":60}"), workshop.Facilitator.Token);

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest, "request.malformed");
        Assert.Equal("action", problem.GetProperty("field").GetString());
    }

    [Theory]
    [InlineData("after=abc")]
    [InlineData("after=99999999999")]
    [InlineData("to=1e3")]
    public async Task QueryValueOfTheWrongTypeIsRequestMalformed(string query)
    {
        var workshop = await node.WorkshopAsync();
        var docId = await workshop.NewDocumentAsync();

        using var response = await SendAsync(HttpMethod.Get, $"/api/documents/{docId}/ops?{query}", token: workshop.Facilitator.Token);

        await ProblemAsync(response, HttpStatusCode.BadRequest, "request.malformed");
    }

    [Fact]
    public async Task OversizeBodyIsRequestTooLarge()
    {
        var big = WorkshopWithDay("1").Replace("\"T\"", "\"" + new string('x', 9 * 1024 * 1024) + "\"", StringComparison.Ordinal);

        // As a client sends a large upload: it waits for the server's go-ahead, so the refusal comes before the body.
        using var response = await SendAsync(HttpMethod.Post, "/api/workshops", Json(big), expectContinue: true);

        await ProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "request.too_large");
    }

    [Fact]
    public async Task OversizeChunkedBodyIsRequestTooLarge()
    {
        // No Content-Length: the limit is met while reading.
        var big = Encoding.UTF8.GetBytes(WorkshopWithDay("1").Replace("\"T\"", "\"" + new string('x', 9 * 1024 * 1024) + "\"", StringComparison.Ordinal));
        var content = new StreamContent(new UnknownLengthStream(big));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        using var response = await SendAsync(HttpMethod.Post, "/api/workshops", content);

        await ProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "request.too_large");
    }

    [Theory]
    [InlineData("/api/nothing-here")]
    [InlineData("/api/workshops/some-id/nothing-here")]
    [InlineData("/nothing-here")]
    public async Task UnknownRouteIsRouteNotFound(string path)
    {
        using var response = await SendAsync(HttpMethod.Get, path);

        await ProblemAsync(response, HttpStatusCode.NotFound, "route.not_found");
    }

    [Fact]
    public async Task WrongMethodIsMethodNotAllowed()
    {
        using var response = await SendAsync(HttpMethod.Delete, "/api/join");

        await ProblemAsync(response, HttpStatusCode.MethodNotAllowed, "request.method_not_allowed");
    }

    /// <summary>What a browser asks for when a person opens an API address: HTML, not JSON.</summary>
    public static TheoryData<string, string, int, string> AskedForHtml => new()
    {
        { "GET", "/api/nothing-here", 404, "route.not_found" },
        { "DELETE", "/api/join", 405, "request.method_not_allowed" },
        { "GET", "/api/workshops/some-id", 401, "auth.required" },
        { "POST", "/api/join", 401, "join.code_invalid" },
    };

    [Theory]
    [MemberData(nameof(AskedForHtml))]
    public async Task ErrorIsProblemJsonWhateverTheClientAccepts(string method, string path, int status, string code)
    {
        using var http = Http();
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        request.Headers.Accept.ParseAdd("text/html");
        if (method == "POST")
        {
            request.Content = Json("{\"code\":\"ABCDEFGHJK\",\"displayName\":\"Ama\"}");
        }

        using var response = await http.SendAsync(request);

        await ProblemAsync(response, (HttpStatusCode)status, code);
    }

    /// <summary>A stream that does not say how long it is, so that the client sends it chunked.</summary>
    private sealed class UnknownLengthStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}

public sealed class HttpErrorsInProductionTests(ProductionWebNode node) : HttpErrorsTests(node), IClassFixture<ProductionWebNode>
{
    [Fact]
    public async Task RefusedRequestsWriteNoErrorLogLine()
    {
        using var http = new HttpClient { BaseAddress = node.Address };
        using (await http.PostAsync("/api/join", new StringContent("{\"code\": ", Encoding.UTF8, "application/json")))
        using (await http.PostAsync("/api/join", new StringContent("{}", Encoding.UTF8, "text/plain")))
        using (await http.GetAsync("/api/nothing-here"))
        using (await http.PostAsJsonAsync("/api/workshops", new { title = "T", startsOn = "2026-11-30", endsOn = "2026-12-01", languages = new[] { "en" }, agenda = new[] { new { day = "SECRET-DAY" } } }))
        {
        }

        var errors = node.Logs.Entries.Where(e => e.Level >= LogLevel.Error).Select(e => $"{e.Category}: {e.Text}").ToList();
        Assert.True(errors.Count == 0, string.Join('\n', errors));
        Assert.DoesNotContain(node.Logs.Entries, e => e.Text.Contains("SECRET-DAY", StringComparison.Ordinal));
    }
}

public sealed class HttpErrorsInDevelopmentTests(DevelopmentWebNode node) : HttpErrorsTests(node), IClassFixture<DevelopmentWebNode>;
