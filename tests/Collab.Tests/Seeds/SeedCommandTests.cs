using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Collab.Documents;
using Collab.Web.Seeds;
using Collab.Workshops;
using Microsoft.Extensions.DependencyInjection;

namespace Collab.Tests.Seeds;

/// <summary>What one run of the seed command printed.</summary>
public sealed record SeedRun(int ExitCode, string Output, string Error);

/// <summary>A node into which <c>seeds/cotonou-2023.json</c> is loaded once (the first time a test asks).</summary>
public class SeededWebNode : KestrelWebNode
{
    public static readonly string SeedFile = Path.Combine(RepoRoot.Path, "seeds", "cotonou-2023.json");

    private readonly Lazy<Task<SeedRun>> _first;

    public SeededWebNode() => _first = new(LoadAsync);

    public Task<SeedRun> FirstLoadAsync() => _first.Value;

    /// <summary>Runs <c>seed seeds/cotonou-2023.json --url …</c> against this node, capturing what it prints.</summary>
    public async Task<SeedRun> LoadAsync()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await SeedCommand.RunAsync([SeedFile, "--url", Address.ToString()], output, error).WaitAsync(TimeSpan.FromSeconds(30));
        return new SeedRun(exit, output.ToString(), error.ToString());
    }
}

/// <summary>The seed command against a running node, through the public HTTP API as any client.</summary>
public sealed class SeedCommandTests(SeededWebNode node) : IClassFixture<SeededWebNode>
{
    private static readonly JsonObject Seed = JsonNode.Parse(File.ReadAllText(SeededWebNode.SeedFile))!.AsObject();

    [Fact]
    public async Task LoadingTheSeedPrintsItsWorkshopAndJoinCodesAndCreatesEverythingItHolds()
    {
        var run = await node.FirstLoadAsync();

        Assert.True(run.ExitCode == 0, $"exit code {run.ExitCode}: {run.Error}");
        Assert.Empty(run.Error);
        var workshopId = WorkshopIdOf(run);
        var codes = CodesOf(run);
        Assert.Equal(["facilitator", "observer", "participant", "rapporteur"], codes.Keys.Order());

        // The printed facilitator token works, and the printed codes are the workshop's real ones.
        using var facilitator = Client(FacilitatorTokenOf(run));
        var joinCodes = await facilitator.GetFromJsonAsync<List<JoinCode>>($"/api/workshops/{workshopId}/join-codes", TestWorkshop.Json);
        Assert.Equal(codes, joinCodes!.ToDictionary(c => c.Role.ToString().ToLowerInvariant(), c => c.Code));

        // A delegate joining with the printed participant code sees the seed's whole workshop.
        using var anonymous = Client(null);
        var joined = await anonymous.PostAsJsonAsync("/api/join", new { code = codes["participant"], displayName = "Awa", delegation = "bj" }, TestWorkshop.Json);
        var participant = (await joined.Content.ReadFromJsonAsync<JsonObject>(TestWorkshop.Json))!;
        Assert.True(joined.IsSuccessStatusCode, participant.ToJsonString());
        using var delegate1 = Client(participant["token"]!.GetValue<string>());
        var workshop = (await delegate1.GetFromJsonAsync<WorkshopView>($"/api/workshops/{workshopId}", TestWorkshop.Json))!;

        Assert.Equal(workshopId, workshop.Id);
        Assert.Equal(("Regional Conference on Border Community Engagement", "cotonou-2023"), (workshop.Title, workshop.SeedKey));
        Assert.Equal(["en", "fr"], workshop.Languages);
        Assert.Equal(Strings(Seed["delegations"]!, "id"), workshop.Delegations.Select(d => d.Id));
        Assert.Equal(Strings(Seed["delegations"]!, "name"), workshop.Delegations.Select(d => d.Name));
        Assert.Equal(Strings(Seed["agenda"]!, "id"), workshop.Agenda.Select(s => s.Id));
        Assert.Equal(["share", "draft", "review"], workshop.Agenda.Single(s => s.Id == "d1-breakouts").Phases);
        Assert.Equal(Strings(Seed["documents"]!, "title"), workshop.Documents.Select(d => d.Title));
        foreach (var (document, seeded) in workshop.Documents.Zip(Seed["documents"]!.AsArray()))
        {
            var text = await delegate1.GetFromJsonAsync<TextAtRevision>($"/api/documents/{document.DocId}/text", TestWorkshop.Json);
            Assert.Equal(seeded!["text"]!.GetValue<string>(), text!.Text);
        }
    }

    [Fact]
    public async Task LoadingTheSameSeedAgainIsRefusedAndChangesNothing()
    {
        var first = await node.FirstLoadAsync();
        Assert.True(first.ExitCode == 0, $"the first load failed with {first.ExitCode}: {first.Error}");
        var workshopId = WorkshopIdOf(first);
        using var facilitator = Client(FacilitatorTokenOf(first));
        var before = await facilitator.GetFromJsonAsync<WorkshopView>($"/api/workshops/{workshopId}", TestWorkshop.Json);

        var again = await node.LoadAsync();

        Assert.Equal(1, again.ExitCode);
        Assert.Empty(again.Output);
        Assert.Contains("seed.already_loaded", again.Error, StringComparison.Ordinal);
        Assert.Contains(workshopId, again.Error, StringComparison.Ordinal);
        var claims = node.Services.GetRequiredService<IClusterClient>();
        Assert.Equal(workshopId, await claims.GetGrain<IKeyClaimGrain>(ClaimKeys.Seed("cotonou-2023")).ResolveAsync());
        var after = await facilitator.GetFromJsonAsync<WorkshopView>($"/api/workshops/{workshopId}", TestWorkshop.Json);
        Assert.Equivalent(before, after, strict: true);
    }

    private HttpClient Client(string? token)
    {
        var client = new HttpClient { BaseAddress = node.Address };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    private static List<string> Strings(JsonNode array, string property) => [.. array.AsArray().Select(n => n![property]!.GetValue<string>())];

    private static string WorkshopIdOf(SeedRun run) => SeedOutput.Parse(run.Output).WorkshopId;

    private static Dictionary<string, string> CodesOf(SeedRun run) => new(SeedOutput.Parse(run.Output).Codes);

    private static string FacilitatorTokenOf(SeedRun run) => SeedOutput.Parse(run.Output).FacilitatorToken;
}
