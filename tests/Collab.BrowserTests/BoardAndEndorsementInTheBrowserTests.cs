using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Collab.BrowserTests;

/// <summary>
/// The recommendations plenary of the seed conference in the browser: groups' recommendations on the board; the
/// facilitator filters and searches it, merges a likely-duplicate pair through the dialog (its text prepared from both),
/// sets a majority rule and moves the session to its adoption phase; the speakers of two delegations (Ghana in English,
/// Burkina Faso in French) endorse, one with a reservation, and everyone's board shows the tally and the reservation
/// live; the facilitator adopts (confirmed) and the outcome preview shows the reservation. A refusal reads as French words.
/// </summary>
public sealed class BoardAndEndorsementInTheBrowserTests(BrowserSite site) : IClassFixture<BrowserSite>
{
    private const string ForumsText = "Hold quarterly cross-border community forums where border communities, local authorities and security forces meet.";
    private const string ForumsAgainText = "Hold cross-border community forums every quarter where border communities, local authorities and security forces meet.";
    private const string Reservation = "Ghana will hold the forums within its district assemblies.";

    [Fact]
    public async Task TheFacilitatorRunsTheBoardAndTwoDelegationsEndorseLiveUntilAdoption()
    {
        var facilitator = await site.JoinAsync("facilitator", "Fatou Diallo", null, "en");
        var kofi = await site.JoinAsync("participant", "Kofi Mensah", "Ghana", "en", phone: true);
        var awa = await site.JoinAsync("participant", "Awa Zongo", "Burkina Faso", "fr");

        // The groups of the first afternoon proposed four recommendations (proposing from notes is the recommendation
        // page's part; here they arrive through the API, as any client's would).
        using var api = new HttpClient { BaseAddress = site.Address };
        await SessionAsync(api, "d1-breakouts", "/start");
        await SessionAsync(api, "d1-breakouts", "/breakouts", new { naming = "numbered", count = 2, assignment = "mixDelegations" });
        var forums = await ProposeAsync(api, awa, "Quarterly cross-border community forums", "Cooperation", ForumsText, "en", "d1-breakouts.g1");
        var forumsAgain = await ProposeAsync(api, kofi, "Cross-border community forums every quarter", "Cooperation", ForumsAgainText, "en", "d1-breakouts.g2");
        await ProposeAsync(api, kofi, "Radios communautaires frontalières", "Information", "Soutenir les radios locales qui émettent dans les langues des deux côtés de la frontière.", "fr", "d1-breakouts.g2");
        await ProposeAsync(api, awa, "Early warning committees with women and youth", "Security", "Include women and youth in the early warning committees of border villages.", "en", "d1-breakouts.g1");
        await SessionAsync(api, "d1-breakouts", "/end");

        // The facilitator's board: every recommendation, with where it came from.
        await facilitator.GetByRole(AriaRole.Link, new() { Name = "Recommendations", Exact = true }).ClickAsync();
        var rows = facilitator.GetByTestId("board-row");
        await Expect(rows).ToHaveCountAsync(4);
        await Expect(Row(facilitator, "Early warning committees")).ToContainTextAsync(new Regex(@"From: Group 1 \(Breakouts: best practices"));

        // Filters and accent-insensitive search.
        await facilitator.GetByLabel("Theme").SelectOptionAsync("Cooperation");
        await Expect(rows).ToHaveCountAsync(2);
        await Expect(facilitator.GetByTestId("board-shown")).ToHaveTextAsync("Showing 2 of 4.");
        await facilitator.GetByRole(AriaRole.Button, new() { Name = "Show all" }).ClickAsync();
        await facilitator.GetByLabel("Search").FillAsync("radios FRONTALIERES");
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(rows).ToContainTextAsync("Radios communautaires frontalières");
        await facilitator.GetByLabel("Search").FillAsync("");
        await facilitator.GetByLabel("Proposed by").SelectOptionAsync(new SelectOptionValue { Label = "Group 2 (Breakouts: best practices, lessons learnt and challenges in border community engagement)" });
        await Expect(rows).ToHaveCountAsync(2);
        await facilitator.GetByRole(AriaRole.Button, new() { Name = "Show all" }).ClickAsync();
        await facilitator.GetByLabel("Sort by").SelectOptionAsync("title");
        await Expect(rows.First).ToContainTextAsync("Cross-border community forums every quarter");
        await Expect(facilitator.GetByTestId("duplicate")).ToContainTextAsync("“Quarterly cross-border community forums” and “Cross-border community forums every quarter” look alike.");
        await BrowserSite.ScreenshotAsync(facilitator, "recommendation-board");

        // Merge the likely duplicates: the dialog prepares the merged text from both and says provenance is kept.
        await facilitator.GetByTestId("duplicate").GetByRole(AriaRole.Button, new() { Name = "Merge these two…" }).ClickAsync();
        var dialog = facilitator.GetByTestId("merge-dialog");
        await Expect(dialog).ToContainTextAsync("Every source’s provenance is kept");
        await Expect(dialog.GetByTestId("merge-title")).ToHaveValueAsync("Quarterly cross-border community forums");
        await Expect(dialog.GetByTestId("merge-text")).ToHaveValueAsync(ForumsText + "\n\n" + ForumsAgainText);
        await BrowserSite.ScreenshotAsync(facilitator, "merge-dialog");
        await dialog.GetByTestId("merge-title").FillAsync("Quarterly cross-border community forums in every border region");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Merge 2 recommendations" }).ClickAsync();
        var merged = Row(facilitator, "in every border region");
        await Expect(merged.GetByTestId("row-status")).ToHaveTextAsync("Draft");
        await Expect(Row(facilitator, "Cross-border community forums every quarter")).ToContainTextAsync("Merged into “Quarterly cross-border community forums in every border region”");
        await Expect(facilitator.GetByTestId("duplicate")).ToHaveCountAsync(0);
        var mergedView = await RecommendationAsync(api, await IdOfAsync(merged));
        Assert.Equal([forums, forumsAgain], mergedView.GetProperty("mergedFrom").EnumerateArray().Select(e => e.GetString() ?? "").ToList());

        // A majority of 60 %, one voice per delegation: the rule reaches the participants' boards too.
        await facilitator.GetByText("Change the adoption rule").ClickAsync();
        await facilitator.GetByLabel("By majority").CheckAsync();
        await facilitator.GetByLabel("Share of voices needed (%)").FillAsync("60");
        await facilitator.GetByRole(AriaRole.Button, new() { Name = "Save the rule" }).ClickAsync();
        await Expect(facilitator.GetByTestId("rule")).ToHaveTextAsync("Adoption rule: majority of 60% of the voices for or against. One voice per delegation.");
        await awa.GetByRole(AriaRole.Link, new() { Name = "Recommandations", Exact = true }).ClickAsync();
        await Expect(awa.GetByTestId("rule")).ToContainTextAsync("majorité de 60");

        // The recommendations plenary starts and reaches its adoption phase; the merged text is proposed.
        await facilitator.GetByRole(AriaRole.Link, new() { Name = "Facilitator console" }).ClickAsync();
        await facilitator.GetByRole(AriaRole.Button, new() { Name = "Recommendations plenary: review and adoption" }).ClickAsync();
        await facilitator.GetByRole(AriaRole.Button, new() { Name = "Start", Exact = true }).ClickAsync();
        await Expect(facilitator.Locator(".session-line")).ToContainTextAsync("Running · Phase: Review");
        await facilitator.GetByLabel("Phase", new() { Exact = true }).SelectOptionAsync("adopt");
        await facilitator.GetByRole(AriaRole.Button, new() { Name = "Set phase" }).ClickAsync();
        await Expect(facilitator.Locator(".session-line")).ToContainTextAsync("Phase: Adopt");
        await Expect(facilitator.GetByTestId("console-board")).ToContainTextAsync("5 recommendations");
        await facilitator.GetByRole(AriaRole.Link, new() { Name = "Open the recommendations board" }).ClickAsync();
        await merged.GetByTestId("row-details").ClickAsync();
        await merged.GetByRole(AriaRole.Button, new() { Name = "Propose to the plenary" }).ClickAsync();
        await Expect(merged.GetByTestId("row-status")).ToHaveTextAsync("Proposed");
        await Expect(merged.GetByTestId("action-adopt")).ToBeDisabledAsync();
        await Expect(merged).ToContainTextAsync("Adoption is not possible yet: No voice for yet.");

        // Burkina Faso's speaker (in French) opens it; Ghana's speaker endorses with a reservation.
        var awasRow = Row(awa, "in every border region");
        await awasRow.GetByRole(AriaRole.Button, new() { Name = "Soutiens et statut" }).ClickAsync();
        await Expect(awasRow.GetByTestId("vote")).ToContainTextAsync("Vous parlez au nom de la délégation Burkina Faso.");
        await kofi.GetByRole(AriaRole.Link, new() { Name = "Recommendations", Exact = true }).ClickAsync();
        var kofisRow = Row(kofi, "in every border region");
        await kofisRow.GetByRole(AriaRole.Button, new() { Name = "Endorsement and status" }).ClickAsync();
        await kofisRow.GetByLabel("For, with reservations").CheckAsync();
        await kofisRow.GetByLabel("Your reservation").FillAsync(Reservation);
        await kofisRow.GetByRole(AriaRole.Button, new() { Name = "Record the voice" }).ClickAsync();
        await Expect(kofisRow.GetByTestId("my-voice")).ToContainTextAsync("Recorded now: For, with reservations (by Kofi Mensah");

        // Everyone sees it at once: the French page's tally and list of reservations, the facilitator's row.
        await Expect(awasRow.GetByTestId("row-tally")).ToContainTextAsync("0 pour · 1 pour avec réserves · 0 contre · 0 abstention(s)");
        await Expect(awasRow.GetByTestId("reservations")).ToContainTextAsync("Ghana : " + Reservation);
        await Expect(merged.GetByTestId("row-tally")).ToContainTextAsync("0 for · 1 for with reservations · 0 against · 0 abstaining");

        await awasRow.GetByLabel("Pour", new() { Exact = true }).CheckAsync();
        await awasRow.GetByRole(AriaRole.Button, new() { Name = "Enregistrer la voix" }).ClickAsync();
        await Expect(awasRow.GetByTestId("my-voice")).ToContainTextAsync("Enregistrée : Pour (par Awa Zongo");
        await Expect(kofisRow.GetByTestId("tally")).ToHaveTextAsync("1 for · 1 for with reservations · 0 against · 0 abstaining");
        await Expect(merged.GetByTestId("voices")).ToContainTextAsync("Burkina Faso: For");
        await Expect(merged.GetByTestId("outlook")).ToHaveTextAsync("The rule allows adoption.");
        await BrowserSite.ScreenshotAsync(awa, "endorsement");

        // The facilitator adopts, after confirming; every board shows it.
        await merged.GetByRole(AriaRole.Button, new() { Name = "Adopt…" }).ClickAsync();
        var confirm = facilitator.GetByRole(AriaRole.Dialog);
        await Expect(confirm).ToContainTextAsync("This cannot be undone.");
        await confirm.GetByRole(AriaRole.Button, new() { Name = "Adopt", Exact = true }).ClickAsync();
        await Expect(merged.GetByTestId("row-status")).ToHaveTextAsync("Adopted");
        await Expect(awasRow.GetByTestId("row-status")).ToHaveTextAsync("Adoptée");
        await Expect(awasRow.GetByTestId("vote-closed")).ToBeVisibleAsync();

        // The outcome preview shows the adopted text with its reservation.
        await facilitator.GetByRole(AriaRole.Link, new() { Name = "Outcome" }).ClickAsync();
        var preview = facilitator.FrameLocator("iframe.outcome-frame");
        await Expect(preview.Locator("article.recommendation")).ToContainTextAsync("Quarterly cross-border community forums in every border region");
        await Expect(preview.Locator("article.recommendation")).ToContainTextAsync("Ghana: " + Reservation);

        // An author may withdraw her own recommendation, after confirming; Escape cancels and changes nothing.
        var early = Row(awa, "Early warning");
        await early.GetByRole(AriaRole.Button, new() { Name = "Soutiens et statut" }).ClickAsync();
        await early.GetByRole(AriaRole.Button, new() { Name = "Retirer…" }).ClickAsync();
        await Expect(awa.GetByRole(AriaRole.Dialog)).ToContainTextAsync("C’est irréversible.");
        await awa.Keyboard.PressAsync("Escape");
        await Expect(awa.GetByRole(AriaRole.Dialog)).ToHaveCountAsync(0);
        await Expect(early.GetByTestId("row-status")).ToHaveTextAsync("Proposée");

        // The facilitator's board follows a switch to French at once.
        await facilitator.GetByRole(AriaRole.Link, new() { Name = "Recommendations", Exact = true }).ClickAsync();
        await facilitator.GetByRole(AriaRole.Banner).GetByLabel("Language").SelectOptionAsync("fr");
        await Expect(facilitator.GetByTestId("rule")).ToHaveTextAsync("Règle d’adoption : majorité de 60 % des voix pour ou contre. Une voix par délégation.");
        await Expect(merged.GetByTestId("row-status")).ToHaveTextAsync("Adoptée");
        await Expect(merged.GetByTestId("voices")).ToContainTextAsync("Ghana : Pour, avec réserves");

        // A refusal on a French page reads as French words, never as its code.
        var stranger = await site.Browser.NewPageAsync(new() { BaseURL = site.Address.ToString(), Locale = "fr-FR" });
        await stranger.GotoAsync("/#join=ZZZZ-ZZZZ-ZZ");
        await stranger.Locator("select[name=language]").SelectOptionAsync("fr");
        await stranger.Locator("input[name=displayName]").FillAsync("Personne inconnue");
        await stranger.Locator("form.join button[type=submit]").ClickAsync();
        var refusal = stranger.Locator("form.join [role=alert]");
        await Expect(refusal).ToHaveTextAsync("Impossible de rejoindre : Ce code d’accès n’est pas valide (il a peut-être été remplacé). Demandez le code actuel à l’équipe de facilitation.");
        await Expect(refusal).Not.ToContainTextAsync("join.");
        await stranger.CloseAsync();
    }

    private async Task SessionAsync(HttpClient api, string sessionId, string action, object? body = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/workshops/{site.WorkshopId}/sessions/{sessionId}{action}")
        {
            Content = JsonContent.Create(body ?? new { }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", site.FacilitatorToken);
        using var response = await api.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"{sessionId}{action}: {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>Proposes a recommendation as the page's participant and moves it to proposed; answers its id.</summary>
    private async Task<string> ProposeAsync(HttpClient api, IPage page, string title, string theme, string text, string language, string origin)
    {
        var token = await page.EvaluateAsync<string>("() => JSON.parse(localStorage.getItem('collab.identity')).token");
        var path = $"/api/workshops/{site.WorkshopId}/recommendations";
        var created = await SendAsync(api, token, path, new { title, theme, text, language, origin });
        var id = created.GetProperty("id").GetString()!;
        await SendAsync(api, token, $"{path}/{id}/status", new { status = "proposed" });
        return id;
    }

    private static async Task<JsonElement> SendAsync(HttpClient api, string token, string path, object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await api.SendAsync(request);
        var answer = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {answer}");
        return JsonDocument.Parse(answer).RootElement.Clone();
    }

    private async Task<JsonElement> RecommendationAsync(HttpClient api, string id)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/workshops/{site.WorkshopId}/recommendations/{id}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", site.FacilitatorToken);
        using var response = await api.SendAsync(request);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    /// <summary>A row of the page's board by (part of) its title.</summary>
    private static ILocator Row(IPage page, string title) =>
        page.GetByTestId("board-row").Filter(new() { Has = page.Locator("h3.rec-title", new() { HasText = title }) });

    private static async Task<string> IdOfAsync(ILocator row) => (await row.GetAttributeAsync("data-id"))!;
}
