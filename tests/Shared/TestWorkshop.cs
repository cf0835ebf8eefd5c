using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Collab.Testing;

/// <summary>
/// A workshop created through the real HTTP API, as a client would: its creator is the facilitator; others join with
/// the join codes and get real signed tokens. Every request goes through <see cref="SendAsync"/> with a token.
/// </summary>
public sealed class TestWorkshop
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    private readonly Func<HttpClient> _http;

    private TestWorkshop(Func<HttpClient> http, JsonElement created)
    {
        _http = http;
        Id = created.GetProperty("workshop").GetProperty("id").GetString()!;
        Codes = created.GetProperty("joinCodes").EnumerateArray()
            .ToDictionary(c => c.GetProperty("role").GetString()!, c => c.GetProperty("code").GetString()!);
        Facilitator = Member.Of(created.GetProperty("facilitator"));
    }

    private TestWorkshop(Func<HttpClient> http, string id, IReadOnlyDictionary<string, string> codes, Member facilitator)
    {
        _http = http;
        Id = id;
        Codes = codes;
        Facilitator = facilitator;
    }

    private TestWorkshop(Func<HttpClient> http, TestWorkshop other)
    {
        _http = http;
        Id = other.Id;
        Codes = other.Codes;
        Facilitator = other.Facilitator;
    }

    public string Id { get; }

    /// <summary>The same workshop reached through another node (tokens are valid on every node of a cluster).</summary>
    public TestWorkshop Via(Func<HttpClient> http) => new(http, this);

    /// <summary>Join code per role name (facilitator, rapporteur, participant, observer).</summary>
    public IReadOnlyDictionary<string, string> Codes { get; }

    public Member Facilitator { get; }

    /// <summary>The Cotonou-like default: two days, English and French, five countries and one regional body, two sessions.</summary>
    public static object DefaultBody(string? seedKey = null) => new
    {
        title = "Regional conference on border community engagement",
        venue = "Cotonou, Benin",
        startsOn = "2023-12-06",
        endsOn = "2023-12-07",
        languages = new[] { "en", "fr" },
        seedKey,
        creator = new { name = "Facilitator Fatou", language = "fr" },
        delegations = new object[]
        {
            new { id = "bj", name = "Benin", kind = "country", language = "fr" },
            new { id = "bf", name = "Burkina Faso", kind = "country", language = "fr" },
            new { id = "ci", name = "Côte d'Ivoire", kind = "country", language = "fr" },
            new { id = "gh", name = "Ghana", kind = "country", language = "en" },
            new { id = "tg", name = "Togo", kind = "country", language = "fr" },
            new { id = "ecowas", name = "ECOWAS", kind = "regional-body", language = "en" },
        },
        agenda = new object[]
        {
            new { id = "d1-opening", day = 1, title = "Opening plenary", kind = "plenary" },
            new { id = "d1-breakouts", day = 1, title = "Breakouts: best practices, lessons learnt, challenges", kind = "breakouts" },
            new { id = "d2-recommendations", day = 2, title = "Recommendations plenary", kind = "plenary" },
        },
    };

    public static async Task<TestWorkshop> CreateAsync(Func<HttpClient> http, object? body = null)
    {
        using var client = http();
        using var response = await client.PostAsJsonAsync("/api/workshops", body ?? DefaultBody(), Json);
        var created = await response.Content.ReadFromJsonAsync<JsonElement>(Json);
        Assert.True(response.IsSuccessStatusCode, $"POST /api/workshops answered {(int)response.StatusCode}: {created}");
        return new TestWorkshop(http, created);
    }

    /// <summary>A workshop created elsewhere (e.g. by the seed command), reached with its join codes; a facilitator joins.</summary>
    public static async Task<TestWorkshop> ExistingAsync(Func<HttpClient> http, string id, IReadOnlyDictionary<string, string> codes, string facilitatorName)
    {
        var joining = new TestWorkshop(http, id, codes, new Member("", "", "", "", ""));
        return new TestWorkshop(http, id, codes, await joining.JoinAsync(facilitatorName, "facilitator"));
    }

    /// <summary>Joins with the code of <paramref name="role"/>; fails the test if the server refuses.</summary>
    public async Task<Member> JoinAsync(string name, string role = "participant", string? delegation = null, string? language = null)
    {
        using var response = await TryJoinAsync(new { code = Codes[role], displayName = name, delegation, language });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Json);
        Assert.True(response.IsSuccessStatusCode, $"POST /api/join answered {(int)response.StatusCode}: {body}");
        return Member.Of(body);
    }

    public async Task<HttpResponseMessage> TryJoinAsync(object body)
    {
        using var client = _http();
        return await client.PostAsJsonAsync("/api/join", body, Json);
    }

    /// <summary>A request with <paramref name="token"/> as bearer (none when null).</summary>
    public async Task<HttpResponseMessage> SendAsync(string? token, HttpMethod method, string path, object? body = null)
    {
        using var client = _http();
        using var request = new HttpRequestMessage(method, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (body is not null)
        {
            request.Content = JsonContent.Create(body, options: Json);
        }

        return await client.SendAsync(request);
    }

    /// <summary>Sends and reads the JSON answer, failing the test on an error status.</summary>
    public async Task<T> OkAsync<T>(string? token, HttpMethod method, string path, object? body = null)
    {
        using var response = await SendAsync(token, method, path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{method} {path} answered {(int)response.StatusCode}: {text}");
        return JsonSerializer.Deserialize<T>(text, Json)!;
    }

    /// <summary>Sends and checks a problem+json rejection: its status and code.</summary>
    public async Task<string> RejectedAsync(string? token, HttpMethod method, string path, object? body, int status)
    {
        using var response = await SendAsync(token, method, path, body);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Json);
        Assert.True((int)response.StatusCode == status, $"{method} {path} answered {(int)response.StatusCode}, expected {status}: {problem}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return problem.GetProperty("code").GetString()!;
    }

    /// <summary>A plenary document every participant edits, created by the facilitator.</summary>
    public async Task<string> NewDocumentAsync(string title = "Plenary notes", string text = "")
    {
        var document = await OkAsync<JsonElement>(Facilitator.Token, HttpMethod.Post, $"/api/workshops/{Id}/documents", new { title, text });
        return document.GetProperty("docId").GetString()!;
    }

    /// <summary>A participant signed in: id, token and personal rejoin key.</summary>
    public sealed record Member(string Id, string Name, string Role, string Token, string RejoinKey)
    {
        public static Member Of(JsonElement joined)
        {
            var participant = joined.GetProperty("participant");
            return new Member(
                participant.GetProperty("id").GetString()!,
                participant.GetProperty("name").GetString()!,
                participant.GetProperty("role").GetString()!,
                joined.GetProperty("token").GetString()!,
                joined.GetProperty("rejoinKey").GetString()!);
        }
    }
}
