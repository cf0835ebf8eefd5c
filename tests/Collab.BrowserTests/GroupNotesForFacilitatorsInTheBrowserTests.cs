using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Collab.BrowserTests;

/// <summary>
/// The group documents view (#groups): a rapporteur follows a group's notes live while a participant types, also after
/// the session ended; a facilitator edits them; a note's history (changes by author, text at a revision and at an
/// instant, a diff, restore as a new edit the participant's page receives and shows in the note's history); Day-2
/// groups get the drafting template; a facilitator sets a session's group documents;
/// empty documents say what to write, in the reader's language. Each test ends the session it started.
/// </summary>
public sealed class GroupNotesForFacilitatorsInTheBrowserTests(BrowserSite site) : IClassFixture<BrowserSite>
{
    [Fact]
    public async Task ARapporteurFollowsAGroupsNotesLiveAlsoAfterTheSessionEndedAndAFacilitatorEditsThem()
    {
        using var api = new HttpClient { BaseAddress = site.Address };
        var facilitator = await site.JoinAsync("facilitator", "Fatou Diallo", null, "en");
        var rapporteur = await site.JoinAsync("rapporteur", "Rose Agossou", "Bénin", "fr");
        var adjoa = await site.JoinAsync("participant", "Adjoa Owusu", "Ghana", "en");
        await SessionAsync(api, "d1-breakouts", "/start");
        try
        {
            await SessionAsync(api, "d1-breakouts", "/breakouts", new { naming = "numbered", count = 1, assignment = "mixDelegations" });

            // The participant's empty note says what to write there, in English.
            await Expect(adjoa.GetByRole(AriaRole.Tab, new() { Name = "Best practices" })).ToBeVisibleAsync();
            var adjoasEditor = adjoa.GetByTestId("editor");
            await Expect(adjoasEditor).ToBeEditableAsync();
            await Expect(adjoasEditor).ToHaveAttributeAsync("placeholder", new Regex("^What worked well in your country or organisation\\?"));

            // The rapporteur (in French) opens the groups' documents: the live session, its group, its notes.
            await rapporteur.GetByRole(AriaRole.Link, new() { Name = "Documents des groupes" }).ClickAsync();
            await Expect(rapporteur.GetByTestId("groups-sessions").Locator("[data-session=d1-breakouts]")).ToHaveAttributeAsync("aria-pressed", "true");
            var group = rapporteur.GetByTestId("notes-group");
            await Expect(group).ToContainTextAsync("Group 1");
            await Expect(group).ToContainTextAsync("Adjoa Owusu");
            await group.GetByRole(AriaRole.Button, new() { Name = "Bonnes pratiques" }).ClickAsync();
            var rapporteursEditor = rapporteur.GetByTestId("editor");
            await Expect(rapporteursEditor).ToBeEditableAsync();
            await Expect(rapporteursEditor).ToHaveAttributeAsync("placeholder", new Regex("^Qu’est-ce qui a bien fonctionné"));
            await Expect(rapporteur.Locator(".editor-head")).ToContainTextAsync("Group 1 — Bonnes pratiques");

            // The participant types; the rapporteur sees it as it is typed, and who is in the document.
            await adjoasEditor.FocusAsync();
            await adjoa.Keyboard.TypeAsync("Community radio in local languages.");
            await Expect(rapporteursEditor).ToHaveValueAsync("Community radio in local languages.");
            await Expect(rapporteur.Locator(".doc-others")).ToContainTextAsync("Adjoa Owusu");
            await BrowserSite.ScreenshotAsync(rapporteur, "group-notes-rapporteur-live");

            // In the review phase the members read their notes: the note's history offers no way around that.
            await SessionAsync(api, "d1-breakouts", "/phase", new { phase = "review" });
            await Expect(adjoasEditor).Not.ToBeEditableAsync();
            var adjoasHistory = adjoa.GetByTestId("note-history");
            await adjoasHistory.Locator("summary").ClickAsync();
            await adjoasHistory.GetByTestId("history-change").First.GetByTestId("restore").ClickAsync();
            await Expect(adjoa.GetByTestId("note-notice")).ToContainTextAsync("You cannot restore a version now:");
            await Expect(adjoa.GetByTestId("note-notice")).ToContainTextAsync("read only for you now");
            await Expect(adjoasHistory.GetByTestId("restore-confirm")).ToHaveCountAsync(0);
            await Expect(rapporteursEditor).ToBeEditableAsync();

            // The session ends: the participants are back in plenary; the rapporteur still has the notes live.
            await SessionAsync(api, "d1-breakouts", "/end");
            await facilitator.GetByRole(AriaRole.Link, new() { Name = "Group documents" }).ClickAsync();
            await facilitator.GetByTestId("groups-sessions").Locator("[data-session=d1-breakouts]").ClickAsync();
            await facilitator.GetByTestId("notes-group").GetByRole(AriaRole.Button, new() { Name = "Best practices" }).ClickAsync();
            var facilitatorsEditor = facilitator.GetByTestId("editor");
            await Expect(facilitatorsEditor).ToHaveValueAsync("Community radio in local languages.");
            await Expect(facilitatorsEditor).ToBeEditableAsync();
            await Expect(facilitator.GetByTestId("editor-mode")).ToHaveTextAsync("Editing");

            // The facilitator edits after the end; the rapporteur's and the participant's pages receive it live.
            await facilitatorsEditor.FocusAsync();
            await facilitator.Keyboard.PressAsync("Control+End");
            await facilitator.Keyboard.TypeAsync(" Weekly programmes.");
            await Expect(rapporteursEditor).ToHaveValueAsync("Community radio in local languages. Weekly programmes.");
            await Expect(rapporteursEditor).ToBeEditableAsync();
            var docId = await facilitatorsEditor.GetAttributeAsync("data-doc-id");
            Assert.Equal("Community radio in local languages. Weekly programmes.", await site.ServerTextAsync(docId!));
            await BrowserSite.ScreenshotAsync(facilitator, "group-notes-facilitator-after-end");
        }
        finally
        {
            await SessionAsync(api, "d1-breakouts", "/end", allowRefusal: true);
        }
    }

    [Fact]
    public async Task Day2GroupsGetTheDraftingTemplateAndANotesHistoryRestoresAVersionAsANewEdit()
    {
        using var api = new HttpClient { BaseAddress = site.Address };
        var facilitator = await site.JoinAsync("facilitator", "Fiifi Mensah", null, "en");
        var kwame = await site.JoinAsync("participant", "Kwame Asante", "Ghana", "en");
        var awa = await site.JoinAsync("participant", "Awa Sawadogo", "Burkina Faso", "fr");
        await SessionAsync(api, "d2-drafting", "/start");
        try
        {
            await SessionAsync(api, "d2-drafting", "/breakouts", new { naming = "numbered", count = 1, assignment = "mixDelegations" });

            // Day 2: the drafting template, not the Day-1 notes, titled in each reader's language.
            await Expect(kwame.GetByRole(AriaRole.Tab, new() { Name = "Draft recommendations" })).ToBeVisibleAsync();
            await Expect(kwame.GetByRole(AriaRole.Tab)).ToHaveCountAsync(2);
            await Expect(kwame.GetByTestId("editor")).ToHaveValueAsync(new Regex("^Recommendation 1 / Recommandation 1\nTo / À l'intention de: "));
            await Expect(awa.GetByRole(AriaRole.Tab, new() { Name = "Projets de recommandations" })).ToBeVisibleAsync();
            Assert.False(await kwame.GetByRole(AriaRole.Link, new() { Name = "Group documents" }).IsVisibleAsync(), "a participant has no group documents view");

            // The empty drafting notes say what to write, from the template, in each reader's language.
            await kwame.GetByRole(AriaRole.Tab, new() { Name = "Drafting notes" }).ClickAsync();
            await awa.GetByRole(AriaRole.Tab, new() { Name = "Notes de rédaction" }).ClickAsync();
            var kwamesEditor = kwame.GetByTestId("editor");
            var awasEditor = awa.GetByTestId("editor");
            await Expect(kwamesEditor).ToHaveAttributeAsync("placeholder", new Regex("^Points the group discussed but did not turn into a recommendation"));
            await Expect(awasEditor).ToHaveAttributeAsync("placeholder", new Regex("^Points discutés par le groupe"));
            await BrowserSite.ScreenshotAsync(kwame, "group-notes-empty-guidance");

            // Three changes by two people: Kwame writes, Awa adds, then Kwame replaces everything by mistake.
            await Expect(kwamesEditor).ToBeEditableAsync();
            await kwamesEditor.FocusAsync();
            await kwame.Keyboard.TypeAsync("Fund community radio.");
            await Expect(awasEditor).ToHaveValueAsync("Fund community radio.");
            await awasEditor.FocusAsync();
            await awa.Keyboard.PressAsync("Control+End");
            await awa.Keyboard.TypeAsync(" In local languages.");
            await Expect(kwamesEditor).ToHaveValueAsync("Fund community radio. In local languages.");
            var docId = (await kwamesEditor.GetAttributeAsync("data-doc-id"))!;
            await SavedAsync(awa);
            Assert.Equal("Fund community radio. In local languages.", await site.ServerTextAsync(docId));
            var goodUntil = await LastCommitAsync(api, docId);

            // The instant form reads whole seconds: the mistake comes at least one second after Awa's last edit.
            await Task.Delay(TimeSpan.FromSeconds(1.1));
            await kwamesEditor.FocusAsync();
            await kwame.Keyboard.PressAsync("Control+A");
            await kwame.Keyboard.TypeAsync("oops");
            await SavedAsync(kwame);
            Assert.Equal("oops", await site.ServerTextAsync(docId));
            var mistake = await LastCommitAsync(api, docId);

            // The facilitator opens the note from the group documents view, and its history.
            await facilitator.GetByRole(AriaRole.Link, new() { Name = "Group documents" }).ClickAsync();
            await facilitator.GetByTestId("groups-sessions").Locator("[data-session=d2-drafting]").ClickAsync();
            await facilitator.GetByTestId("notes-group").GetByRole(AriaRole.Button, new() { Name = "Drafting notes" }).ClickAsync();
            var editor = facilitator.GetByTestId("editor");
            await Expect(editor).ToHaveValueAsync("oops");
            var history = facilitator.GetByTestId("note-history");
            await history.Locator("summary").ClickAsync();
            var changes = history.GetByTestId("history-change");
            await Expect(changes).ToHaveCountAsync(3);
            await Expect(changes.Nth(0)).ToContainTextAsync("Kwame Asante");
            await Expect(changes.Nth(0)).ToContainTextAsync("oops");
            await Expect(changes.Nth(1)).ToContainTextAsync("Awa Sawadogo");
            await Expect(changes.Nth(1)).ToContainTextAsync("In local languages.");
            await Expect(changes.Nth(2)).ToContainTextAsync("Kwame Asante");

            // The text after Awa's change, and at the instant just after it (before the mistake).
            await changes.Nth(1).GetByRole(AriaRole.Button, new() { Name = "Text after this change" }).ClickAsync();
            await Expect(history.GetByTestId("text-at").Locator("pre")).ToHaveTextAsync("Fund community radio. In local languages.");
            var local = await facilitator.EvaluateAsync<string>(
                "iso => { const d = new Date(Date.parse(iso) + 1000); const p = (n) => String(n).padStart(2, '0');"
                + " return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`; }",
                goodUntil.CommittedAt);
            var instant = history.Locator("input[name=instant]");
            await instant.FillAsync(local);
            await history.Locator("form.history-time button").ClickAsync();
            await Expect(history.GetByTestId("text-at")).ToHaveAttributeAsync("data-revision", goodUntil.Revision.ToString(System.Globalization.CultureInfo.InvariantCulture));
            await Expect(history.GetByTestId("text-at").Locator("pre")).ToHaveTextAsync("Fund community radio. In local languages.");

            // What the mistake did, word by word.
            await changes.Nth(0).GetByRole(AriaRole.Button, new() { Name = "Compare this change" }).ClickAsync();
            var diff = history.GetByTestId("diff");
            await Expect(diff.Locator("del")).ToHaveTextAsync("Fund community radio. In local languages.");
            await Expect(diff.Locator("ins")).ToHaveTextAsync("oops");

            // Restore Awa's version: asked first, then one new edit that the participants' pages receive live.
            await changes.Nth(1).GetByTestId("restore").ClickAsync();
            var confirm = history.GetByTestId("restore-confirm");
            await Expect(confirm).ToContainTextAsync($"revision {goodUntil.Revision}");
            await BrowserSite.ScreenshotAsync(facilitator, "group-notes-history-restore");
            await confirm.GetByRole(AriaRole.Button, new() { Name = "Restore", Exact = true }).ClickAsync();
            await Expect(editor).ToHaveValueAsync("Fund community radio. In local languages.");
            await Expect(kwamesEditor).ToHaveValueAsync("Fund community radio. In local languages.");
            await Expect(awasEditor).ToHaveValueAsync("Fund community radio. In local languages.");
            await Expect(facilitator.GetByTestId("note-notice")).ToContainTextAsync("restored as a new change");
            Assert.Equal("Fund community radio. In local languages.", await site.ServerTextAsync(docId));

            // The restore is a change of its own, by the facilitator, on top of the history; nothing was rewritten.
            await Expect(changes).ToHaveCountAsync(4);
            await Expect(changes.Nth(0)).ToContainTextAsync("Fiifi Mensah");
            var restored = await LastCommitAsync(api, docId);
            Assert.Equal(mistake.Revision + 1, restored.Revision);
            await BrowserSite.ScreenshotAsync(facilitator, "group-notes-history");

            // The participant reads the same history beside the note in the workspace, the restore on top.
            var kwamesHistory = kwame.GetByTestId("note-history");
            await kwamesHistory.Locator("summary").ClickAsync();
            await Expect(kwamesHistory.GetByTestId("history-change")).ToHaveCountAsync(4);
            await Expect(kwamesHistory.GetByTestId("history-change").First).ToContainTextAsync("Fiifi Mensah");
        }
        finally
        {
            await SessionAsync(api, "d2-drafting", "/end", allowRefusal: true);
        }
    }

    [Fact]
    public async Task AFacilitatorGivesASessionsGroupsTheirOwnDocumentsFromTheBrowser()
    {
        using var api = new HttpClient { BaseAddress = site.Address };
        var facilitator = await site.JoinAsync("facilitator", "Francis Kaboré", null, "en");
        var yao = await site.JoinAsync("participant", "Yao Kouassi", "Côte d'Ivoire", "fr");

        // The closing plenary has no documents of its own: its groups would get the default ones.
        await facilitator.GetByRole(AriaRole.Link, new() { Name = "Group documents" }).ClickAsync();
        await facilitator.GetByTestId("groups-sessions").Locator("[data-session=d2-closing]").ClickAsync();
        await Expect(facilitator.GetByTestId("notes-group")).ToHaveCountAsync(0);
        var editor = facilitator.GetByTestId("template-editor");
        await editor.Locator("summary").ClickAsync();
        await Expect(editor.GetByTestId("template-default")).ToBeVisibleAsync();

        // One document, titled and guided in both working languages, with an initial text.
        await editor.GetByRole(AriaRole.Button, new() { Name = "Add a document" }).ClickAsync();
        var document = editor.GetByTestId("template-doc");
        await document.GetByLabel("Title (English)").FillAsync("Commitments");
        await document.GetByLabel("Title (French)").FillAsync("Engagements");
        await document.GetByLabel("What to write in it (English)").FillAsync("Who commits to what, and by when.");
        await document.GetByLabel("What to write in it (French)").FillAsync("Qui s'engage à quoi, et d'ici quand.");
        await editor.GetByRole(AriaRole.Button, new() { Name = "Save the documents" }).ClickAsync();
        await Expect(editor.GetByTestId("template-notice")).ToContainTextAsync("groups opened from now on in this session get these documents");
        await Expect(document.GetByLabel("Title (French)")).ToHaveValueAsync("Engagements");
        await BrowserSite.ScreenshotAsync(facilitator, "group-documents-template");

        // The session's groups get it: the French participant sees its French title and guidance.
        await SessionAsync(api, "d2-closing", "/start");
        try
        {
            await SessionAsync(api, "d2-closing", "/breakouts", new { naming = "numbered", count = 1, assignment = "mixDelegations" });
            await Expect(yao.GetByRole(AriaRole.Tab, new() { Name = "Engagements" })).ToBeVisibleAsync();
            await Expect(yao.GetByRole(AriaRole.Tab)).ToHaveCountAsync(1);
            await Expect(yao.GetByTestId("editor")).ToHaveAttributeAsync("placeholder", "Qui s'engage à quoi, et d'ici quand.");
            await Expect(facilitator.GetByTestId("notes-group").GetByRole(AriaRole.Button, new() { Name = "Commitments" })).ToBeVisibleAsync();
        }
        finally
        {
            await SessionAsync(api, "d2-closing", "/end", allowRefusal: true);
        }
    }

    private async Task SessionAsync(HttpClient api, string sessionId, string action, object? body = null, bool allowRefusal = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/workshops/{site.WorkshopId}/sessions/{sessionId}{action}")
        {
            Content = JsonContent.Create(body ?? new { }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", site.FacilitatorToken);
        using var response = await api.SendAsync(request);
        Assert.True(allowRefusal || response.IsSuccessStatusCode, $"{sessionId}{action}: {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>The document's newest committed op: its revision and when it was committed.</summary>
    private async Task<(int Revision, string CommittedAt)> LastCommitAsync(HttpClient api, string docId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/documents/{docId}/ops?after=0");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", site.FacilitatorToken);
        using var response = await api.SendAsync(request);
        var ops = await response.Content.ReadFromJsonAsync<JsonElement>();
        var last = ops.EnumerateArray().Last();
        return (last.GetProperty("revision").GetInt32(), last.GetProperty("committedAt").GetString()!);
    }

    /// <summary>The page's own edits are all acknowledged by the server.</summary>
    private static Task SavedAsync(IPage page) => Expect(page.GetByTestId("sync-status")).ToHaveAttributeAsync("data-state", "saved");
}
