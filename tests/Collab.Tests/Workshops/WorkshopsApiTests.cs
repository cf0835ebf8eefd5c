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

    [Fact]
    public async Task FacilitatorUpdatesTheWorkshopAndAStaleVersionIsAConflict()
    {
        var workshop = await TestWorkshop.CreateAsync(node.CreateClient);
        var path = $"/api/workshops/{workshop.Id}";
        var before = await workshop.OkAsync<WorkshopView>(workshop.Facilitator.Token, HttpMethod.Get, path);
        object Update(int version, string title) => new
        {
            expectedVersion = version,
            title,
            venue = "Cotonou, Bénin",
            startsOn = "2023-12-06",
            endsOn = "2023-12-07",
            languages = new[] { "fr", "en" },
            agenda = new object[] { new { id = "d1-opening", day = 1, title = "Ouverture", kind = "plenary" } },
        };

        var updated = await workshop.OkAsync<WorkshopView>(workshop.Facilitator.Token, HttpMethod.Put, path, Update(before.Version, "Conférence régionale"));
        var stale = await workshop.RejectedAsync(workshop.Facilitator.Token, HttpMethod.Put, path, Update(before.Version, "Lost update"), 409);

        Assert.Equal("Conférence régionale", updated.Title);
        Assert.Equal(["fr", "en"], updated.Languages);
        Assert.Equal(["d1-opening"], updated.Agenda.Select(s => s.Id));
        Assert.Equal(before.Delegations, updated.Delegations);
        Assert.Equal("workshop.version_conflict", stale);
        Assert.Equal("Conférence régionale", (await workshop.OkAsync<WorkshopView>(workshop.Facilitator.Token, HttpMethod.Get, path)).Title);
    }

    [Fact]
    public async Task ParticipantCannotUpdateTheWorkshop()
    {
        var workshop = await TestWorkshop.CreateAsync(node.CreateClient);
        var participant = await workshop.JoinAsync("Kofi Mensah", delegation: "gh");

        var code = await workshop.RejectedAsync(participant.Token, HttpMethod.Put, $"/api/workshops/{workshop.Id}", new
        {
            title = "Hijacked", startsOn = "2023-12-06", endsOn = "2023-12-07", languages = new[] { "en" },
        }, 403);

        Assert.Equal("workshop.facilitators_only", code);
        var read = await workshop.OkAsync<WorkshopView>(participant.Token, HttpMethod.Get, $"/api/workshops/{workshop.Id}");
        Assert.Equal("Regional conference on border community engagement", read.Title);
    }

    [Fact]
    public async Task DelegationsAndAgendaAreNormalizedAndInvalidOnesRejected()
    {
        var created = await TestWorkshop.CreateAsync(node.CreateClient, new
        {
            title = "Atelier",
            startsOn = "2023-12-06",
            endsOn = "2023-12-07",
            languages = new[] { "fr" },
            creator = new { name = "F" },
            delegations = new object[] { new { name = "Côte d'Ivoire" } },
            agenda = new object[] { new { day = 2, title = "Clôture", kind = "Plenary" } },
        });
        var view = await created.OkAsync<WorkshopView>(created.Facilitator.Token, HttpMethod.Get, $"/api/workshops/{created.Id}");

        Assert.Equal("cote-d-ivoire", Assert.Single(view.Delegations).Id);
        var closing = Assert.Single(view.Agenda);
        Assert.Equal(("d2-1", "plenary"), (closing.Id, closing.Kind));
        Assert.Equal(["share", "draft", "review", "adopt"], closing.Phases);

        using var http = node.CreateClient();
        var badDay = await http.PostAsJsonAsync("/api/workshops", new
        {
            title = "Atelier", startsOn = "2023-12-06", endsOn = "2023-12-07", languages = new[] { "fr" }, creator = new { name = "F" },
            agenda = new object[] { new { day = 3, title = "Day three", kind = "plenary" } },
        });
        Assert.Equal("session.day_invalid", (await ProblemAsync(badDay, HttpStatusCode.BadRequest)).GetProperty("code").GetString());
    }

    private static CreateWorkshop Command(string title) =>
        new(title, null, new DateOnly(2026, 11, 30), new DateOnly(2026, 11, 30), ["fr"], null, null, null, null, "Creator", null, null, null);
}
