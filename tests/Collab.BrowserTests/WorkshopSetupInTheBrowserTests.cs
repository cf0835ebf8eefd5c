using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Collab.BrowserTests;

/// <summary>
/// Setting a workshop up from the browser, as a facilitator meeting the tool for the first time: creating one through
/// the form (names in English and French) and from a seed file (in French), then on the seed workshop's Set-up view:
/// the agenda and a new plenary document, a roster CSV checked line by line before anything is stored, removing a
/// participant (her page is signed out), replacing a join code, a new rejoin key, and locking a document under a
/// participant's editor.
/// </summary>
public sealed class WorkshopSetupInTheBrowserTests(BrowserSite site) : IClassFixture<BrowserSite>
{
    [Fact]
    public async Task CreatingAWorkshopThroughTheFormLandsItsCreatorInItsSetUpWithNamesInBothLanguages()
    {
        var page = await OpenAsync("en");
        await page.GotoAsync("/");
        await page.GetByTestId("create-workshop").ClickAsync();
        await page.GetByLabel("Your name").FillAsync("Mariam Ouédraogo");
        await page.GetByLabel("Title of the workshop").FillAsync("Border communities forum");
        await page.GetByLabel("Venue (optional)").FillAsync("Lomé, Togo");
        await page.GetByLabel("First day").FillAsync("2026-03-10");
        await page.GetByLabel("Last day").FillAsync("2026-03-11");
        await page.GetByLabel("Working languages").SelectOptionAsync("en,fr");
        await page.GetByLabel("Organisers (optional)").FillAsync("IOM\nECOWAS");

        await page.GetByRole(AriaRole.Button, new() { Name = "Add a delegation" }).ClickAsync();
        var delegation = page.GetByTestId("delegations-editor-row").Last;
        await delegation.GetByLabel("Name (English)").FillAsync("Benin");
        await delegation.GetByLabel("Name (Français)").FillAsync("Bénin");
        await delegation.GetByLabel("Its working language").SelectOptionAsync("fr");

        var opening = page.GetByTestId("agenda-editor-row").First;
        await opening.GetByLabel("Title (English)").FillAsync("Opening plenary");
        await opening.GetByLabel("Title (Français)").FillAsync("Plénière d’ouverture");
        await opening.GetByLabel("Phases").FillAsync("share");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add a session" }).ClickAsync();
        var drafting = page.GetByTestId("agenda-editor-row").Last;
        await drafting.GetByLabel("Day").FillAsync("2");
        await drafting.GetByLabel("Title (English)").FillAsync("Drafting recommendations");
        await drafting.GetByLabel("Title (Français)").FillAsync("Rédaction des recommandations");
        await drafting.GetByLabel("Kind").SelectOptionAsync("breakouts");
        await drafting.GetByLabel("Phases").FillAsync("draft, review");

        await page.GetByRole(AriaRole.Button, new() { Name = "Add a theme" }).ClickAsync();
        await page.GetByTestId("themes-editor-row").Last.GetByLabel("Theme (English)").FillAsync("Early warning");
        await page.GetByTestId("themes-editor-row").Last.GetByLabel("Theme (Français)").FillAsync("Alerte précoce");
        await BrowserSite.ScreenshotAsync(page, "create-workshop-form");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create the workshop" }).ClickAsync();

        // She lands in her new workshop, on its Set-up, as its facilitator, with the four join codes and their links.
        await Expect(page.GetByTestId("connection")).ToHaveAttributeAsync("data-state", "online");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Set-up" })).ToHaveAttributeAsync("aria-current", "page");
        await Expect(page.GetByTestId("me")).ToContainTextAsync("Mariam Ouédraogo · Facilitator");
        await Expect(page.Locator(".top .brand")).ToHaveTextAsync("Border communities forum");
        await Expect(page.GetByTestId("setup-codes").Locator("li")).ToHaveCountAsync(4);
        await Expect(page.GetByTestId("code-participant").GetByTestId("link")).ToHaveTextAsync(new Regex(@"/#join=[0-9A-Z]{10}$"));

        // The server holds both forms of every name.
        var workshop = await WorkshopAsync(page);
        Assert.Equal(new[] { "en", "fr" }, workshop["languages"]!.AsArray().Select(l => (string)l!));
        Assert.Equal("Bénin", (string?)workshop["delegations"]![0]!["names"]!["fr"]);
        Assert.Equal(new[] { "d1-opening-plenary", "d2-drafting-recommendations" }, workshop["agenda"]!.AsArray().Select(s => (string)s!["id"]!));
        Assert.Equal("Rédaction des recommandations", (string?)workshop["agenda"]![1]!["titles"]!["fr"]);
        Assert.Equal(new[] { "draft", "review" }, workshop["agenda"]![1]!["phases"]!.AsArray().Select(p => (string)p!));
        Assert.Equal("Alerte précoce", (string?)workshop["themes"]![0]!["names"]!["fr"]);

        // In French the Set-up shows the French forms.
        await page.GetByRole(AriaRole.Banner).GetByLabel("Language").SelectOptionAsync("fr");
        await Expect(page.GetByTestId("agenda-editor-row").Last.Locator("legend")).ToHaveTextAsync("Séance 2 : Rédaction des recommandations");
        await BrowserSite.ScreenshotAsync(page, "create-workshop-landed-setup");
    }

    [Fact]
    public async Task CreatingAWorkshopFromASeedFileInFrenchLoadsItsAgendaAndDocumentsOnce()
    {
        var page = await OpenAsync("fr");
        await page.GotoAsync("/#create");
        await page.GetByLabel("Votre nom").FillAsync("Koffi Agbo");
        var original = await File.ReadAllBytesAsync(Path.Combine(RepoRoot.Path, "seeds", "cotonou-2023.json"));

        // The seed this site already loaded is refused, in French, and nothing is created.
        await page.GetByLabel("Fichier d’atelier (.json)").SetInputFilesAsync(new FilePayload { Name = "cotonou-2023.json", MimeType = "application/json", Buffer = original });
        await Expect(page.GetByTestId("seed-summary")).ToContainTextAsync("Regional Conference on Border Community Engagement");
        await Expect(page.GetByTestId("seed-summary")).ToContainTextAsync("14 délégations");
        await page.GetByRole(AriaRole.Button, new() { Name = "Créer à partir de ce fichier" }).ClickAsync();
        await Expect(page.GetByTestId("create-from-seed").GetByRole(AriaRole.Alert)).ToHaveTextAsync("Impossible de créer l’atelier : Cet atelier d’exemple est déjà chargé.");

        // A file that is not a workshop says so.
        await page.GetByLabel("Fichier d’atelier (.json)").SetInputFilesAsync(new FilePayload { Name = "notes.json", MimeType = "application/json", Buffer = "{ oops"u8.ToArray() });
        await Expect(page.GetByTestId("create-from-seed").GetByRole(AriaRole.Alert)).ToHaveTextAsync("Ce fichier n’est pas un fichier d’atelier (ce n’est pas du JSON).");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Créer à partir de ce fichier" })).ToBeDisabledAsync();

        // The same conference under another seed key is created, with its plenary documents, and she lands in it.
        var seed = JsonNode.Parse(original)!.AsObject();
        seed["seedKey"] = "cotonou-2023-from-the-browser";
        var documents = seed["documents"]!.AsArray().Count;
        await page.GetByLabel("Fichier d’atelier (.json)").SetInputFilesAsync(new FilePayload
        {
            Name = "cotonou-copy.json", MimeType = "application/json", Buffer = Encoding.UTF8.GetBytes(seed.ToJsonString()),
        });
        await page.GetByRole(AriaRole.Button, new() { Name = "Créer à partir de ce fichier" }).ClickAsync();
        await Expect(page.GetByTestId("connection")).ToHaveAttributeAsync("data-state", "online");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Préparation" })).ToHaveAttributeAsync("aria-current", "page");
        await Expect(page.GetByTestId("me")).ToContainTextAsync("Koffi Agbo");
        await Expect(page.GetByTestId("documents").GetByTestId("document")).ToHaveCountAsync(documents);
        await Expect(page.GetByTestId("agenda-editor-row")).ToHaveCountAsync(seed["agenda"]!.AsArray().Count);
        var workshop = await WorkshopAsync(page);
        Assert.Equal("cotonou-2023-from-the-browser", (string?)workshop["seedKey"]);
        Assert.NotEqual(site.WorkshopId, (string?)workshop["id"]);
        await BrowserSite.ScreenshotAsync(page, "create-workshop-from-seed-fr");
    }

    [Fact]
    public async Task FacilitatorEditsTheAgendaAndCreatesAPlenaryDocumentThatParticipantsSeeAtOnce()
    {
        var facilitator = await OpenSetupAsync("Salif Traoré");
        var before = await SeedWorkshopAsync();
        var sessions = before["agenda"]!.AsArray().Count;

        await facilitator.GetByRole(AriaRole.Button, new() { Name = "Add a session" }).ClickAsync();
        var added = facilitator.GetByTestId("agenda-editor-row").Last;
        await added.GetByLabel("Day").FillAsync("2");
        await added.GetByLabel("Title (English)").FillAsync("Closing plenary");
        await added.GetByLabel("Title (Français)").FillAsync("Plénière de clôture");
        await added.GetByLabel("Phases").FillAsync("share, adopt");
        await added.GetByRole(AriaRole.Button, new() { Name = "Move up" }).ClickAsync();

        // A look at the console and back: what she typed and has not saved yet is still there.
        await facilitator.GetByRole(AriaRole.Link, new() { Name = "Facilitator console" }).ClickAsync();
        await facilitator.GetByRole(AriaRole.Link, new() { Name = "Set-up" }).ClickAsync();
        await Expect(facilitator.GetByTestId("agenda-editor-row")).ToHaveCountAsync(sessions + 1);
        await Expect(facilitator.GetByTestId("agenda-editor-row").Nth(sessions - 1).GetByLabel("Title (Français)")).ToHaveValueAsync("Plénière de clôture");

        // So does switching the page to French and back: the labels change, the edits stay.
        await facilitator.GetByRole(AriaRole.Banner).GetByLabel("Language").SelectOptionAsync("fr");
        await Expect(facilitator.GetByTestId("agenda-editor-row").Nth(sessions - 1).GetByLabel("Titre (Français)")).ToHaveValueAsync("Plénière de clôture");
        await facilitator.GetByRole(AriaRole.Banner).GetByLabel("Langue").SelectOptionAsync("en");
        await Expect(facilitator.GetByTestId("agenda-editor-row")).ToHaveCountAsync(sessions + 1);

        // Someone joining meanwhile changes the workshop's version, not what she is editing: her save is no conflict.
        var participant = await site.JoinAsync("participant", "Yaw Boateng", "Ghana", "en");
        await Expect(facilitator.GetByTestId("roster-row").Filter(new() { HasText = "Yaw Boateng" })).ToHaveCountAsync(1);
        await facilitator.GetByRole(AriaRole.Button, new() { Name = "Save the agenda" }).ClickAsync();
        await Expect(facilitator.Locator(".flash")).ToHaveTextAsync("Saved.");

        var agenda = (await SeedWorkshopAsync())["agenda"]!.AsArray();
        Assert.Equal(sessions + 1, agenda.Count);
        var closing = agenda[sessions - 1]!;
        Assert.Equal("d2-closing-plenary", (string?)closing["id"]);
        Assert.Equal("Plénière de clôture", (string?)closing["titles"]!["fr"]);
        Assert.Equal(new[] { "share", "adopt" }, closing["phases"]!.AsArray().Select(p => (string)p!));

        // Removing it again is one click and a save.
        await facilitator.GetByTestId("agenda-editor-row").Nth(sessions - 1).GetByRole(AriaRole.Button, new() { Name = "Remove" }).ClickAsync();
        await facilitator.GetByRole(AriaRole.Button, new() { Name = "Save the agenda" }).ClickAsync();
        await Expect(facilitator.GetByTestId("agenda-editor-row")).ToHaveCountAsync(sessions);
        Assert.Equal(sessions, (await SeedWorkshopAsync())["agenda"]!.AsArray().Count);

        // A new plenary document, with a starting text: the participant's workspace offers it at once.
        var documents = facilitator.GetByTestId("setup-documents");
        await documents.GetByLabel("Title").FillAsync("Press release");
        await documents.GetByLabel("Starting text (optional)").FillAsync("Key messages:");
        await documents.GetByRole(AriaRole.Button, new() { Name = "Create the document" }).ClickAsync();
        await Expect(documents.GetByTestId("document").Filter(new() { HasText = "Press release" })).ToContainTextAsync("Open for editing");
        var tab = participant.GetByRole(AriaRole.Tab, new() { Name = "Press release" });
        await tab.ClickAsync();
        await Expect(participant.GetByTestId("editor")).ToHaveValueAsync("Key messages:");
        await BrowserSite.ScreenshotAsync(facilitator, "setup-agenda-and-documents");
    }

    [Fact]
    public async Task RosterCsvIsCheckedLineByLineAndNothingIsStoredUntilTheImportIsConfirmed()
    {
        var facilitator = await OpenSetupAsync("Aïcha Bello");
        var before = await SeedRosterAsync();

        // Windows-1252 as a French spreadsheet saves it, ';' separated; line 3 has a role nobody has, line 4 an unknown delegation.
        var bad = Encoding.Latin1.GetBytes(
            "name;email;delegation;role;language;group\r\nJosé Légaré;jose@example.org;Bénin;participante;fr;\r\nAma Owusu;;Ghana;chef;en;\r\nLéa Martin;;Atlantis;participant;fr;\r\n");
        var file = facilitator.GetByLabel("List of participants (CSV)");
        await file.SetInputFilesAsync(new FilePayload { Name = "roster.csv", MimeType = "text/csv", Buffer = bad });
        var preview = facilitator.GetByTestId("roster-preview");
        await Expect(preview.GetByTestId("preview-summary")).ToContainTextAsync("1 to add, 0 to update, 2 with errors.");
        var rows = preview.GetByTestId("preview-row");
        await Expect(rows).ToHaveCountAsync(3);
        await Expect(rows.Nth(0)).ToContainTextAsync("José Légaré");
        await Expect(rows.Nth(0)).ToContainTextAsync("Will be added");
        await Expect(rows.Nth(1)).ToContainTextAsync("3");
        await Expect(rows.Nth(1)).ToContainTextAsync("A role in the roster is not facilitator, rapporteur, participant or observer.");
        await Expect(rows.Nth(2)).ToContainTextAsync("4");
        await Expect(rows.Nth(2)).ToContainTextAsync("A delegation in the roster is not one of the workshop’s.");
        await Expect(preview.GetByRole(AriaRole.Button, new() { Name = "Import the list (1)" })).ToBeDisabledAsync();
        await facilitator.GetByTestId("setup-roster").ScreenshotAsync(new() { Path = Path.Combine(BrowserSite.ScreenshotFolder, "setup-roster-preview-errors.png") });
        Assert.Equal(before.Count, (await SeedRosterAsync()).Count);

        // The corrected file: previewed, still nothing stored, then imported on confirmation.
        var good = Encoding.Latin1.GetBytes(
            "name;email;delegation;role;language;group\r\nJosé Légaré;jose@example.org;Bénin;participante;fr;\r\nAma Owusu;;Ghana;rapporteur;en;\r\n");
        await file.SetInputFilesAsync(new FilePayload { Name = "roster-fixed.csv", MimeType = "text/csv", Buffer = good });
        await Expect(preview.GetByTestId("preview-summary")).ToContainTextAsync("2 to add, 0 to update, 0 with errors.");
        Assert.Equal(before.Count, (await SeedRosterAsync()).Count);
        await preview.GetByRole(AriaRole.Button, new() { Name = "Import the list (2)" }).ClickAsync();
        await Expect(facilitator.Locator(".flash")).ToHaveTextAsync("Imported: 2 added, 0 updated.");
        var roster = facilitator.GetByTestId("roster");
        await Expect(roster.GetByTestId("roster-row").Filter(new() { HasText = "José Légaré" })).ToContainTextAsync("Not joined yet");
        await Expect(roster.GetByTestId("roster-row").Filter(new() { HasText = "Ama Owusu" })).ToContainTextAsync("Rapporteur");
        var after = await SeedRosterAsync();
        Assert.Equal(before.Count + 2, after.Count);
        Assert.Contains(after, p => (string?)p["name"] == "José Légaré" && (string?)p["delegation"] == "bj");
    }

    [Fact]
    public async Task RemovingAParticipantAsksFirstAndSignsHerPageOut()
    {
        var facilitator = await OpenSetupAsync("Ibrahim Sow");
        var nadia = await site.JoinAsync("participant", "Nadia Kaboré", "Burkina Faso", "fr");
        var row = facilitator.GetByTestId("roster-row").Filter(new() { HasText = "Nadia Kaboré" });
        await row.GetByRole(AriaRole.Button, new() { Name = "Remove" }).ClickAsync();

        // Cancelling changes nothing.
        var dialog = facilitator.GetByTestId("confirm-dialog");
        await Expect(dialog).ToContainTextAsync("Remove Nadia Kaboré from the workshop?");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await Expect(dialog).ToHaveCountAsync(0);
        Assert.Contains(await SeedRosterAsync(), p => (string?)p["name"] == "Nadia Kaboré");

        await row.GetByRole(AriaRole.Button, new() { Name = "Remove" }).ClickAsync();
        await BrowserSite.ScreenshotAsync(facilitator, "setup-remove-confirmation");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Remove" }).ClickAsync();
        await Expect(facilitator.Locator(".flash")).ToHaveTextAsync("Nadia Kaboré was removed.");
        await Expect(row).ToHaveCountAsync(0);

        // Her page is signed out at once, told why in French.
        await Expect(nadia.Locator("form.join")).ToBeVisibleAsync();
        await Expect(nadia.Locator("form.join .error")).ToContainTextAsync("Vous ne faites plus partie de cet atelier.");
        Assert.DoesNotContain(await SeedRosterAsync(), p => (string?)p["name"] == "Nadia Kaboré");
    }

    [Fact]
    public async Task ReplacingAJoinCodeShowsTheNewCodeAndLinkAndTheOldOneNoLongerAdmitsAnyone()
    {
        var facilitator = await OpenSetupAsync("Moussa Cissé");
        var observer = facilitator.GetByTestId("code-observer");
        var old = (await observer.GetByTestId("code").TextContentAsync())!.Replace("-", "", StringComparison.Ordinal);
        Assert.Equal(site.Codes["observer"], old);
        await observer.GetByRole(AriaRole.Button, new() { Name = "Replace code" }).ClickAsync();
        await facilitator.GetByTestId("confirm-dialog").GetByRole(AriaRole.Button, new() { Name = "Replace code" }).ClickAsync();
        await Expect(observer.GetByTestId("code")).Not.ToHaveTextAsync(new Regex(Regex.Escape(old[..4]) + "-" + Regex.Escape(old[4..8])));
        var code = (await observer.GetByTestId("code").TextContentAsync())!.Replace("-", "", StringComparison.Ordinal);
        await Expect(observer.GetByTestId("link")).ToHaveTextAsync(new Regex($"/#join={code}$"));

        // The old link is refused; the new one lets an observer in.
        var late = await OpenAsync("en");
        await late.GotoAsync("/#join=" + old);
        await late.Locator("input[name=displayName]").FillAsync("Late Observer");
        await late.Locator("form.join button[type=submit]").ClickAsync();
        await Expect(late.Locator("form.join .error")).ToContainTextAsync("This join code is not valid");
        var link = await observer.GetByTestId("link").GetAttributeAsync("href");
        await late.GotoAsync(link!);
        await late.ReloadAsync();
        await late.Locator("input[name=displayName]").FillAsync("Late Observer");
        await late.Locator("form.join button[type=submit]").ClickAsync();
        await Expect(late.GetByTestId("me")).ToContainTextAsync("Late Observer · Observer");
    }

    [Fact]
    public async Task ANewRejoinKeyIsShownOnceAndSignsTheParticipantInAgainWhileTheOldOneIsRefused()
    {
        var facilitator = await OpenSetupAsync("Awa Ndiaye");
        var kwame = await site.JoinAsync("participant", "Kwame Asante", "Ghana", "en");
        var oldKey = await kwame.EvaluateAsync<string>("() => JSON.parse(localStorage.getItem('collab.identity')).rejoinKey");
        var id = await BrowserSite.ParticipantIdAsync(kwame);

        var row = facilitator.GetByTestId("roster-row").Filter(new() { HasText = "Kwame Asante" });
        await row.GetByRole(AriaRole.Button, new() { Name = "New rejoin key" }).ClickAsync();
        await facilitator.GetByTestId("confirm-dialog").GetByRole(AriaRole.Button, new() { Name = "New rejoin key" }).ClickAsync();
        var shown = facilitator.GetByTestId("new-rejoin-key");
        await Expect(shown).ToContainTextAsync("New rejoin key for Kwame Asante:");
        var key = (await shown.GetByTestId("key").TextContentAsync())!;
        Assert.NotEqual(oldKey, key);
        await BrowserSite.ScreenshotAsync(facilitator, "setup-new-rejoin-key");

        var phone = await site.RejoinAsync("participant", key);
        await Expect(phone.GetByTestId("me")).ToContainTextAsync("Kwame Asante");
        Assert.Equal(id, await BrowserSite.ParticipantIdAsync(phone));

        using var http = new HttpClient { BaseAddress = site.Address };
        var refused = await http.PostAsJsonAsync("/api/join", new { code = site.Codes["participant"], rejoinKey = oldKey });
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task LockingAPlenaryDocumentTurnsAParticipantsEditorReadOnlyLiveAndUnlockingGivesItBack()
    {
        var facilitator = await OpenSetupAsync("Halima Diarra");
        var fanta = await site.JoinAsync("participant", "Fanta Camara", "Togo", "fr");
        var editor = fanta.GetByTestId("editor");
        await Expect(editor).ToBeEditableAsync();
        var docId = await editor.GetAttributeAsync("data-doc-id");

        var document = facilitator.Locator($"[data-testid=document][data-doc='{docId}']");
        await Expect(document.GetByTestId("lock-state")).ToHaveTextAsync("Open for editing");
        await document.GetByRole(AriaRole.Button, new() { Name = "Lock" }).ClickAsync();
        await facilitator.GetByTestId("confirm-dialog").GetByRole(AriaRole.Button, new() { Name = "Lock" }).ClickAsync();
        await Expect(document.GetByTestId("lock-state")).ToHaveTextAsync("Locked");
        await Expect(editor).Not.ToBeEditableAsync();
        await BrowserSite.ScreenshotAsync(fanta, "setup-document-locked-participant");

        await document.GetByRole(AriaRole.Button, new() { Name = "Unlock" }).ClickAsync();
        await Expect(document.GetByTestId("lock-state")).ToHaveTextAsync("Open for editing");
        await Expect(editor).ToBeEditableAsync();
    }

    /// <summary>A facilitator of the seed workshop on its Set-up view.</summary>
    private async Task<IPage> OpenSetupAsync(string name)
    {
        var page = await site.JoinAsync("facilitator", name, null, "en");
        await page.GetByRole(AriaRole.Link, new() { Name = "Set-up" }).ClickAsync();
        await Expect(page.GetByTestId("setup-codes").Locator("li")).ToHaveCountAsync(4);
        return page;
    }

    /// <summary>A device with nobody signed in yet.</summary>
    private async Task<IPage> OpenAsync(string language)
    {
        var context = await site.Browser.NewContextAsync(new()
        {
            BaseURL = site.Address.ToString(),
            Locale = language == "fr" ? "fr-FR" : "en-GB",
            ViewportSize = new() { Width = 1366, Height = 900 },
        });
        return await context.NewPageAsync();
    }

    /// <summary>The seed workshop as the server holds it.</summary>
    private async Task<JsonNode> SeedWorkshopAsync() => JsonNode.Parse(await SeedApi().GetStringAsync($"/api/workshops/{site.WorkshopId}"))!;

    /// <summary>The seed workshop's roster as the server holds it.</summary>
    private async Task<List<JsonNode>> SeedRosterAsync() =>
        [.. JsonNode.Parse(await SeedApi().GetStringAsync($"/api/workshops/{site.WorkshopId}/roster"))!.AsArray().Select(p => p!)];

    private HttpClient SeedApi()
    {
        var http = new HttpClient { BaseAddress = site.Address };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", site.FacilitatorToken);
        return http;
    }

    /// <summary>The workshop the page is signed in to, as the server holds it.</summary>
    private async Task<JsonNode> WorkshopAsync(IPage page)
    {
        var identity = JsonNode.Parse(await page.EvaluateAsync<string>("() => localStorage.getItem('collab.identity')"))!;
        using var http = new HttpClient { BaseAddress = site.Address };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (string)identity["token"]!);
        return JsonNode.Parse(await http.GetStringAsync($"/api/workshops/{(string)identity["workshopId"]!}"))!;
    }
}
