using System.Text.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Collab.Tests.Operations;

/// <summary>The OpenAPI document and the reference UI describe every HTTP endpoint the node really maps.</summary>
public sealed class ApiReferenceTests(EmbeddedWebNode node) : IClassFixture<EmbeddedWebNode>
{
    /// <summary>
    /// Endpoints that are not part of the HTTP API and are documented elsewhere: the SignalR hub (docs/protocol.md; its
    /// negotiate endpoint is plumbing), health probes and <c>/metrics</c> (README, "Operating Collab"), the reference
    /// itself (document and UI), and the Orleans Dashboard (its own UI and JSON feed).
    /// </summary>
    private static readonly string[] NotApi = ["/hubs/", "/health/", "/metrics", "/openapi/", "/scalar", "/dashboard"];

    private async Task<JsonElement> DocumentAsync()
    {
        using var http = node.CreateClient();
        using var response = await http.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET /openapi/v1.json answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Every route endpoint with its HTTP methods, as the node's routing knows them (not as the document says).</summary>
    private List<(string Path, string Method, RouteEndpoint Endpoint)> MappedEndpoints()
    {
        node.CreateClient().Dispose();
        var mapped = new List<(string, string, RouteEndpoint)>();
        foreach (var endpoint in node.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            var path = "/" + endpoint.RoutePattern.RawText!.Trim('/');
            foreach (var method in endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["*"])
            {
                mapped.Add((path, method.ToLowerInvariant(), endpoint));
            }
        }

        return mapped;
    }

    private static JsonElement? Operation(JsonElement document, string path, string method)
    {
        foreach (var entry in document.GetProperty("paths").EnumerateObject())
        {
            if ("/" + entry.Name.Trim('/') == path && entry.Value.TryGetProperty(method, out var operation))
            {
                return operation;
            }
        }

        return null;
    }

    [Fact]
    public async Task EveryApiEndpointIsDocumentedWithSummaryAndItsProblemResponses()
    {
        var document = await DocumentAsync();
        var api = MappedEndpoints().Where(e => e.Path.StartsWith("/api/", StringComparison.Ordinal)).ToList();
        Assert.True(api.Count >= 40, $"Only {api.Count} API endpoints were found; the enumeration is broken.");

        var missing = new List<string>();
        foreach (var (path, method, endpoint) in api)
        {
            if (Operation(document, path, method) is not { } operation)
            {
                missing.Add($"{method.ToUpperInvariant()} {path}: not in the document");
                continue;
            }

            if (!operation.TryGetProperty("summary", out var summary) || string.IsNullOrWhiteSpace(summary.GetString()))
            {
                missing.Add($"{method.ToUpperInvariant()} {path}: no summary");
            }

            var authorized = endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Authorization.IAuthorizeData>() is not null;
            int[] expected = authorized ? [400, 401, 403, 429, 503] : [400, 429, 503];
            var responses = operation.GetProperty("responses");
            foreach (var status in expected)
            {
                if (!responses.TryGetProperty(status.ToString(System.Globalization.CultureInfo.InvariantCulture), out var response)
                    || !response.TryGetProperty("content", out var content)
                    || !content.TryGetProperty("application/problem+json", out _))
                {
                    missing.Add($"{method.ToUpperInvariant()} {path}: no problem+json {status}");
                }
                else if (response.GetProperty("description").GetString() != Collab.Web.Errors.CollabProblems.Describe(status))
                {
                    missing.Add($"{method.ToUpperInvariant()} {path}: {status} is not described");
                }
            }

            if (endpoint.RoutePattern.Parameters.Count > 0 && !responses.TryGetProperty("404", out _))
            {
                missing.Add($"{method.ToUpperInvariant()} {path}: no 404 although it names a resource");
            }

            var secured = operation.TryGetProperty("security", out var security)
                && security.EnumerateArray().Any(requirement => requirement.TryGetProperty("Bearer", out _));
            if (secured != authorized)
            {
                missing.Add($"{method.ToUpperInvariant()} {path}: bearer requirement is {secured}, authorization is {authorized}");
            }
        }

        Assert.True(missing.Count == 0, string.Join('\n', missing));
    }

    [Fact]
    public void EveryEndpointOutsideTheApiIsAKnownOperationalOne()
    {
        var others = MappedEndpoints()
            .Where(e => !e.Path.StartsWith("/api/", StringComparison.Ordinal))
            .Where(e => !NotApi.Any(prefix => e.Path.StartsWith(prefix, StringComparison.Ordinal) || e.Path + "/" == prefix))
            .Select(e => $"{e.Method.ToUpperInvariant()} {e.Path}")
            .ToList();

        Assert.True(others.Count == 0, "Endpoints outside /api/ that are neither documented nor known as operational:\n" + string.Join('\n', others));
    }

    [Fact]
    public async Task DocumentDeclaresTheBearerSchemeAndTheProblemShape()
    {
        var document = await DocumentAsync();

        var components = document.GetProperty("components");
        var bearer = components.GetProperty("securitySchemes").GetProperty("Bearer");
        Assert.Equal("http", bearer.GetProperty("type").GetString());
        Assert.Equal("bearer", bearer.GetProperty("scheme").GetString());
        var problem = components.GetProperty("schemas").GetProperty("CollabProblem").GetProperty("properties");
        Assert.True(problem.TryGetProperty("code", out _), "The problem schema has no 'code': " + problem);
        Assert.True(problem.TryGetProperty("field", out _), "The problem schema has no 'field': " + problem);
    }

    [Fact]
    public async Task RequestAndResponseBodiesHaveSchemas()
    {
        var document = await DocumentAsync();

        var join = Operation(document, "/api/join", "post")!.Value;
        Assert.True(join.GetProperty("requestBody").GetProperty("content").TryGetProperty("application/json", out _), "POST /api/join has no JSON body: " + join);
        Assert.True(join.GetProperty("responses").GetProperty("200").GetProperty("content").TryGetProperty("application/json", out _), "POST /api/join has no JSON answer: " + join);
        var created = Operation(document, "/api/workshops", "post")!.Value;
        Assert.True(created.GetProperty("responses").TryGetProperty("201", out _), "POST /api/workshops does not answer 201: " + created);
    }

    [Fact]
    public async Task ReferenceUiIsServedFromTheNodeItself()
    {
        using var http = node.CreateClient();
        using var page = await http.GetAsync(new Uri("/scalar", UriKind.Relative));
        var html = await page.Content.ReadAsStringAsync();

        Assert.True(page.IsSuccessStatusCode, $"GET /scalar answered {(int)page.StatusCode}: {html}");
        var scripts = System.Text.RegularExpressions.Regex.Matches(html, "<script[^>]+src=\"([^\"]+)\"").Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(scripts);
        foreach (var script in scripts)
        {
            Assert.False(script.StartsWith("http", StringComparison.OrdinalIgnoreCase) || script.StartsWith("//", StringComparison.Ordinal), $"The reference loads {script} from elsewhere");
            using var js = await http.GetAsync(new Uri(new Uri(http.BaseAddress!, "/scalar/"), script));
            Assert.True(js.IsSuccessStatusCode, $"GET {script} answered {(int)js.StatusCode}");
        }
    }
}
