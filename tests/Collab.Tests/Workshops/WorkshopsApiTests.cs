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
            ["creator"] = new { name = "Kossi Agbeko" },
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
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(TestWorkshop.Json);
        var created = body.GetProperty("workshop").Deserialize<WorkshopView>(TestWorkshop.Json)!;
        Assert.Equal($"/api/workshops/{created.Id}", response.Headers.Location?.ToString());
        Assert.Equal("Regional conference: sharing best practices", created.Title);
        Assert.Equal(["en", "fr"], created.Languages);
        Assert.Equal("facilitator", body.GetProperty("facilitator").GetProperty("participant").GetProperty("role").GetString());
        Assert.Equal(4, body.GetProperty("joinCodes").GetArrayLength());

        using var read = new HttpRequestMessage(HttpMethod.Get, response.Headers.Location);
        read.Headers.Authorization = new("Bearer", body.GetProperty("facilitator").GetProperty("token").GetString());
        var again = await (await _http.SendAsync(read)).Content.ReadFromJsonAsync<WorkshopView>(TestWorkshop.Json);
        Assert.Equivalent(created, again, strict: true);
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
    public async Task ReadingAWorkshopWithoutATokenIsAnUnauthorizedProblem()
    {
        var problem = await ProblemAsync(await _http.GetAsync("/api/workshops/no-such-workshop"), HttpStatusCode.Unauthorized);

        Assert.Equal("auth.required", problem.GetProperty("code").GetString());
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
    public async Task RejectedCreationStoresNothing()
    {
        var grain = node.Services.GetRequiredService<IClusterClient>().GetGrain<IWorkshopGrain>("rejected-" + Guid.NewGuid().ToString("N"));

        await Assert.ThrowsAsync<ValidationFailedException>(() =>
            grain.CreateAsync(Command("")));

        var missing = await Assert.ThrowsAsync<NotFoundException>(() => grain.GetAsync(new Caller("p", "P", grain.GetPrimaryKeyString(), Role.Facilitator)));
        Assert.Equal("workshop.not_found", missing.Code);
    }

    [Fact]
    public async Task CreatingAnExistingWorkshopIsAConflictAndKeepsTheOriginal()
    {
        var grain = node.Services.GetRequiredService<IClusterClient>().GetGrain<IWorkshopGrain>("twice-" + Guid.NewGuid().ToString("N"));
        var original = await grain.CreateAsync(Command("First"));
        var facilitator = new Caller(original.Creator.Participant.Id, "F", grain.GetPrimaryKeyString(), Role.Facilitator);

        var conflict = await Assert.ThrowsAsync<ConflictException>(() => grain.CreateAsync(Command("Second")));

        Assert.Equal("workshop.already_exists", conflict.Code);
        Assert.Equivalent(original.Workshop, await grain.GetAsync(facilitator), strict: true);
    }

    private static CreateWorkshop Command(string title) =>
        new(title, null, new DateOnly(2026, 11, 30), new DateOnly(2026, 11, 30), ["fr"], null, null, null, null, "Creator", null, null, null);
}
