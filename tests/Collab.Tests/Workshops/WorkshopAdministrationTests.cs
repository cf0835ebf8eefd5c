using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Collab.Tests.Web;
using Microsoft.Extensions.Logging;

namespace Collab.Tests.Workshops;

/// <summary>
/// What the browser's Set-up view relies on: a roster previewed line by line without storing anything, a participant's
/// lost rejoin key replaced, sessions that have run kept on the agenda, and names given in every working language. On a
/// real Kestrel, in Production (where refusals must carry their codes and write no Error line) and in Development.
/// </summary>
public abstract class WorkshopAdministrationTests(KestrelWebNode node)
{
    private HttpClient Http() => new() { BaseAddress = node.Address };

    private Task<TestWorkshop> NewWorkshopAsync() => TestWorkshop.CreateAsync(Http);

    private async Task<(HttpStatusCode Status, JsonElement Body)> PostCsvAsync(TestWorkshop workshop, string token, string path, byte[] csv)
    {
        using var client = Http();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/workshops/{workshop.Id}{path}") { Content = new ByteArrayContent(csv) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await client.SendAsync(request);
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    private static async Task<List<JsonElement>> RosterAsync(TestWorkshop workshop) =>
        [.. (await workshop.OkAsync<JsonElement>(workshop.Facilitator.Token, HttpMethod.Get, $"/api/workshops/{workshop.Id}/roster")).EnumerateArray()];

    private static Task<JsonElement> WorkshopAsync(TestWorkshop workshop) =>
        workshop.OkAsync<JsonElement>(workshop.Facilitator.Token, HttpMethod.Get, $"/api/workshops/{workshop.Id}");

    [Fact]
    public async Task RosterPreviewAnswersEveryLineWithItsOutcomeOrErrorAndStoresNothing()
    {
        var workshop = await NewWorkshopAsync();
        await workshop.JoinAsync("Kofi Mensah", delegation: "Ghana");
        var before = await RosterAsync(workshop);

        // Windows-1252, ';' separated, a blank line; errors found by the CSV reader (role) and by the grain (delegation, repeat).
        var csv = Encoding.Latin1.GetBytes(
            "name;delegation;role\r\nJosé Légaré;Bénin;participante\r\n\r\nKofi Mensah;Ghana;participant\r\nAma Owusu;Ghana;chef\r\nLéa Martin;Atlantis;\r\njose legare;;\r\n");
        var (status, preview) = await PostCsvAsync(workshop, workshop.Facilitator.Token, "/roster/preview", csv);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(1, preview.GetProperty("added").GetInt32());
        Assert.Equal(1, preview.GetProperty("updated").GetInt32());
        var rows = preview.GetProperty("rows").EnumerateArray()
            .Select(r => (Line: r.GetProperty("line").GetInt32(), Name: r.GetProperty("name").GetString(), Action: r.GetProperty("action").GetString(),
                Code: r.GetProperty("code").GetString()))
            .ToList();
        Assert.Equal(
            new (int, string?, string?, string?)[]
            {
                (2, "José Légaré", "add", null),
                (4, "Kofi Mensah", "update", null),
                (5, "Ama Owusu", "error", "roster.role_invalid"),
                (6, "Léa Martin", "error", "roster.delegation_unknown"),
                (7, "jose legare", "error", "roster.duplicate_name"),
            },
            rows);
        Assert.Equal(before.Count, (await RosterAsync(workshop)).Count);
        Assert.Equal(before.Select(p => p.ToString()), (await RosterAsync(workshop)).Select(p => p.ToString()));
    }

    [Fact]
    public async Task RosterPreviewIsForFacilitatorsAndAFileThatCannotBeReadIsRefusedWithItsCode()
    {
        var workshop = await NewWorkshopAsync();
        var participant = await workshop.JoinAsync("Awa Zongo");

        var (forbidden, problem) = await PostCsvAsync(workshop, participant.Token, "/roster/preview", "name\nAma\n"u8.ToArray());
        Assert.Equal(HttpStatusCode.Forbidden, forbidden);
        Assert.Equal("workshop.facilitators_only", problem.GetProperty("code").GetString());

        var (bad, header) = await PostCsvAsync(workshop, workshop.Facilitator.Token, "/roster/preview", "email,shoe size\nx@example.org,42\n"u8.ToArray());
        Assert.Equal(HttpStatusCode.BadRequest, bad);
        Assert.StartsWith("roster.", header.GetProperty("code").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RosterPreviewSaysWhenTheWorkshopWouldBeFull()
    {
        var workshop = await NewWorkshopAsync();
        var csv = new StringBuilder("name\n");
        for (var i = 0; i < 500; i++)
        {
            csv.Append("Person ").Append(i).Append('\n');
        }

        var (status, preview) = await PostCsvAsync(workshop, workshop.Facilitator.Token, "/roster/preview", Encoding.UTF8.GetBytes(csv.ToString()));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("workshop.full", preview.GetProperty("code").GetString());
        Assert.Single(await RosterAsync(workshop));
    }

    [Fact]
    public async Task FacilitatorGivesAParticipantANewRejoinKeyAndTheOldOneStopsWorking()
    {
        var workshop = await NewWorkshopAsync();
        var awa = await workshop.JoinAsync("Awa Zongo");

        var reset = await workshop.OkAsync<JsonElement>(workshop.Facilitator.Token, HttpMethod.Post, $"/api/workshops/{workshop.Id}/participants/{awa.Id}/rejoin-key");

        Assert.Equal(awa.Id, reset.GetProperty("participantId").GetString());
        var key = reset.GetProperty("rejoinKey").GetString()!;
        Assert.NotEqual(awa.RejoinKey, key);
        using var again = await workshop.TryJoinAsync(new { code = workshop.Codes["participant"], rejoinKey = key });
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(awa.Id, JsonDocument.Parse(await again.Content.ReadAsStringAsync()).RootElement.GetProperty("participant").GetProperty("id").GetString());
        using var old = await workshop.TryJoinAsync(new { code = workshop.Codes["participant"], rejoinKey = awa.RejoinKey });
        Assert.Equal(HttpStatusCode.Unauthorized, old.StatusCode);

        // Her own sign-in keeps working.
        await workshop.OkAsync<JsonElement>(awa.Token, HttpMethod.Get, $"/api/workshops/{workshop.Id}/me");
    }

    [Fact]
    public async Task RejoinKeysAreResetOnlyByFacilitatorsForPeopleWhoHaveJoined()
    {
        var workshop = await NewWorkshopAsync();
        var awa = await workshop.JoinAsync("Awa Zongo");
        var kofi = await workshop.JoinAsync("Kofi Mensah");
        await PostCsvAsync(workshop, workshop.Facilitator.Token, "/roster", "name\nAma Owusu\n"u8.ToArray());
        var ama = (await RosterAsync(workshop)).Single(p => p.GetProperty("name").GetString() == "Ama Owusu").GetProperty("id").GetString();
        var path = (string id) => $"/api/workshops/{workshop.Id}/participants/{id}/rejoin-key";

        Assert.Equal("workshop.facilitators_only", await workshop.RejectedAsync(kofi.Token, HttpMethod.Post, path(awa.Id), null, 403));
        Assert.Equal("participant.not_joined", await workshop.RejectedAsync(workshop.Facilitator.Token, HttpMethod.Post, path(ama!), null, 409));
        Assert.Equal("participant.not_found", await workshop.RejectedAsync(workshop.Facilitator.Token, HttpMethod.Post, path("p-nobody"), null, 404));

        // Nothing changed: her key still signs her in.
        using var again = await workshop.TryJoinAsync(new { code = workshop.Codes["participant"], rejoinKey = awa.RejoinKey });
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }

    [Fact]
    public async Task ASessionThatHasRunStaysOnTheAgendaWhileOthersCanBeRemoved()
    {
        var workshop = await NewWorkshopAsync();
        var token = workshop.Facilitator.Token;
        var sessions = $"/api/workshops/{workshop.Id}/sessions";
        await workshop.OkAsync<JsonElement>(token, HttpMethod.Post, $"{sessions}/d1-opening/start");
        await workshop.OkAsync<JsonElement>(token, HttpMethod.Post, $"{sessions}/d1-opening/end");
        var before = await WorkshopAsync(workshop);

        object Agenda(params string[] keep) => new
        {
            expectedVersion = before.GetProperty("version").GetInt32(),
            title = before.GetProperty("title").GetString(),
            startsOn = before.GetProperty("startsOn").GetString(),
            endsOn = before.GetProperty("endsOn").GetString(),
            languages = new[] { "en", "fr" },
            agenda = before.GetProperty("agenda").EnumerateArray().Where(s => keep.Contains(s.GetProperty("id").GetString())).ToList(),
        };

        Assert.Equal("session.started", await workshop.RejectedAsync(token, HttpMethod.Put, $"/api/workshops/{workshop.Id}", Agenda("d1-breakouts", "d2-recommendations"), 409));
        Assert.Equal(before.ToString(), (await WorkshopAsync(workshop)).ToString());

        var kept = await workshop.OkAsync<JsonElement>(token, HttpMethod.Put, $"/api/workshops/{workshop.Id}", Agenda("d1-opening", "d2-recommendations"));
        Assert.Equal(new[] { "d1-opening", "d2-recommendations" }, kept.GetProperty("agenda").EnumerateArray().Select(s => s.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task NamesAreGivenInEveryWorkingLanguageAndReadBackButNotInOtherLanguages()
    {
        var workshop = await NewWorkshopAsync();
        var token = workshop.Facilitator.Token;
        var before = await WorkshopAsync(workshop);
        object Update(object names) => new
        {
            expectedVersion = before.GetProperty("version").GetInt32(),
            title = before.GetProperty("title").GetString(),
            startsOn = before.GetProperty("startsOn").GetString(),
            endsOn = before.GetProperty("endsOn").GetString(),
            languages = new[] { "en", "fr" },
            delegations = new object[] { new { id = "bj", name = "Benin", kind = "country", language = "fr", names } },
            agenda = new object[] { new { id = "d1-opening", day = 1, title = "Opening plenary", kind = "plenary", titles = names } },
            themes = new object[] { new { name = "Early warning", names } },
        };

        Assert.Equal(
            "workshop.translation_language_unsupported",
            await workshop.RejectedAsync(token, HttpMethod.Put, $"/api/workshops/{workshop.Id}", Update(new Dictionary<string, string> { ["pt"] = "Benim" }), 400));
        Assert.Equal(before.ToString(), (await WorkshopAsync(workshop)).ToString());

        var saved = await workshop.OkAsync<JsonElement>(
            token, HttpMethod.Put, $"/api/workshops/{workshop.Id}", Update(new Dictionary<string, string> { ["FR"] = "  Bénin\u200b ", ["en"] = "" }));

        Assert.Equal("""{"fr":"Bénin"}""", saved.GetProperty("delegations")[0].GetProperty("names").GetRawText());
        Assert.Equal("""{"fr":"Bénin"}""", saved.GetProperty("agenda")[0].GetProperty("titles").GetRawText());
        Assert.Equal("""{"fr":"Bénin"}""", saved.GetProperty("themes")[0].GetProperty("names").GetRawText());
        Assert.Equal(saved.ToString(), (await WorkshopAsync(workshop)).ToString());

        // The outcome in French names them in French, in English in English.
        var french = await workshop.SendAsync(token, HttpMethod.Get, $"/api/workshops/{workshop.Id}/outcome?format=md&lang=fr");
        var english = await workshop.SendAsync(token, HttpMethod.Get, $"/api/workshops/{workshop.Id}/outcome?format=md&lang=en");
        Assert.Contains("- Bénin", await french.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("— Bénin", await french.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("- Benin", await english.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // A workshop given single names reads back without forms.
        var plain = await WorkshopAsync(await NewWorkshopAsync());
        Assert.Equal(JsonValueKind.Null, plain.GetProperty("delegations")[0].GetProperty("names").ValueKind);
        Assert.Equal(0, plain.GetProperty("themes").GetArrayLength());
    }
}

public sealed class WorkshopAdministrationInProductionTests(ProductionWebNode node) : WorkshopAdministrationTests(node), IClassFixture<ProductionWebNode>
{
    [Fact]
    public async Task RefusalsOfTheAdministrationApiWriteNoErrorLogLine()
    {
        await RosterPreviewIsForFacilitatorsAndAFileThatCannotBeReadIsRefusedWithItsCode();
        await RejoinKeysAreResetOnlyByFacilitatorsForPeopleWhoHaveJoined();
        await ASessionThatHasRunStaysOnTheAgendaWhileOthersCanBeRemoved();

        var errors = node.Logs.Entries.Where(e => e.Level >= LogLevel.Error).Select(e => $"{e.Category}: {e.Text}").ToList();
        Assert.True(errors.Count == 0, string.Join('\n', errors));
    }
}

public sealed class WorkshopAdministrationInDevelopmentTests(DevelopmentWebNode node) : WorkshopAdministrationTests(node), IClassFixture<DevelopmentWebNode>;
