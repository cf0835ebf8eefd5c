using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Collab.Errors;
using Collab.Workshops;
using Microsoft.Extensions.DependencyInjection;

namespace Collab.Tests.Workshops;

public sealed class WorkshopsApiTests(EmbeddedWebNode node) : IClassFixture<EmbeddedWebNode>
{
    private readonly HttpClient _http = node.CreateClient();

    private static Dictionary<string, object?> Conference(Action<Dictionary<string, object?>>? change = null)
    {
        var body = new Dictionary<string, object?>
        {
            ["title"] = "  Regional conference: sharing best practices  ",
            ["venue"] = "Lomé, Togo",
            ["startsOn"] = "2026-11-30",
            ["endsOn"] = "2026-12-01",
            ["languages"] = new[] { "EN", "fr" },
        };
        change?.Invoke(body);
        return body;
    }

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    [Fact]
    public async Task CreatedWorkshopIsReadBackAtItsLocation()
    {
        var response = await _http.PostAsJsonAsync("/api/workshops", Conference());

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = (await response.Content.ReadFromJsonAsync<WorkshopView>())!;
        Assert.Equal($"/api/workshops/{created.Id}", response.Headers.Location?.ToString());
        Assert.Equal("Regional conference: sharing best practices", created.Title);
        Assert.Equal(["en", "fr"], created.Languages);

        var read = await _http.GetFromJsonAsync<WorkshopView>(response.Headers.Location);
        Assert.Equivalent(created, read, strict: true);
    }

    [Theory]
    [InlineData("title", "", "workshop.title_required")]
    [InlineData("title", "x", null)]
    [InlineData("endsOn", "2026-11-29", "workshop.dates_reversed")]
    [InlineData("endsOn", "2027-01-15", "workshop.too_long")]
    [InlineData("languages", "english", "workshop.language_invalid")]
    [InlineData("languages", "", "workshop.languages_count")]
    [InlineData("languages", "fr,FR", "workshop.language_repeated")]
    public async Task InvalidWorkshopIsRejectedWithItsCodeAndField(string field, string value, string? code)
    {
        var body = Conference(b => b[field] = field == "languages"
            ? value.Split(',', StringSplitOptions.RemoveEmptyEntries)
            : value);

        var response = await _http.PostAsJsonAsync("/api/workshops", body);

        if (code is null)
        {
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            return;
        }

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(code, problem.GetProperty("code").GetString());
        Assert.Equal(field, problem.GetProperty("field").GetString());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()));
    }

    [Fact]
    public async Task TitleOverTheLimitIsRejected()
    {
        var response = await _http.PostAsJsonAsync("/api/workshops", Conference(b => b["title"] = new string('é', 201)));

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("workshop.title_too_long", problem.GetProperty("code").GetString());
    }

    [Fact]
    public async Task UnknownWorkshopIsANotFoundProblem()
    {
        var problem = await ProblemAsync(await _http.GetAsync("/api/workshops/no-such-workshop"), HttpStatusCode.NotFound);

        Assert.Equal("workshop.not_found", problem.GetProperty("code").GetString());
    }

    [Fact]
    public async Task MalformedJsonIsABadRequestProblem()
    {
        using var content = new StringContent("{\"title\": ", System.Text.Encoding.UTF8, "application/json");

        var response = await _http.PostAsync("/api/workshops", content);

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("request.malformed", problem.GetProperty("code").GetString());
    }

    [Fact]
    public async Task SeedConferenceLoadsThroughTheApi()
    {
        var seed = await File.ReadAllTextAsync(Path.Combine(RepoRoot.Path, "seeds", "regional-conference.json"));
        using var content = new StringContent(seed, System.Text.Encoding.UTF8, "application/json");

        var response = await _http.PostAsync("/api/workshops", content);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = (await response.Content.ReadFromJsonAsync<WorkshopView>())!;
        Assert.Equal("Regional Conference on Border Community Engagement", created.Title);
        Assert.Equal("Cotonou, Benin", created.Venue);
        Assert.Equal(["en", "fr"], created.Languages);
    }


    [Fact]
    public async Task RejectedCreationStoresNothing()
    {
        var grain = node.Services.GetRequiredService<IClusterClient>().GetGrain<IWorkshopGrain>("rejected-" + Guid.NewGuid().ToString("N"));

        await Assert.ThrowsAsync<ValidationFailedException>(() =>
            grain.CreateAsync(new CreateWorkshop("", null, new DateOnly(2026, 11, 30), new DateOnly(2026, 12, 1), ["en"])));

        var missing = await Assert.ThrowsAsync<NotFoundException>(grain.GetAsync);
        Assert.Equal("workshop.not_found", missing.Code);
    }

    [Fact]
    public async Task CreatingAnExistingWorkshopIsAConflictAndKeepsTheOriginal()
    {
        var grain = node.Services.GetRequiredService<IClusterClient>().GetGrain<IWorkshopGrain>("twice-" + Guid.NewGuid().ToString("N"));
        var original = await grain.CreateAsync(new CreateWorkshop("First", null, new DateOnly(2026, 11, 30), new DateOnly(2026, 11, 30), ["fr"]));

        var conflict = await Assert.ThrowsAsync<ConflictException>(() =>
            grain.CreateAsync(new CreateWorkshop("Second", null, new DateOnly(2026, 11, 30), new DateOnly(2026, 11, 30), ["en"])));

        Assert.Equal("workshop.already_exists", conflict.Code);
        Assert.Equivalent(original, await grain.GetAsync(), strict: true);
    }
}
