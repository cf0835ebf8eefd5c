using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Collab.Tests.Web;
using Collab.Workshops;

namespace Collab.Tests.Workshops;

/// <summary>
/// Names and rosters as an attacker or a badly saved file sends them, through the real HTTP API in Production: a name
/// that looks like someone else's is that someone's name, what is stored is clean Unicode, and no encoding mistake is
/// stored as U+FFFD.
/// </summary>
public sealed class HostileIdentityInputTests(ProductionWebNode node) : IClassFixture<ProductionWebNode>
{
    private Task<TestWorkshop> NewWorkshopAsync() => TestWorkshop.CreateAsync(() => new HttpClient { BaseAddress = node.Address });

    /// <summary>Ways to write "Fac Two" so that it shows (almost) exactly like it.</summary>
    public static TheoryData<string, string> LookAlikes => new()
    {
        { "zero-width space", "Fac\u200b Two" },
        { "zero-width joiner", "Fac Tw\u200do" },
        { "zero-width non-joiner", "F\u200cac Two" },
        { "word joiner", "Fac\u2060 Two" },
        { "byte order mark", "\ufeffFac Two" },
        { "soft hyphen", "Fac T\u00adwo" },
        { "right-to-left override", "Fac Two\u202e" },
        { "left-to-right isolate", "\u2066Fac Two\u2069" },
        { "left-to-right mark", "Fac\u200e Two" },
        { "variation selector", "Fac\ufe0f Two" },
        { "tag character", "Fac Two\U000E0041" },
        { "Hangul filler", "Fac\u3164Two" },
        { "no-break space", "Fac\u00a0Two" },
        { "ideographic space", "Fac\u3000Two" },
        { "line break", "Fac\nTwo" },
        { "two spaces", "Fac  Two" },
        { "combining acute (not NFC)", "Fa\u0301c Two" },
        { "full-width letters", "\uff26\uff41\uff43 \uff34\uff57\uff4f" },
        { "Cyrillic a", "F\u0430c Two" },
        { "Greek capital T and omicron", "Fac \u03a4w\u03bf" },
        { "other case", "fac two" },
    };

    [Theory]
    [MemberData(nameof(LookAlikes))]
    public async Task LookAlikeNameCannotJoinBesideTheOneItImitates(string kind, string name)
    {
        var workshop = await NewWorkshopAsync();
        await workshop.JoinAsync("Fac Two", "facilitator");
        var before = await RosterAsync(workshop);

        using var response = await workshop.TryJoinAsync(new { code = workshop.Codes["participant"], displayName = name });

        var problem = await HttpErrorsTests.ProblemAsync(response, HttpStatusCode.Conflict, "participant.name_taken");
        Assert.True(problem.GetProperty("title").GetString()!.Contains("Fac Two", StringComparison.Ordinal), kind);
        Assert.Equal(before, await RosterAsync(workshop));
    }

    [Fact]
    public async Task StoredNameIsNfcWithoutInvisibleCharacters()
    {
        var workshop = await NewWorkshopAsync();

        var joined = await workshop.JoinAsync("\u202eJose\u0301\u200b\u00a0 L\u00e9gar\u0065\u0301\u2069");

        Assert.Equal("José Légaré", joined.Name);
        var stored = Assert.Single(await RosterAsync(workshop), p => p.Id == joined.Id).Name;
        Assert.Equal("José Légaré", stored);
        Assert.True(stored.IsNormalized(NormalizationForm.FormC));
    }

    /// <param name="name">The display name as JSON escapes write it (so that a lone surrogate can be sent at all).</param>
    [Theory]
    [InlineData(@"Bad \ufffd Name", "participant.name_invalid")]
    [InlineData(@"Noncharacter \uffff", "participant.name_invalid")]
    [InlineData(@"Za\u0301\u0302\u0303\u0304\u0305\u0306lgo", "participant.name_invalid")]
    [InlineData(@"Lone \ud800 surrogate", "request.malformed")]
    [InlineData(@"Reversed \udc00\ud800 pair", "request.malformed")]
    public async Task NameWithGarbledOrStackedCharactersIsRefused(string name, string code)
    {
        var workshop = await NewWorkshopAsync();
        var before = await RosterAsync(workshop);
        using var http = new HttpClient { BaseAddress = node.Address };
        using var body = new StringContent($$"""{"code":"{{workshop.Codes["participant"]}}","displayName":"{{name}}"}""", Encoding.UTF8, "application/json");

        using var response = await http.PostAsync("/api/join", body);

        var problem = await HttpErrorsTests.ProblemAsync(response, HttpStatusCode.BadRequest, code);
        Assert.Equal("displayName", problem.GetProperty("field").GetString());
        Assert.Equal(before, await RosterAsync(workshop));
    }

    [Fact]
    public async Task NameOfNothingButInvisibleCharactersIsRequired()
    {
        var workshop = await NewWorkshopAsync();

        using var response = await workshop.TryJoinAsync(new { code = workshop.Codes["participant"], displayName = "\u200b\u202e\u3164\u2800 " });

        await HttpErrorsTests.ProblemAsync(response, HttpStatusCode.BadRequest, "participant.name_required");
    }

    [Fact]
    public async Task LookAlikeDelegationsAndGroupNamesAreOneName()
    {
        using var http = new HttpClient { BaseAddress = node.Address };
        using var created = await http.PostAsJsonAsync("/api/workshops", new
        {
            title = "Atelier\u202e",
            startsOn = "2023-12-06",
            endsOn = "2023-12-07",
            languages = new[] { "fr" },
            creator = new { name = "F" },
            delegations = new object[] { new { id = "tg", name = "Togo" }, new { id = "tg2", name = "T\u200bogo" } },
        });

        await HttpErrorsTests.ProblemAsync(created, HttpStatusCode.BadRequest, "delegation.repeated");

        var workshop = await NewWorkshopAsync();
        await workshop.OkAsync<JsonElement>(workshop.Facilitator.Token, HttpMethod.Post, $"/api/workshops/{workshop.Id}/sessions/d1-breakouts/start");
        var code = await workshop.RejectedAsync(workshop.Facilitator.Token, HttpMethod.Post, $"/api/workshops/{workshop.Id}/sessions/d1-breakouts/breakouts", new
        {
            naming = "named",
            names = new[] { "Groupe A", "Groupe\u00a0\u0410" },
        }, 400);
        Assert.Equal("breakouts.names_repeated", code);
    }

    [Fact]
    public async Task TitlesAndOrganisersAreStoredClean()
    {
        var workshop = await TestWorkshop.CreateAsync(() => new HttpClient { BaseAddress = node.Address }, new
        {
            title = "Atelier\u202e r\u00e9gional\u200b",
            startsOn = "2023-12-06",
            endsOn = "2023-12-07",
            languages = new[] { "fr" },
            organisers = new[] { "UEMOA\u2066" },
            creator = new { name = "F" },
        });

        var view = await workshop.OkAsync<WorkshopView>(workshop.Facilitator.Token, HttpMethod.Get, $"/api/workshops/{workshop.Id}");

        Assert.Equal("Atelier régional", view.Title);
        Assert.Equal(["UEMOA"], view.Organisers);
    }

    /// <summary>"José Légaré" and "Hélène Côté" as each way of saving a roster writes them.</summary>
    public static TheoryData<string> Encodings => ["windows-1252", "utf-8", "utf-8 with bom", "utf-16le with bom", "utf-16be with bom"];

    [Theory]
    [MemberData(nameof(Encodings))]
    public async Task RosterIsReadInTheEncodingItWasSavedIn(string encoding)
    {
        const string Csv = "name;delegation;group\r\nJosé Légaré;Togo;Équipe Sécurité\r\nHélène Côté;;\r\n";
        var workshop = await NewWorkshopAsync();

        var imported = await ImportAsync(workshop, Encode(Csv, encoding));

        Assert.Equal(HttpStatusCode.OK, imported.StatusCode);
        var roster = await RosterAsync(workshop);
        Assert.Contains(roster, p => p.Name == "José Légaré" && p.Delegation == "tg" && p.Group == "Équipe Sécurité");
        Assert.Contains(roster, p => p.Name == "Hélène Côté");
        Assert.DoesNotContain(roster, p => p.Name.Contains('\ufffd', StringComparison.Ordinal) || (p.Group?.Contains('\ufffd', StringComparison.Ordinal) ?? false));
    }

    [Fact]
    public async Task RosterMixingUtf8AndWindows1252IsRefusedNamingTheLine()
    {
        var workshop = await NewWorkshopAsync();
        var before = await RosterAsync(workshop);
        var bytes = Encoding.UTF8.GetBytes("name\nAdjoa Mensah\nHélène Côté\n")
            .Concat(Encode("José Légaré\n", "windows-1252")).ToArray();

        using var response = await ImportAsync(workshop, bytes);

        var problem = await HttpErrorsTests.ProblemAsync(response, HttpStatusCode.BadRequest, "roster.encoding_invalid");
        Assert.StartsWith("Line 4:", problem.GetProperty("title").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, await RosterAsync(workshop));
    }

    [Fact]
    public async Task RosterWithAReplacementCharacterIsRefusedNamingTheLine()
    {
        var workshop = await NewWorkshopAsync();
        var before = await RosterAsync(workshop);

        using var response = await ImportAsync(workshop, Encoding.UTF8.GetBytes("name\nAdjoa Mensah\nJos\ufffd L\ufffdgar\ufffd\n"));

        var problem = await HttpErrorsTests.ProblemAsync(response, HttpStatusCode.BadRequest, "roster.name_invalid");
        Assert.StartsWith("Line 3:", problem.GetProperty("title").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, await RosterAsync(workshop));
    }

    [Fact]
    public async Task RosterLargerThanTheLimitIsRefused()
    {
        var workshop = await NewWorkshopAsync();
        var bytes = Encoding.UTF8.GetBytes("name\n" + string.Concat(Enumerable.Repeat("\n", 2 * 1024 * 1024)) + "Adjoa Mensah\n");

        using var response = await ImportAsync(workshop, bytes);

        await HttpErrorsTests.ProblemAsync(response, HttpStatusCode.BadRequest, "roster.too_large");
        Assert.Single(await RosterAsync(workshop));
    }

    private static byte[] Encode(string text, string encoding) => encoding switch
    {
        "windows-1252" => System.Text.CodePagesEncodingProvider.Instance.GetEncoding(1252)!.GetBytes(text),
        "utf-8" => Encoding.UTF8.GetBytes(text),
        "utf-8 with bom" => [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(text)],
        "utf-16le with bom" => [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(text)],
        "utf-16be with bom" => [.. Encoding.BigEndianUnicode.GetPreamble(), .. Encoding.BigEndianUnicode.GetBytes(text)],
        _ => throw new ArgumentOutOfRangeException(nameof(encoding), encoding, null),
    };

    private async Task<HttpResponseMessage> ImportAsync(TestWorkshop workshop, byte[] csv)
    {
        using var http = new HttpClient { BaseAddress = node.Address };
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/workshops/{workshop.Id}/roster") { Content = new ByteArrayContent(csv) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", workshop.Facilitator.Token);
        return await http.SendAsync(request);
    }

    private static Task<List<ParticipantView>> RosterAsync(TestWorkshop workshop) =>
        workshop.OkAsync<List<ParticipantView>>(workshop.Facilitator.Token, HttpMethod.Get, $"/api/workshops/{workshop.Id}/roster");
}
