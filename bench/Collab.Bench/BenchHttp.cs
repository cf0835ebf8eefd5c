using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Collab.Documents;

namespace Collab.Bench;

/// <summary>A workshop the bench created: its id, its creator's (the facilitator's) token and the participants' join code.</summary>
internal sealed record BenchWorkshop(string Id, string FacilitatorToken, string ParticipantCode);

/// <summary>
/// The HTTP calls every mode sets up with (docs/workshops.md): create a workshop, create its documents, join. Workshop
/// creation and joins share one server-wide token bucket (<c>Collab:Auth:JoinsPerSecond</c>, 50/s, bursts of 500): a
/// 429 is tried again after its <c>Retry-After</c>, until the caller's deadline.
/// </summary>
internal static class BenchHttp
{
    public static async Task<BenchWorkshop> CreateWorkshopAsync(HttpClient http, string title, CancellationToken cancellationToken)
    {
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var body = await PostAsync(
            http, null, "api/workshops",
            new { title, startsOn = today, endsOn = today, languages = new[] { "en", "fr" }, creator = new { name = "Bench facilitator" } },
            cancellationToken);
        return new BenchWorkshop(
            body.GetProperty("workshop").GetProperty("id").GetString()!,
            body.GetProperty("facilitator").GetProperty("token").GetString()!,
            body.GetProperty("joinCodes").EnumerateArray()
                .First(c => c.GetProperty("role").GetString() == "participant").GetProperty("code").GetString()!);
    }

    /// <summary>A plenary document of <paramref name="workshop"/> (created by its facilitator); its id.</summary>
    public static async Task<string> CreateDocumentAsync(
        HttpClient http, BenchWorkshop workshop, string title, string text, CancellationToken cancellationToken)
    {
        var body = await PostAsync(http, workshop.FacilitatorToken, $"api/workshops/{workshop.Id}/documents", new { title, text }, cancellationToken);
        return body.GetProperty("docId").GetString()!;
    }

    /// <summary>A participant's token (<c>POST /api/join</c> with the participant code).</summary>
    public static async Task<string> JoinAsync(HttpClient http, BenchWorkshop workshop, string name, CancellationToken cancellationToken)
    {
        var body = await PostAsync(http, null, "api/join", new { code = workshop.ParticipantCode, displayName = name }, cancellationToken);
        return body.GetProperty("token").GetString()!;
    }

    /// <summary>The server's text and revision now (<c>GET /api/documents/{id}/text</c>).</summary>
    public static async Task<TextAtRevision> TextAsync(HttpClient http, string token, string docId, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"api/documents/{docId}/text", UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<TextAtRevision>(cancellationToken)
            ?? throw new InvalidOperationException($"GET /api/documents/{docId}/text answered nothing.");
    }

    private static async Task<JsonElement> PostAsync(HttpClient http, string? token, string path, object payload, CancellationToken cancellationToken)
    {
        while (true)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative)) { Content = JsonContent.Create(payload) };
            if (token is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }

            using var response = await http.SendAsync(request, cancellationToken);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                await Task.Delay(response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1), cancellationToken);
                continue;
            }

            var body = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
            return response.IsSuccessStatusCode
                ? body
                : throw new InvalidOperationException($"POST /{path} answered {(int)response.StatusCode}: {body}");
        }
    }
}
