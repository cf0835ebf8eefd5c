using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Collab.Workshops;

namespace Collab.Tests.Web;

/// <summary>
/// Every string, list and id a client sends over HTTP is bounded, and what is out of bounds gets its typed code, changes
/// nothing, and wakes no grain: ids in paths and bodies that cannot be the caller's are refused at the edge.
/// </summary>
public sealed class HttpInputBoundsTests(FaultyClusterWebNode node) : IClassFixture<FaultyClusterWebNode>
{
    private static readonly string Huge = new('x', 100_000);

    private Task<TestWorkshop> NewWorkshopAsync(object? body = null) => TestWorkshop.CreateAsync(() => new HttpClient { BaseAddress = node.Address }, body);

    public static TheoryData<string, string> ForeignOrMalformedPaths => new()
    {
        { "/api/workshops/{other}/roster", "workshop.not_found" },
        { "/api/workshops/{other}/presence", "workshop.not_found" },
        { "/api/workshops/{other}/sessions/d1-opening", "session.not_found" },
        { "/api/workshops/{other}/recommendations/r-1", "recommendation.not_found" },
        { "/api/workshops/{other}/outcome/versions", "workshop.not_found" },
        { "/api/documents/{other}.plenary.0a1b2c3d", "document.not_found" },
        { "/api/documents/{other}.plenary.0a1b2c3d/ops", "document.not_found" },
        { "/api/workshops/{mine}/sessions/" + new string('s', 300), "session.not_found" },
        { "/api/workshops/{mine}/sessions/a%20b", "session.not_found" },
        { "/api/workshops/{mine}/recommendations/" + new string('r', 300), "recommendation.not_found" },
        { "/api/documents/" + "{mine}.plenary." + new string('d', 300), "document.not_found" },
    };

    [Theory]
    [MemberData(nameof(ForeignOrMalformedPaths))]
    public async Task IdThatCannotBeTheCallersIsNotFoundAndWakesNoGrain(string template, string code)
    {
        var mine = await NewWorkshopAsync();
        var other = await NewWorkshopAsync();
        var path = template.Replace("{other}", other.Id, StringComparison.Ordinal).Replace("{mine}", mine.Id, StringComparison.Ordinal);
        var before = node.Faults.CalledKeys.Count;

        Assert.Equal(code, await mine.RejectedAsync(mine.Facilitator.Token, HttpMethod.Get, path, null, 404));

        // No grain of the other workshop, nor one keyed by the malformed id, was called (the caller's sign-in check was).
        var called = node.Faults.CalledKeys.Skip(before).ToList();
        Assert.Contains(mine.Id, called);
        Assert.DoesNotContain(called, key => key.Contains(other.Id, StringComparison.Ordinal) || key.Length > 250 || key.Contains(' ', StringComparison.Ordinal));
    }

    [Fact]
    public async Task ProvenanceInAnotherWorkshopIsNotFoundAndWakesNoGrain()
    {
        var mine = await NewWorkshopAsync();
        var other = await NewWorkshopAsync();
        var foreign = await other.NewDocumentAsync("Theirs", "Their notes");
        var before = node.Faults.CalledKeys.Count;

        var code = await mine.RejectedAsync(mine.Facilitator.Token, HttpMethod.Post, $"/api/workshops/{mine.Id}/recommendations", new
        {
            title = "Borrowed",
            text = "x",
            provenance = new[] { new { docId = foreign, start = 0, end = 5, revision = 0 } },
        }, 404);

        Assert.Equal("document.not_found", code);
        Assert.DoesNotContain(node.Faults.CalledKeys.Skip(before), key => key == foreign);
    }

    /// <summary>A workshop body with one field replaced.</summary>
    private static Dictionary<string, object?> Workshop(string field, object? value)
    {
        var body = new Dictionary<string, object?>
        {
            ["title"] = "Atelier",
            ["startsOn"] = "2023-12-06",
            ["endsOn"] = "2023-12-07",
            ["languages"] = new[] { "fr", "en" },
            ["creator"] = new { name = "F" },
        };
        body[field] = value;
        return body;
    }

    public static TheoryData<string, object?, string> OversizeWorkshops => new()
    {
        { "title", Huge, "workshop.title_too_long" },
        { "venue", Huge, "workshop.venue_too_long" },
        { "languages", new[] { "fr", "en", "pt", "es", "de" }, "workshop.languages_count" },
        { "languages", new[] { Huge }, "workshop.language_invalid" },
        { "organisers", Enumerable.Range(0, 21).Select(i => $"Org {i}").ToArray(), "workshop.organisers_too_many" },
        { "funders", new[] { Huge }, "workshop.funders_too_long" },
        { "delegations", Enumerable.Range(0, 61).Select(i => new { name = $"Delegation {i}" }).ToArray(), "workshop.too_many_delegations" },
        { "delegations", new[] { new { id = Huge, name = "Togo" } }, "delegation.id_invalid" },
        { "delegations", new[] { new { name = "Togo", kind = Huge } }, "delegation.kind_too_long" },
        { "agenda", Enumerable.Range(0, 41).Select(i => new { day = 1, title = $"S {i}" }).ToArray(), "workshop.too_many_sessions" },
        { "agenda", new[] { new { day = 1, title = "S", phases = Enumerable.Range(0, 11).Select(i => $"p{i}").ToArray() } }, "session.phases_invalid" },
        { "agenda", new[] { new { day = 1, title = "S", phases = new[] { Huge } } }, "session.phase_too_long" },
        { "agenda", new[] { new { day = 1, title = "S", kind = Huge } }, "session.kind_invalid" },
        { "creator", new { name = Huge }, "participant.name_too_long" },
        { "creator", new { name = "F", delegation = Huge }, "participant.delegation_unknown" },
        { "creator", new { name = "F", language = Huge }, "participant.language_unsupported" },
    };

    [Theory]
    [MemberData(nameof(OversizeWorkshops))]
    public async Task OversizeWorkshopIsRefusedWithItsCode(string field, object? value, string code)
    {
        using var http = new HttpClient { BaseAddress = node.Address };

        using var response = await http.PostAsJsonAsync("/api/workshops", Workshop(field, value), TestWorkshop.Json);

        await HttpErrorsTests.ProblemAsync(response, HttpStatusCode.BadRequest, code);
    }

    public static TheoryData<string, string, int> OversizeJoins => new()
    {
        { "code", "join.code_invalid", 401 },
        { "displayName", "participant.name_too_long", 400 },
        { "delegation", "participant.delegation_unknown", 400 },
        { "language", "participant.language_unsupported", 400 },
        { "rejoinKey", "join.rejoin_key_invalid", 401 },
    };

    [Theory]
    [MemberData(nameof(OversizeJoins))]
    public async Task OversizeJoinIsRefusedWithItsCode(string field, string code, int status)
    {
        var workshop = await NewWorkshopAsync();
        var body = new Dictionary<string, string> { ["code"] = workshop.Codes["participant"], ["displayName"] = "Ama" };
        body[field] = Huge;

        using var response = await workshop.TryJoinAsync(body);

        await HttpErrorsTests.ProblemAsync(response, (HttpStatusCode)status, code);
        Assert.Equal(1, (await workshop.OkAsync<WorkshopView>(workshop.Facilitator.Token, HttpMethod.Get, $"/api/workshops/{workshop.Id}")).ParticipantCount);
    }

    public static TheoryData<string, object, string> OversizeBreakouts => new()
    {
        { "too many names", new { naming = "named", names = Enumerable.Range(0, 41).Select(i => $"G{i}").ToArray() }, "breakouts.count_invalid" },
        { "huge name", new { naming = "named", names = new[] { Huge } }, "participant.name_too_long" },
        {
            "one language twice",
            new { naming = "numbered", count = 2, sections = new[] { new { key = "notes", titles = new Dictionary<string, string> { ["en"] = "Notes", ["EN"] = "Notes again" } } } },
            "breakouts.sections_invalid"
        },
        {
            "too many titles",
            new { naming = "numbered", count = 2, sections = new[] { new { key = "notes", titles = Enumerable.Range(0, 11).ToDictionary(i => $"l{i}", i => "Notes") } } },
            "breakouts.sections_invalid"
        },
        {
            "huge language",
            new { naming = "numbered", count = 2, sections = new[] { new { key = "notes", titles = new Dictionary<string, string> { [Huge] = "Notes" } } } },
            "breakouts.sections_invalid"
        },
        { "huge key", new { naming = "numbered", count = 2, sections = new[] { new { key = Huge, titles = new Dictionary<string, string> { ["en"] = "Notes" } } } }, "breakouts.sections_invalid" },
    };

    [Theory]
    [MemberData(nameof(OversizeBreakouts))]
    public async Task OversizeBreakoutsAreRefusedWithTheirCode(string kind, object body, string code)
    {
        var workshop = await NewWorkshopAsync(TestWorkshop.DefaultBody());
        var session = $"/api/workshops/{workshop.Id}/sessions/d1-breakouts";
        await workshop.OkAsync<JsonElement>(workshop.Facilitator.Token, HttpMethod.Post, session + "/start");

        Assert.True(code == await workshop.RejectedAsync(workshop.Facilitator.Token, HttpMethod.Post, session + "/breakouts", body, 400), kind);
        var view = await workshop.OkAsync<JsonElement>(workshop.Facilitator.Token, HttpMethod.Get, session);
        Assert.Equal(JsonValueKind.Null, view.GetProperty("breakouts").ValueKind);
    }

    public static TheoryData<string, string, string> NullItems => new()
    {
        { "/api/workshops", """{"title":"T","startsOn":"2026-11-30","endsOn":"2026-11-30","languages":["en"],"creator":{"name":"F"},"delegations":[null]}""", "delegation.name_required" },
        { "/api/workshops", """{"title":"T","startsOn":"2026-11-30","endsOn":"2026-11-30","languages":["en"],"creator":{"name":"F"},"agenda":[null]}""", "session.title_required" },
        { "/api/workshops", """{"title":"T","startsOn":"2026-11-30","endsOn":"2026-11-30","languages":[null],"creator":{"name":"F"}}""", "workshop.language_invalid" },
        { "/api/workshops", """{"title":"T","startsOn":"2026-11-30","endsOn":"2026-11-30","languages":["en"],"creator":{"name":"F"},"agenda":[{"day":1,"title":"S","phases":[null]}]}""", "session.phase_required" },
        { "{workshop}/recommendations", """{"title":"T","text":"x","provenance":[null]}""", "document.not_found" },
        { "{workshop}/recommendations/merge", """{"title":"T","sources":[null,null]}""", "recommendation.not_found" },
        { "{workshop}/sessions/d1-breakouts/breakouts", """{"naming":"numbered","count":2,"sections":[null]}""", "breakouts.sections_invalid" },
        { "{workshop}/sessions/d1-breakouts/breakouts", """{"naming":"named","names":[null]}""", "participant.name_required" },
        { "{workshop}/sessions/d1-breakouts/breakouts", """{"naming":"numbered","count":2,"sections":[{"key":"k","titles":{"en":null}}]}""", "breakouts.sections_invalid" },
    };

    [Theory]
    [MemberData(nameof(NullItems))]
    public async Task NullInAListIsRefusedWithItsCode(string path, string json, string code)
    {
        var workshop = await NewWorkshopAsync(TestWorkshop.DefaultBody());
        await workshop.OkAsync<JsonElement>(workshop.Facilitator.Token, HttpMethod.Post, $"/api/workshops/{workshop.Id}/sessions/d1-breakouts/start");
        using var http = new HttpClient { BaseAddress = node.Address };
        using var request = new HttpRequestMessage(HttpMethod.Post, path.Replace("{workshop}", $"/api/workshops/{workshop.Id}", StringComparison.Ordinal))
        {
            Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new("Bearer", workshop.Facilitator.Token);

        using var response = await http.SendAsync(request);

        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.NotFound, $"{(int)response.StatusCode}: {problem}");
        Assert.Equal(code, problem.GetProperty("code").GetString());
    }

    [Fact]
    public async Task TitlesAndLabelsAreStoredClean()
    {
        var workshop = await NewWorkshopAsync(TestWorkshop.DefaultBody());

        var document = await workshop.OkAsync<JsonElement>(
            workshop.Facilitator.Token, HttpMethod.Post, $"/api/workshops/{workshop.Id}/documents", new { title = "Notes\u200b du\u202e jour", text = "" });
        var session = $"/api/workshops/{workshop.Id}/sessions/d1-opening";
        await workshop.OkAsync<JsonElement>(workshop.Facilitator.Token, HttpMethod.Post, session + "/start");
        var timed = await workshop.OkAsync<JsonElement>(
            workshop.Facilitator.Token, HttpMethod.Post, session + "/timer", new { action = "start", seconds = 60, label = "Pause\u2066 café\u200d" });
        var labelTooLong = await workshop.RejectedAsync(
            workshop.Facilitator.Token, HttpMethod.Post, session + "/timer", new { action = "start", seconds = 60, label = Huge }, 400);

        Assert.Equal("Notes du jour", document.GetProperty("title").GetString());
        Assert.Equal("Pause café", timed.GetProperty("timer").GetProperty("label").GetString());
        Assert.Equal("timer.label_too_long", labelTooLong);
    }
}
