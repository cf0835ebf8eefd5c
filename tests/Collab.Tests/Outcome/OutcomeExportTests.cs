using System.Net;
using System.Text.Json;
using Collab.Client;
using Collab.Recommendations;
using Collab.Web.Outcome;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;
using Microsoft.AspNetCore.SignalR.Client;

namespace Collab.Tests.Outcome;

/// <summary>The outcome of the seed conference, exported through the real API on an embedded node.</summary>
public sealed class OutcomeExportTests(OutcomeWorkshopNode node) : IClassFixture<OutcomeWorkshopNode>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private static readonly string GoldenFolder = System.IO.Path.Combine(RepoRoot.Path, "tests", "Collab.Tests", "Outcome", "Golden");

    [Theory]
    [InlineData("en")]
    [InlineData("bilingual")]
    public async Task TheFinalVersionInMarkdownMatchesTheGoldenFile(string lang)
    {
        var scenario = await node.ScenarioAsync();

        var (markdown, _) = await ExportAsync(scenario, scenario.Rapporteur.Token, $"?format=md&lang={lang}&version=final");

        // The only thing that differs from one run to the next is the day the version was published.
        var published = scenario.Final.PublishedAt.UtcDateTime;
        var actual = markdown
            .Replace(published.ToString("d MMMM yyyy", System.Globalization.CultureInfo.GetCultureInfo("en-GB")), "{published}", StringComparison.Ordinal)
            .Replace(published.ToString("d MMMM yyyy", System.Globalization.CultureInfo.GetCultureInfo("fr-FR")), "{published}", StringComparison.Ordinal);
        var golden = System.IO.Path.Combine(GoldenFolder, $"cotonou-outcome.{lang}.md");
        if (Environment.GetEnvironmentVariable("COLLAB_UPDATE_GOLDEN") == "1")
        {
            await File.WriteAllTextAsync(golden, actual);
        }

        Assert.Equal(await File.ReadAllTextAsync(golden), actual);
    }

    [Fact]
    public async Task TheFinalVersionInWordHasItsHeadingsNumberedRecommendationsProvenanceFootnotesAndFrenchText()
    {
        var scenario = await node.ScenarioAsync();

        var first = await DownloadAsync(scenario, scenario.Awa.Token, "?format=docx&lang=fr&version=final");
        var second = await DownloadAsync(scenario, scenario.Rapporteur.Token, "?format=docx&lang=fr&version=final");

        using var word = WordprocessingDocument.Open(new MemoryStream(first), false);
        var body = word.MainDocumentPart!.Document!.Body!;
        var paragraphs = body.Descendants<Paragraph>().ToList();
        string? StyleOf(Paragraph p) => p.ParagraphProperties?.ParagraphStyleId?.Val?.Value;
        List<string> Styled(string style) => [.. paragraphs.Where(p => StyleOf(p) == style).Select(p => p.InnerText)];

        Assert.Equal(["Regional Conference on Border Community Engagement"], Styled("Title"));
        Assert.Equal(["Délégations et institutions participantes", "Sessions", "Recommandations", "Annexes"], Styled("Heading1"));
        // The French edition names themes and sessions in the organisers' French forms (seeds/cotonou-2023.json).
        Assert.Equal(["Engagement communautaire", "Coopération transfrontalière", "Coastal states (Groupes de travail : bonnes pratiques, leçons apprises et défis de l’engagement des communautés frontalières)", "Sahel states (Groupes de travail : bonnes pratiques, leçons apprises et défis de l’engagement des communautés frontalières)", "Plénière"], Styled("Heading2"));
        Assert.Contains("Bonnes pratiques", Styled("Heading3"));

        // The adopted recommendations, and only they, are one numbered list, in order.
        var numbered = paragraphs
            .Where(p => p.ParagraphProperties?.NumberingProperties?.NumberingId?.Val?.Value == OutcomeDocx.RecommendationNumberingId)
            .Select(p => string.Concat(p.Descendants<DocumentFormat.OpenXml.Wordprocessing.Text>().Select(t => t.Text)))
            .ToList();
        Assert.Equal(3, numbered.Count);
        Assert.All(
            // In French where the recommendation has a French title; else its title of record.
            numbered.Zip(["Soutenir les radios locales dans les langues frontalières", "Créer des comités frontaliers conjoints", "Fund regular cross-border meetings"]),
            pair => Assert.StartsWith(pair.Second, pair.First, StringComparison.Ordinal));
        var text = body.InnerText;
        Assert.DoesNotContain("Build a border wall", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Close the markets", text, StringComparison.Ordinal);

        // French with its accents; the stale translation and the missing one are said so.
        Assert.Contains("Créer des comités frontaliers conjoints incluant des ", text, StringComparison.Ordinal);
        Assert.Contains("Ils se réunissent au moins deux fois par an.", text, StringComparison.Ordinal);
        Assert.Contains("Traduction à mettre à jour", text, StringComparison.Ordinal);
        Assert.Contains("Pas encore de texte en français", text, StringComparison.Ordinal);
        Assert.Contains("Ghana will align the committees with its district assemblies.", text, StringComparison.Ordinal);

        // Provenance: one footnote per source, referenced from the recommendations.
        var footnotes = word.MainDocumentPart.FootnotesPart!.Footnotes!.Elements<Footnote>()
            .Where(f => f.Id?.Value > 0).Select(f => f.InnerText).ToList();
        Assert.Equal(4, footnotes.Count);
        Assert.Contains(footnotes, f => f.Contains("Coastal states", StringComparison.Ordinal) && f.Contains("Bonnes pratiques", StringComparison.Ordinal)
            && f.Contains("Joint patrols with community liaison officers.", StringComparison.Ordinal));
        Assert.Contains(footnotes, f => f.Contains("Sahel states", StringComparison.Ordinal) && f.Contains("Regional meetings chaired by local authorities.", StringComparison.Ordinal));
        Assert.Equal(4, body.Descendants<FootnoteReference>().Count());

        // The same version exported again has the same text.
        Assert.Equal(WordText(first), WordText(second));
    }

    [Fact]
    public async Task TheBilingualWordExportPutsEachRecommendationInATwoColumnTable()
    {
        var scenario = await node.ScenarioAsync();

        var bytes = await DownloadAsync(scenario, scenario.Kofi.Token, "?format=docx&lang=bilingual&version=final");

        using var word = WordprocessingDocument.Open(new MemoryStream(bytes), false);
        var tables = word.MainDocumentPart!.Document!.Body!.Descendants<Table>().ToList();
        Assert.Equal(3, tables.Count);
        Assert.All(tables, t => Assert.All(t.Elements<TableRow>(), r => Assert.Equal(2, r.Elements<TableCell>().Count())));
        var committees = tables.Single(t => t.InnerText.Contains("Establish joint border committees that include", StringComparison.Ordinal));
        Assert.Contains("Créer des comités frontaliers conjoints", committees.InnerText, StringComparison.Ordinal);
        var radio = tables.Single(t => t.InnerText.Contains("run by young people", StringComparison.Ordinal));
        Assert.Contains("traduction à mettre à jour", radio.InnerText, StringComparison.OrdinalIgnoreCase);

        // Each title in both languages, as the bilingual edition names sessions; one without a French title once.
        var titles = word.MainDocumentPart.Document.Body.Descendants<Paragraph>()
            .Where(p => p.ParagraphProperties?.NumberingProperties?.NumberingId?.Val?.Value == OutcomeDocx.RecommendationNumberingId)
            .Select(p => string.Concat(p.Descendants<DocumentFormat.OpenXml.Wordprocessing.Text>().Select(t => t.Text)))
            .ToList();
        Assert.Contains(titles, t => t.StartsWith("Establish joint border committees / Créer des comités frontaliers conjoints", StringComparison.Ordinal));
        Assert.Contains(titles, t => t.StartsWith("Fund regular cross-border meetings", StringComparison.Ordinal) && !t.Contains(" / ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task APublishedVersionNeverChangesWhileTheCurrentStateDoes()
    {
        var scenario = await node.ScenarioAsync();
        var (before, _) = await ExportAsync(scenario, scenario.Rapporteur.Token, "?format=md&lang=en&version=final");
        var (htmlBefore, _) = await ExportAsync(scenario, scenario.Rapporteur.Token, "?format=html&lang=fr&version=final");

        // The notes change after publication: the current state shows it, the version does not.
        await using (var connection = await CollabConnection.ConnectAsync(node.HubUrl, scenario.Rapporteur.Token))
        {
            await OutcomeScenario.WriteAsync(connection, scenario.CoastalBestPractices, "- Joint patrols with **community liaison officers**.\n- Rewritten after the closing plenary.");
        }

        var (after, _) = await ExportAsync(scenario, scenario.Rapporteur.Token, "?format=md&lang=en&version=final");
        var (htmlAfter, _) = await ExportAsync(scenario, scenario.Awa.Token, "?format=html&lang=fr&version=final");
        var (current, _) = await ExportAsync(scenario, scenario.Rapporteur.Token, "?format=md&lang=en");
        Assert.Equal(before, after);
        Assert.Equal(htmlBefore, htmlAfter);
        Assert.DoesNotContain("Rewritten after the closing plenary", after, StringComparison.Ordinal);
        Assert.Contains("Rewritten after the closing plenary", current, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("md", "en", "text/markdown", "_en_final_", ".md")]
    [InlineData("html", "fr", "text/html", "_fr_final_", ".html")]
    [InlineData("docx", "bilingual", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "_en-fr_final_", ".docx")]
    public async Task ExportsCarryTheirContentTypeAndAFileNameWithWorkshopLanguageVersionAndDate(string format, string lang, string type, string middle, string extension)
    {
        var scenario = await node.ScenarioAsync();

        using var response = await scenario.Workshop.SendAsync(scenario.Kofi.Token, HttpMethod.Get, scenario.Path($"?format={format}&lang={lang}&version=Final"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(type, response.Content.Headers.ContentType?.MediaType);
        var disposition = response.Content.Headers.ContentDisposition;
        Assert.Equal("attachment", disposition?.DispositionType);
        var date = scenario.Final.PublishedAt.UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal($"regional-conference-on-border-community-engagement{middle}{date}{extension}", disposition?.FileName?.Trim('"'));
    }

    [Fact]
    public async Task OnlyRapporteursAndFacilitatorsExportTheWorkingStateAndPublish()
    {
        var scenario = await node.ScenarioAsync();
        var workshop = scenario.Workshop;

        foreach (var token in new[] { scenario.Awa.Token, scenario.Observer.Token })
        {
            Assert.Equal("outcome.rapporteurs_only", await workshop.RejectedAsync(token, HttpMethod.Get, scenario.Path("?format=md"), null, 403));
            Assert.Equal("outcome.rapporteurs_only", await workshop.RejectedAsync(token, HttpMethod.Get, scenario.Path("?format=html&version=current"), null, 403));
            Assert.Equal("outcome.rapporteurs_only", await workshop.RejectedAsync(token, HttpMethod.Post, scenario.Path("/versions"), new { name = "Mine" }, 403));
        }

        foreach (var token in new[] { scenario.Rapporteur.Token, workshop.Facilitator.Token })
        {
            var (markdown, _) = await ExportAsync(scenario, token, "?format=md&lang=fr");
            Assert.Contains("## Recommandations", markdown, StringComparison.Ordinal);
        }

        // Nobody outside the workshop, and nobody without a token, sees anything of it.
        Assert.Equal("auth.required", await workshop.RejectedAsync(null, HttpMethod.Get, scenario.Path("?version=final"), null, 401));
        Assert.Equal("auth.required", await workshop.RejectedAsync(null, HttpMethod.Get, scenario.Path("/versions"), null, 401));
        var stranger = await TestWorkshop.CreateAsync(() => new HttpClient { BaseAddress = node.Address });
        Assert.Equal("workshop.not_found", await workshop.RejectedAsync(stranger.Facilitator.Token, HttpMethod.Get, scenario.Path("?version=final"), null, 404));
        Assert.Equal("workshop.not_found", await workshop.RejectedAsync(stranger.Facilitator.Token, HttpMethod.Get, scenario.Path("/versions"), null, 404));
        Assert.Equal("workshop.not_found", await workshop.RejectedAsync(stranger.Facilitator.Token, HttpMethod.Post, scenario.Path("/versions"), new { name = "Theirs" }, 404));
    }

    [Fact]
    public async Task EveryMemberReadsPublishedVersionsAndTheirList()
    {
        var scenario = await node.ScenarioAsync();

        foreach (var token in new[] { scenario.Awa.Token, scenario.Observer.Token, scenario.Rapporteur.Token })
        {
            var versions = await scenario.Workshop.OkAsync<List<OutcomeWire.Published>>(token, HttpMethod.Get, scenario.Path("/versions"));
            Assert.Contains(versions, v => v.Id == "final" && v.Name == "Final" && v.PublishedBy == "Aïcha Rapporteure");
            var (markdown, _) = await ExportAsync(scenario, token, "?format=md&lang=en&version=final");
            Assert.StartsWith("# Regional Conference on Border Community Engagement\n", markdown, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task AnUnknownVersionIsANotFoundProblem()
    {
        var scenario = await node.ScenarioAsync();

        foreach (var token in new[] { scenario.Awa.Token, scenario.Rapporteur.Token })
        {
            Assert.Equal("outcome.version_not_found", await scenario.Workshop.RejectedAsync(token, HttpMethod.Get, scenario.Path("?format=docx&version=draft-zero"), null, 404));
        }
    }

    [Theory]
    [InlineData("?format=pdf", "outcome.format_invalid")]
    [InlineData("?format=md&lang=de", "outcome.language_invalid")]
    public async Task AnExportThatCannotBeMadeIsABadRequest(string query, string code)
    {
        var scenario = await node.ScenarioAsync();

        Assert.Equal(code, await scenario.Workshop.RejectedAsync(scenario.Rapporteur.Token, HttpMethod.Get, scenario.Path(query), null, 400));
    }

    [Fact]
    public async Task AVersionNameIsCheckedAndAPublishedNameIsNeverReused()
    {
        var scenario = await node.ScenarioAsync();
        var workshop = scenario.Workshop;
        var before = await workshop.OkAsync<List<OutcomeWire.Published>>(scenario.Awa.Token, HttpMethod.Get, scenario.Path("/versions"));

        Assert.Equal("outcome.version_exists", await workshop.RejectedAsync(scenario.Rapporteur.Token, HttpMethod.Post, scenario.Path("/versions"), new { name = "FINAL" }, 409));
        Assert.Equal("outcome.version_name_invalid", await workshop.RejectedAsync(scenario.Rapporteur.Token, HttpMethod.Post, scenario.Path("/versions"), new { name = "  " }, 400));
        Assert.Equal("outcome.version_name_invalid", await workshop.RejectedAsync(scenario.Rapporteur.Token, HttpMethod.Post, scenario.Path("/versions"), new { name = new string('x', 101) }, 400));
        Assert.Equal("outcome.version_name_reserved", await workshop.RejectedAsync(scenario.Rapporteur.Token, HttpMethod.Post, scenario.Path("/versions"), new { name = "Current" }, 400));

        var after = await workshop.OkAsync<List<OutcomeWire.Published>>(scenario.Awa.Token, HttpMethod.Get, scenario.Path("/versions"));
        Assert.Equal(before, after);
    }

    [Fact]
    public async Task ConnectedClientsAreToldWhenAVersionIsPublished()
    {
        var scenario = await node.ScenarioAsync();
        await using var watcher = node.Raw(scenario.Kofi.Token);
        var published = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        watcher.On<JsonElement>("OutcomePublished", message =>
        {
            if (message.GetProperty("version").GetProperty("name").GetString() == "Draft for closing plenary")
            {
                published.TrySetResult(message);
            }
        });
        await watcher.StartAsync();
        await watcher.InvokeAsync<JsonElement>("EnterWorkshop");

        var version = await scenario.Workshop.OkAsync<OutcomeWire.Published>(
            scenario.Workshop.Facilitator.Token, HttpMethod.Post, scenario.Path("/versions"), new { name = "Draft for closing plenary" });

        var pushed = await published.Task.WaitAsync(Patience);
        Assert.Equal("draft-for-closing-plenary", version.Id);
        Assert.Equal(scenario.Workshop.Id, pushed.GetProperty("workshopId").GetString());
        Assert.Equal(version.Id, pushed.GetProperty("version").GetProperty("id").GetString());
        var (markdown, _) = await ExportAsync(scenario, scenario.Kofi.Token, "?format=md&version=draft-for-closing-plenary");
        Assert.Contains("Version: Draft for closing plenary", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheHtmlExportNeutralisesScriptAndJavascriptLinksTypedByAParticipant()
    {
        var scenario = await node.ScenarioAsync();
        var workshop = scenario.Workshop;

        // Every session of the scenario ended: an open floor in drafting, then an adoption, lets participants act again.
        await OutcomeScenario.LiveAsync(workshop, "d2-drafting", "draft");
        var notes = await workshop.NewDocumentAsync("Open floor <b>notes</b>");
        await using (var connection = await CollabConnection.ConnectAsync(node.HubUrl, scenario.Awa.Token))
        {
            await OutcomeScenario.WriteAsync(connection, notes,
                "Our *view*: <script>alert('typed')</script>\n\n[click me](javascript:alert('link')) and <a href=\"javascript:alert(2)\" onclick=\"alert(3)\">raw</a>"
                + "\n\n<img src=x onerror=alert(4)> [safe](https://www.iom.int/) <javascript:alert(5)>");
        }

        var proposed = await workshop.OkAsync<RecommendationView>(scenario.Kofi.Token, HttpMethod.Post, $"/api/workshops/{workshop.Id}/recommendations", new
        {
            title = "Listen <script>alert('title')</script>",
            text = "See [details](javascript:alert('rec')) <iframe src=\"https://example.org\"></iframe>",
            language = "en",
        });
        var path = $"/api/workshops/{workshop.Id}/recommendations/{proposed.Id}";
        await workshop.OkAsync<RecommendationView>(scenario.Kofi.Token, HttpMethod.Post, path + "/status", new { status = "proposed" });
        await OutcomeScenario.EndAsync(workshop, "d2-drafting");
        await OutcomeScenario.LiveAsync(workshop, "d2-recommendations", "adopt");
        await workshop.OkAsync<RecommendationView>(scenario.Awa.Token, HttpMethod.Post, path + "/endorsements", new { stance = "support" });
        await workshop.OkAsync<RecommendationView>(workshop.Facilitator.Token, HttpMethod.Post, path + "/status", new { status = "adopted" });
        await OutcomeScenario.EndAsync(workshop, "d2-recommendations");

        var (html, response) = await ExportAsync(scenario, scenario.Rapporteur.Token, "?format=html&lang=en");

        // Read as a browser would: no script element, no event handler, no frame or image, no link that runs code.
        var page = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(html);
        Assert.Empty(page.QuerySelectorAll("script, iframe, img, object, embed"));
        var attributes = page.All.SelectMany(e => e.Attributes).ToList();
        Assert.DoesNotContain(attributes, a => a.Name.StartsWith("on", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(attributes, a => a.Value.Trim().StartsWith("javascript:", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(["https://www.iom.int/"], page.QuerySelectorAll("a[href]").Select(a => a.GetAttribute("href")).Where(h => !h!.StartsWith('#')));
        Assert.DoesNotContain("<b>notes", html, StringComparison.Ordinal);

        // What they typed is still there, as text; Markdown still works; a safe link stays a link.
        Assert.Contains("&lt;script&gt;alert('typed')&lt;/script&gt;", html, StringComparison.Ordinal);
        Assert.Contains("Open floor &lt;b&gt;notes&lt;/b&gt;", html, StringComparison.Ordinal);
        Assert.Contains("<em>view</em>", html, StringComparison.Ordinal);
        Assert.Contains("click me", html, StringComparison.Ordinal);
        Assert.Contains("Listen &lt;script&gt;", html, StringComparison.Ordinal);
        Assert.Contains("default-src 'none'", string.Join(";", response.Headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);
    }

    private static async Task<byte[]> DownloadAsync(OutcomeScenario scenario, string token, string query)
    {
        using var response = await scenario.Workshop.SendAsync(token, HttpMethod.Get, scenario.Path(query));
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET outcome{query} answered {(int)response.StatusCode}: {System.Text.Encoding.UTF8.GetString(bytes)}");
        return bytes;
    }

    /// <summary>Everything a reader of the Word file sees: the body and the footnotes.</summary>
    private static string WordText(byte[] docx)
    {
        using var word = WordprocessingDocument.Open(new MemoryStream(docx), false);
        return word.MainDocumentPart!.Document!.Body!.InnerText + "\n" + word.MainDocumentPart.FootnotesPart?.Footnotes?.InnerText;
    }

    private static async Task<(string Body, HttpResponseMessage Response)> ExportAsync(OutcomeScenario scenario, string token, string query)
    {
        var response = await scenario.Workshop.SendAsync(token, HttpMethod.Get, scenario.Path(query));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET outcome{query} answered {(int)response.StatusCode}: {body}");
        return (body, response);
    }
}
