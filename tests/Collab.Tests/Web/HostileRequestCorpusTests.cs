using System.Net.Http.Headers;
using System.Reflection;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Collab.Tests.Web;

/// <summary>
/// Every endpoint of the HTTP API, as the node maps it, fed hostile bodies: each member of its request type in turn
/// set to a value of the wrong type, out of range, huge, empty or null, and bodies that are not objects at all. Whatever
/// the endpoint does with them, no answer is a 500 and every refusal is problem+json with a code.
/// </summary>
public sealed class HostileRequestCorpusTests(ProductionWebNode node) : IClassFixture<ProductionWebNode>
{
    private static readonly string Huge = new('x', 20_000);

    /// <summary>Values every member gets in turn, as raw JSON.</summary>
    private static readonly string[] Values =
    [
        "null", "\"\"", JsonSerializer.Serialize(Huge), "\"\\u202eFac\\u200b\"", "\"\\ud800\"", "-1", "2147483648", "9007199254740993",
        "1.5", "1e400", "true", "[]", "[null]", $"[{JsonSerializer.Serialize(Huge)}]", "{}", "{\"x\":null}",
    ];

    /// <summary>Bodies that are not the request object at all.</summary>
    private static readonly string[] NotObjects =
    [
        "", "null", "[]", "\"x\"", "0", "{", "{\"a\":", new string('[', 200) + new string(']', 200), "{\"\\u0000\":1}",
    ];

    [Fact]
    public async Task NoHostileBodyGetsAnUncodedAnswerOrA500()
    {
        var workshop = await TestWorkshop.CreateAsync(() => new HttpClient { BaseAddress = node.Address });
        var docId = await workshop.NewDocumentAsync("Notes", "Some notes");
        var ids = new Dictionary<string, string>
        {
            ["id"] = workshop.Id,
            ["sessionId"] = "d1-breakouts",
            ["docId"] = docId,
            ["recommendationId"] = "r-none",
            ["participantId"] = "p-none",
            ["requestId"] = "h-none",
            ["commentId"] = "c-none",
            ["suggestionId"] = "s-none",
            ["role"] = "participant",
            ["language"] = "en",
        };

        var failures = new List<string>();
        var sent = 0;
        using var http = new HttpClient { BaseAddress = node.Address };
        foreach (var (path, method, requestType) in Endpoints(ids))
        {
            foreach (var body in Bodies(requestType))
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), path);
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", workshop.Facilitator.Token);
                if (body is not null)
                {
                    request.Content = new StringContent(body, Encoding.UTF8, "application/json");
                }

                using var response = await http.SendAsync(request);
                sent++;
                var status = (int)response.StatusCode;
                var text = await response.Content.ReadAsStringAsync();
                if (status >= 500 || (status >= 400 && !IsCodedProblem(response, text)))
                {
                    failures.Add($"{method} {path} {Shorten(body)} → {status} {Shorten(text)}");
                }
            }
        }

        foreach (var (path, method, parameter) in QueryParameters(ids))
        {
            foreach (var value in QueryValues)
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), $"{path}?{parameter}={Uri.EscapeDataString(value)}");
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", workshop.Facilitator.Token);
                using var response = await http.SendAsync(request);
                sent++;
                var status = (int)response.StatusCode;
                var text = await response.Content.ReadAsStringAsync();
                if (status >= 500 || (status >= 400 && !IsCodedProblem(response, text)))
                {
                    failures.Add($"{method} {path}?{parameter}={Shorten(value)} → {status} {Shorten(text)}");
                }
            }
        }

        Assert.True(sent > 2_000, $"Only {sent} requests were sent; the endpoint enumeration is broken.");
        Assert.True(failures.Count == 0, $"{failures.Count} of {sent} answers were uncoded or 500:\n" + string.Join('\n', failures.Take(40)));
    }

    private static readonly string[] QueryValues =
    [
        "", "abc", "-1", "-2147483649", "2147483648", "99999999999999999999", "1.5", "1e3", "0x10", "9999-99-99", "0001-01-01T00:00:00Z",
        "\u202e", "\ufffd", new string('q', 4_000), "current", "bilingual", "docx",
    ];

    /// <summary>Every query parameter of every API endpoint, as the API description knows them.</summary>
    private List<(string Path, string Method, string Parameter)> QueryParameters(Dictionary<string, string> ids)
    {
        var found = new List<(string, string, string)>();
        var groups = node.Services.GetRequiredService<Microsoft.AspNetCore.Mvc.ApiExplorer.IApiDescriptionGroupCollectionProvider>().ApiDescriptionGroups.Items;
        foreach (var description in groups.SelectMany(g => g.Items))
        {
            if (description.RelativePath is not { } relative || !relative.StartsWith("api/", StringComparison.Ordinal) || description.HttpMethod is not { } method)
            {
                continue;
            }

            var path = ids.Aggregate("/" + relative, (p, id) => p.Replace("{" + id.Key + "}", id.Value, StringComparison.Ordinal));
            foreach (var parameter in description.ParameterDescriptions.Where(p => p.Source == Microsoft.AspNetCore.Mvc.ModelBinding.BindingSource.Query))
            {
                found.Add((path, method, parameter.Name));
            }
        }

        Assert.True(found.Count >= 8, $"Only {found.Count} query parameters were found; the enumeration is broken.");
        return found;
    }

    private List<(string Path, string Method, Type? RequestType)> Endpoints(Dictionary<string, string> ids)
    {
        var endpoints = new List<(string, string, Type?)>();
        foreach (var endpoint in node.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            var pattern = endpoint.RoutePattern;
            if (pattern.RawText is not { } raw || !raw.StartsWith("/api/", StringComparison.Ordinal))
            {
                continue;
            }

            var path = pattern.Parameters.Aggregate(raw, (p, parameter) => p.Replace("{" + parameter.Name + "}", ids.GetValueOrDefault(parameter.Name, "x"), StringComparison.Ordinal));
            var requestType = endpoint.Metadata.GetMetadata<IAcceptsMetadata>()?.RequestType;
            foreach (var method in endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? [])
            {
                endpoints.Add((path, method, requestType));
            }
        }

        return endpoints;
    }

    /// <summary>No body, the not-an-object bodies, and for a JSON request type each of its members set to each hostile value.</summary>
    private static IEnumerable<string?> Bodies(Type? requestType)
    {
        yield return null;
        foreach (var body in NotObjects)
        {
            yield return body;
        }

        if (requestType is null || requestType == typeof(string))
        {
            yield break;
        }

        foreach (var body in Mutations(requestType, depth: 0))
        {
            yield return body;
        }
    }

    /// <summary>
    /// The type as JSON with one member, at any depth up to two objects or lists down (<c>creator.name</c>,
    /// <c>agenda[0].phases</c>), set to each hostile value.
    /// </summary>
    private static IEnumerable<string> Mutations(Type type, int depth)
    {
        foreach (var member in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var name = JsonNamingPolicy.CamelCase.ConvertName(member.Name);
            foreach (var value in Values)
            {
                yield return $"{{\"{name}\":{value}}}";
            }

            if (depth >= 2)
            {
                continue;
            }

            var memberType = Nullable.GetUnderlyingType(member.PropertyType) ?? member.PropertyType;
            var item = memberType.IsGenericType && memberType.GetGenericArguments() is [var only] && typeof(System.Collections.IEnumerable).IsAssignableFrom(memberType)
                ? only
                : null;
            if (item is not null && IsObject(item))
            {
                foreach (var inner in Mutations(item, depth + 1))
                {
                    yield return $"{{\"{name}\":[{inner}]}}";
                }
            }
            else if (item is null && IsObject(memberType))
            {
                foreach (var inner in Mutations(memberType, depth + 1))
                {
                    yield return $"{{\"{name}\":{inner}}}";
                }
            }
        }
    }

    private static bool IsObject(Type type) =>
        type.IsClass && type != typeof(string) && !typeof(System.Collections.IEnumerable).IsAssignableFrom(type);

    private static bool IsCodedProblem(HttpResponseMessage response, string text)
    {
        if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
        {
            return false;
        }

        using var problem = JsonDocument.Parse(text);
        return problem.RootElement.TryGetProperty("code", out var code) && code.GetString() is { Length: > 0 };
    }

    private static string Shorten(string? text) => text is null ? "(no body)" : text.Length > 120 ? text[..120] + "…" : text;
}
