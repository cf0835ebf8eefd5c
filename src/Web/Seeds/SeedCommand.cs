using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Collab.Web.Errors;
using Collab.Web.Workshops;
using Collab.Workshops;

namespace Collab.Web.Seeds;

/// <summary>
/// <c>dotnet run --project src/Web -- seed FILE [--url URL]</c>: loads a seed workshop into a running Collab through
/// its public HTTP API (as any client would) and prints the join codes. A seed is loaded once: the second time the
/// server answers <c>seed.already_loaded</c> and nothing changes.
/// </summary>
public static class SeedCommand
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { CollabJson.EnumConverter() } };

    public static Task<int> RunAsync(string[] args) => RunAsync(args, Console.Out, Console.Error);

    /// <summary>Runs the command, writing what it reports to <paramref name="output"/> and failures to <paramref name="error"/>.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var file = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal));
        var urlAt = Array.IndexOf(args, "--url");
        var url = urlAt >= 0 && urlAt + 1 < args.Length ? args[urlAt + 1] : Environment.GetEnvironmentVariable("COLLAB_URL") ?? "http://localhost:5080";
        if (file is null || file == url)
        {
            await error.WriteLineAsync("usage: dotnet run --project src/Web -- seed FILE [--url http://localhost:5080]");
            return 2;
        }

        if (!File.Exists(file))
        {
            await error.WriteLineAsync($"seed: no such file '{file}'");
            return 2;
        }

        JsonObject seed;
        try
        {
            seed = JsonNode.Parse(await File.ReadAllTextAsync(file))?.AsObject() ?? throw new JsonException("empty file");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            await error.WriteLineAsync($"seed: '{file}' is not a JSON object: {e.Message}");
            return 2;
        }

        using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(60) };
        try
        {
            var create = await http.PostAsJsonAsync("/api/workshops", seed, Json);
            if (!create.IsSuccessStatusCode)
            {
                return await FailAsync(create, error);
            }

            var created = (await create.Content.ReadFromJsonAsync<CreatedWorkshopResponse>(Json))!;
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", created.Facilitator.Token);
            var documents = seed["documents"]?.AsArray() ?? [];
            foreach (var document in documents)
            {
                var added = await http.PostAsJsonAsync($"/api/workshops/{created.Workshop.Id}/documents", document, Json);
                if (!added.IsSuccessStatusCode)
                {
                    return await FailAsync(added, error);
                }
            }

            Print(output, url, created, documents.Count);
            return 0;
        }
        catch (HttpRequestException e)
        {
            await error.WriteLineAsync($"seed: no Collab answers at {url} ({e.Message}). Start it first: dotnet run --project src/Web");
            return 1;
        }
    }

    private static void Print(TextWriter output, string url, CreatedWorkshopResponse created, int documents)
    {
        var w = created.Workshop;
        output.WriteLine($"Loaded '{w.Title}' as workshop {w.Id} ({w.Delegations.Count} delegations, {w.Agenda.Count} sessions, {documents} documents).");
        output.WriteLine("Join codes (POST /api/join with {\"code\": …, \"displayName\": …}):");
        foreach (var code in created.JoinCodes)
        {
            output.WriteLine($"  {code.Role.ToString().ToLowerInvariant(),-12} {code.Code}");
        }

        output.WriteLine($"Facilitator ({created.Facilitator.Participant.Name}) token, valid until {created.Facilitator.ExpiresAt:u}:");
        output.WriteLine($"  {created.Facilitator.Token}");
        output.WriteLine($"Facilitator rejoin key (to sign in again from another device): {created.Facilitator.RejoinKey}");
        output.WriteLine($"Workshop: {url.TrimEnd('/')}/api/workshops/{w.Id}");
    }

    private static async Task<int> FailAsync(HttpResponseMessage response, TextWriter error)
    {
        var body = await response.Content.ReadAsStringAsync();
        string message;
        try
        {
            var problem = JsonNode.Parse(body);
            message = $"{problem?["code"]}: {problem?["title"]}";
        }
        catch (JsonException)
        {
            message = body;
        }

        await error.WriteLineAsync($"seed: refused ({(int)response.StatusCode}) {message}");
        return 1;
    }
}
