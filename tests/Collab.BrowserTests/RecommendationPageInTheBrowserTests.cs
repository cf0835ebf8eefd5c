using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Collab.BrowserTests.Texts;
using static Microsoft.Playwright.Assertions;

namespace Collab.BrowserTests;

/// <summary>
/// Recommendations drafted in the browser on the seed conference: a participant proposes one from a passage of her
/// group's notes; a participant of another delegation comments on a range and she replies; in review he types a
/// suggestion that the rapporteur accepts; the page shows its source, which opens the note at the passage (also after
/// the note was edited); its history shows each author's changes grouped, the text at a revision and a word diff.
/// </summary>
public sealed partial class RecommendationPageInTheBrowserTests(BrowserSite site) : IClassFixture<BrowserSite>
{
    [Fact]
    public async Task AParticipantProposesFromHerGroupsNotesAnotherCommentsSheRepliesAndHisSuggestionIsAcceptedByTheRapporteur()
    {
        // The breakout session runs with one group, which everyone who joins is placed in.
        await site.FacilitatorAsync(HttpMethod.Post, "/sessions/d1-breakouts/start");
        await site.FacilitatorAsync(HttpMethod.Post, "/sessions/d1-breakouts/breakouts", new { naming = "numbered", count = 1, assignment = "mixDelegations" });
        var awa = await site.JoinAsync("participant", "Awa Zongo", "Burkina Faso", "fr");
        var kofi = await site.JoinAsync("participant", "Kofi Mensah", "Ghana", "en");
        var rapporteur = await site.JoinAsync("rapporteur", "Aïcha Diop", null, "en");

        // Awa writes in her group's notes, selects a passage and proposes it: the dialog speaks French.
        await Expect(awa.GetByTestId("room-name")).ToContainTextAsync("Groupe 1");
        var notes = awa.GetByTestId("editor");
        await Expect(notes).ToBeEditableAsync();
        await Expect(awa.GetByTestId("editor-mode")).ToHaveTextAsync("Modification");
        await Expect(awa.GetByRole(AriaRole.Button, new() { Name = "Proposer une recommandation" })).ToBeDisabledAsync();
        const string passage = "Quarterly cross-border community forums bring chiefs, youth and border officers together.";
        await notes.FocusAsync();
        await awa.Keyboard.PressAsync("Control+End");
        await awa.Keyboard.TypeAsync("Seen in Kpalimé: " + passage + " They defuse incidents early.");
        await SelectAsync(notes, passage);
        await awa.GetByRole(AriaRole.Button, new() { Name = "Proposer une recommandation" }).ClickAsync();
        var dialog = awa.GetByTestId("propose-dialog");
        await Expect(dialog.GetByTestId("passage")).ToHaveTextAsync(passage);
        await Expect(dialog.GetByLabel("Texte de la recommandation")).ToHaveValueAsync(passage);
        await dialog.GetByLabel("Titre", new() { Exact = true }).FillAsync("Quarterly cross-border community forums");
        await dialog.GetByLabel("Thème (facultatif)").FillAsync("Cross-border cooperation");
        await dialog.GetByLabel("Langue de référence").SelectOptionAsync("en");
        await BrowserSite.ScreenshotAsync(awa, "propose-from-notes");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Proposer", Exact = true }).ClickAsync();

        // Her page is the recommendation's, with the passage as its source, in English of record with a French translation to write.
        await Expect(awa).ToHaveURLAsync(RecAddress());
        var rid = RecAddress().Match(awa.Url).Groups[1].Value;
        await Expect(awa.GetByTestId("rec-title")).ToHaveTextAsync("Quarterly cross-border community forums");
        await Expect(awa.GetByTestId("rec-status")).ToHaveTextAsync("Brouillon");
        await Expect(awa.GetByTestId("source")).ToContainTextAsync(passage);
        await Expect(awa.GetByTestId("source")).ToContainTextAsync("Groupe 1 — Bonnes pratiques");
        await Expect(awa.GetByTestId("stale-fr")).ToContainTextAsync("Pas encore de traduction en français");
        var awaRecord = TextOf(awa, "en");
        await Expect(awaRecord).ToHaveValueAsync(passage);

        // Kofi opens it from the list, selects "community forums" in the text of record and comments.
        await kofi.GetByRole(AriaRole.Link, new() { Name = "Quarterly cross-border community forums" }).ClickAsync();
        var kofiRecord = TextOf(kofi, "en");
        await Expect(kofiRecord).ToHaveValueAsync(passage);
        await SelectAsync(kofiRecord, "community forums");
        await kofi.GetByRole(AriaRole.Button, new() { Name = "Comment on the selection" }).ClickAsync();
        await kofi.GetByLabel("Your comment").FillAsync("Which communities? Name the border districts.");
        await kofi.GetByTestId("comment-form").GetByRole(AriaRole.Button, new() { Name = "Comment", Exact = true }).ClickAsync();
        await Expect(kofi.GetByTestId("comment")).ToContainTextAsync("community forums");
        await Expect(kofi.Locator("mark.m-comment")).ToHaveTextAsync("community forums");

        // Awa sees it live, highlighted in her text, and replies; Kofi sees her reply live.
        var thread = awa.GetByTestId("comment");
        await Expect(thread).ToContainTextAsync("Which communities? Name the border districts.");
        await Expect(awa.Locator("mark.m-comment")).ToHaveTextAsync("community forums");
        await thread.GetByLabel("Répondre à Kofi Mensah").FillAsync("Those along the Benin–Togo border first.");
        await thread.GetByRole(AriaRole.Button, new() { Name = "Répondre" }).ClickAsync();
        await Expect(kofi.GetByTestId("comment")).ToContainTextAsync("Those along the Benin–Togo border first.");

        // Answered: Kofi resolves his comment (its highlight goes), then reopens it.
        await kofi.GetByTestId("comment").GetByRole(AriaRole.Button, new() { Name = "Resolve" }).ClickAsync();
        await Expect(kofi.GetByTestId("comments")).ToContainTextAsync("Resolved comments (1)");
        await Expect(awa.Locator("mark.m-comment")).ToHaveCountAsync(0);
        await kofi.GetByTestId("comments").Locator("summary").ClickAsync();
        await kofi.GetByTestId("comment").GetByRole(AriaRole.Button, new() { Name = "Reopen" }).ClickAsync();
        await Expect(kofi.GetByTestId("comments")).ToContainTextAsync("Comments (open: 1)");
        await Expect(awa.Locator("mark.m-comment")).ToHaveTextAsync("community forums");

        // She puts it to the plenary; the facilitator starts the review: Kofi's editor turns to suggesting before he types.
        await awa.GetByRole(AriaRole.Button, new() { Name = "Soumettre à la plénière" }).ClickAsync();
        await Expect(awa.GetByTestId("rec-status")).ToHaveTextAsync("Proposée");
        await site.FacilitatorAsync(HttpMethod.Post, $"/recommendations/{rid}/status", new { status = "inReview" });
        var kofiMode = kofi.GetByTestId("text-en").GetByTestId("editor-mode");
        await Expect(kofiMode).ToHaveTextAsync("Suggesting");
        await Expect(kofi.GetByTestId("text-en").GetByTestId("editor-status")).ToContainTextAsync("what you type here becomes a suggestion");

        // He replaces "Quarterly" by typing: it becomes a suggestion, not an edit.
        await SelectAsync(kofiRecord, "Quarterly");
        await kofi.Keyboard.TypeAsync("Monthly");
        var draft = kofi.GetByTestId("text-en").GetByTestId("suggestion-draft");
        await Expect(draft).ToContainTextAsync("replace “Quarterly” with “Monthly”");
        await draft.GetByRole(AriaRole.Button, new() { Name = "Send suggestion" }).ClickAsync();
        await Expect(kofi.GetByTestId("suggestion")).ToContainTextAsync("Kofi Mensah");
        await Expect(kofiRecord).ToHaveValueAsync(passage);
        Assert.Equal(passage, await site.ServerTextAsync(await kofiRecord.GetAttributeAsync("data-doc-id") ?? ""));

        // The rapporteur, on the same page, sees it inline with its author and accepts it: it lands in everyone's text.
        await rapporteur.GotoAsync($"/#rec={rid}");
        await Expect(rapporteur.GetByTestId("with-suggestions-en")).ToContainTextAsync("Kofi Mensah");
        await Expect(rapporteur.GetByTestId("with-suggestions-en").Locator("del")).ToHaveTextAsync("Quarterly");
        await Expect(rapporteur.GetByTestId("with-suggestions-en").Locator("ins")).ToHaveTextAsync("Monthly");
        await Expect(rapporteur.GetByTestId("text-en").GetByTestId("editor-mode")).ToHaveTextAsync("Editing");

        // Before deciding, she writes the French translation and marks it in sync with the text of record.
        var french = TextOf(rapporteur, "fr");
        await french.FocusAsync();
        await rapporteur.Keyboard.TypeAsync("Des forums communautaires transfrontaliers trimestriels réunissent chefs, jeunes et agents frontaliers.");
        await Expect(rapporteur.GetByTestId("sync-status")).ToHaveAttributeAsync("data-state", "saved");
        await rapporteur.GetByTestId("mark-in-sync-fr").ClickAsync();
        await Expect(rapporteur.GetByTestId("stale-fr")).ToHaveTextAsync("In step with the text of record.");

        await rapporteur.GetByTestId("suggestion").GetByRole(AriaRole.Button, new() { Name = "Accept" }).ClickAsync();
        var accepted = passage.Replace("Quarterly", "Monthly", StringComparison.Ordinal);
        await Expect(TextOf(rapporteur, "en")).ToHaveValueAsync(accepted);
        await Expect(kofiRecord).ToHaveValueAsync(accepted);
        await Expect(awaRecord).ToHaveValueAsync(accepted);
        await Expect(kofi.GetByTestId("suggestions")).ToContainTextAsync("Accepted by Aïcha Diop");
        await Expect(awa.GetByTestId("rec-status")).ToHaveTextAsync("En examen");

        // The text of record changed under the translation: its paragraph is flagged, beside the new English one.
        await Expect(rapporteur.GetByTestId("stale-fr")).ToHaveTextAsync("1 paragraph is out of date with the text of record.");
        await Expect(rapporteur.Locator("[data-testid=text-fr] mark.m-stale")).ToHaveTextAsync(new Regex("^Des forums communautaires"));
        var aligned = rapporteur.GetByTestId("aligned");
        await Expect(aligned.Locator("tr[data-stale=true]")).ToHaveCountAsync(1);
        await Expect(aligned.Locator("tr[data-stale=true]")).ToContainTextAsync("Monthly cross-border");
        await Expect(aligned.Locator("tr[data-stale=true]")).ToContainTextAsync("Out of date");
        await Expect(awa.GetByTestId("stale-fr")).ToHaveTextAsync("1 paragraphe n’est plus à jour par rapport au texte de référence.");
        await BrowserSite.ScreenshotAsync(rapporteur, "recommendation-page");
        await BrowserSite.ScreenshotAsync(awa, "recommendation-page-fr");

        // The facilitator may not adopt without a vote (the button says why); rejecting asks first, and Cancel changes nothing.
        var facilitator = await site.JoinAsync("facilitator", "Fatou Diallo", null, "en");
        await facilitator.GotoAsync($"/#rec={rid}");
        await Expect(facilitator.GetByRole(AriaRole.Button, new() { Name = "Adopt", Exact = true })).ToBeDisabledAsync();
        await Expect(facilitator.GetByTestId("rec-tally")).ToHaveTextAsync("No voice yet.");
        await facilitator.GetByRole(AriaRole.Button, new() { Name = "Reject", Exact = true }).ClickAsync();
        var confirm = facilitator.GetByTestId("confirm-dialog");
        await Expect(confirm).ToContainTextAsync("Reject “Quarterly cross-border community forums”?");
        await Expect(confirm.GetByRole(AriaRole.Button, new() { Name = "Cancel" })).ToBeFocusedAsync();
        await BrowserSite.ScreenshotAsync(facilitator, "recommendation-confirm");
        await confirm.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await Expect(confirm).ToHaveCountAsync(0);
        await Expect(facilitator.GetByTestId("rec-status")).ToHaveTextAsync("In review");

        // Awa withdraws it (after confirming): every open editor turns read only at once.
        await awa.GetByRole(AriaRole.Button, new() { Name = "Retirer" }).ClickAsync();
        var withdraw = awa.GetByTestId("confirm-dialog");
        await withdraw.GetByLabel("Note pour le compte rendu (facultatif)").FillAsync("Folded into the plenary's forum recommendation.");
        await withdraw.GetByRole(AriaRole.Button, new() { Name = "Retirer" }).ClickAsync();
        await Expect(awa.GetByTestId("rec-status")).ToHaveTextAsync("Retirée");
        await Expect(kofi.GetByTestId("text-en").GetByTestId("editor-mode")).ToHaveTextAsync("Read only");
        await Expect(facilitator.GetByTestId("rec-actions").GetByRole(AriaRole.Button)).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task TheSourceOpensItsNoteAtThePassageAfterTheNoteWasEditedAndTheHistoryShowsGroupedChangesAndADiff()
    {
        var workshop = await site.FacilitatorAsync(HttpMethod.Get, "");
        var note = workshop.GetProperty("documents")[0];
        var noteId = note.GetProperty("docId").GetString()!;
        var noteText = await site.ServerTextAsync(noteId);
        const string passage = "Coordinate cross-border community engagement between neighbouring countries instead of country by country.";
        var start = noteText.IndexOf(passage, StringComparison.Ordinal);
        Assert.True(start > 0, "the seed's first plenary document lists the passage");
        var proposed = await site.FacilitatorAsync(HttpMethod.Post, "/recommendations", new
        {
            title = "Coordinated engagement across borders",
            theme = "Cross-border cooperation",
            text = "Neighbouring countries coordinate community engagement.",
            language = "en",
            origin = "plenary",
            provenance = new[] { new { docId = noteId, start, end = start + passage.Length, revision = 0 } },
        });
        var rid = proposed.GetProperty("id").GetString()!;
        var amina = await site.JoinAsync("participant", "Amina Koné", "Togo", "fr");
        var kofi = await site.JoinAsync("participant", "Kofi Asante", "Ghana", "en");

        // The page lists the source; a click opens the note in the workspace, the passage highlighted and selected.
        await amina.GotoAsync($"/#rec={rid}");
        await Expect(amina.GetByTestId("source")).ToContainTextAsync(passage);
        await amina.GetByTestId("source").GetByRole(AriaRole.Button, new() { Name = "Ouvrir dans les notes" }).ClickAsync();
        var opened = amina.Locator($"textarea[data-doc-id='{noteId}']");
        await Expect(opened).ToBeVisibleAsync();
        await Expect(amina.Locator("mark.m-passage")).ToHaveTextAsync(passage);
        Assert.Equal(passage, await SelectedTextAsync(opened));
        await Expect(amina.GetByTestId("passage-banner")).ToContainTextAsync("Le passage surligné est une source de « Coordinated engagement across borders ».");

        // Someone edits the note before the passage; opened again from the page, the highlight is still on its words.
        await opened.FocusAsync();
        await amina.Keyboard.PressAsync("Control+Home");
        await amina.Keyboard.TypeAsync("Agreed in plenary. ");
        await Expect(amina.GetByTestId("sync-status")).ToHaveAttributeAsync("data-state", "saved");
        await Expect(amina.Locator("mark.m-passage")).ToHaveTextAsync(passage);
        await amina.GoBackAsync();
        await Expect(amina.GetByTestId("rec-title")).ToHaveTextAsync("Coordinated engagement across borders");
        await amina.GetByTestId("source").GetByRole(AriaRole.Button, new() { Name = "Ouvrir dans les notes" }).ClickAsync();
        await Expect(amina.Locator("mark.m-passage")).ToHaveTextAsync(passage);
        Assert.Equal(passage, await SelectedTextAsync(opened));
        Assert.StartsWith("Agreed in plenary. ", await site.ServerTextAsync(noteId), StringComparison.Ordinal);
        await BrowserSite.ScreenshotAsync(amina, "recommendation-source");

        // From the note, another passage is added to the recommendation's sources through the picker.
        const string second = "Bring civil society representatives to the table alongside border agencies and regional institutions.";
        await SelectAsync(opened, second);
        await amina.GetByRole(AriaRole.Button, new() { Name = "Ajouter comme source…" }).ClickAsync();
        var picker = amina.GetByTestId("add-source-dialog");
        await picker.GetByLabel("Chercher une recommandation").FillAsync("coordinated ENGAGEMENT");
        await picker.GetByRole(AriaRole.Radio, new() { Name = "Coordinated engagement across borders" }).CheckAsync();
        await picker.GetByRole(AriaRole.Button, new() { Name = "Ajouter comme source" }).ClickAsync();
        await Expect(picker).ToHaveCountAsync(0);
        await Expect(amina.Locator(".flash")).ToContainTextAsync("Le passage est maintenant une source de « Coordinated engagement across borders ».");

        // Two authors change the text of record: Amina types key by key at the end, Kofi at the start.
        await amina.GoBackAsync();
        await Expect(amina.GetByTestId("source")).ToHaveCountAsync(2);
        await Expect(amina.GetByTestId("source").Nth(1)).ToContainTextAsync(second);
        await kofi.GotoAsync($"/#rec={rid}");
        var aminaText = TextOf(amina, "en");
        var kofiText = TextOf(kofi, "en");
        await Expect(aminaText).ToBeEditableAsync();
        await aminaText.FocusAsync();
        await amina.Keyboard.PressAsync("Control+End");
        await amina.Keyboard.TypeAsync(" Every quarter.", new() { Delay = 20 });
        await Expect(amina.GetByTestId("sync-status")).ToHaveAttributeAsync("data-state", "saved");
        await Expect(kofiText).ToHaveValueAsync("Neighbouring countries coordinate community engagement. Every quarter.");
        await kofiText.FocusAsync();
        await kofi.Keyboard.PressAsync("Control+Home");
        await kofi.Keyboard.TypeAsync("Jointly: ", new() { Delay = 20 });
        await Expect(kofi.GetByTestId("sync-status")).ToHaveAttributeAsync("data-state", "saved");
        const string now = "Jointly: Neighbouring countries coordinate community engagement. Every quarter.";
        await Expect(aminaText).ToHaveValueAsync(now);

        // The history reads as two changes, one per author (each many keystrokes), newest first.
        await kofi.GetByTestId("history").Locator("summary").ClickAsync();
        var changes = kofi.GetByTestId("history-change");
        await Expect(changes).ToHaveCountAsync(2);
        await Expect(changes.Nth(0)).ToContainTextAsync("Kofi Asante");
        await Expect(changes.Nth(0)).ToContainTextAsync(EditCount());
        await Expect(changes.Nth(0).Locator("ins")).ToHaveTextAsync("Jointly: ");
        await Expect(changes.Nth(1)).ToContainTextAsync("Amina Koné");
        await Expect(changes.Nth(1)).ToContainTextAsync(EditCount());
        await Expect(changes.Nth(1).Locator("ins")).ToHaveTextAsync(" Every quarter.");

        // The text as proposed, and a word-level diff from it to now.
        var history = kofi.GetByTestId("history");
        await history.GetByLabel("Revision", new() { Exact = true }).FillAsync("0");
        await history.GetByRole(AriaRole.Button, new() { Name = "Show the text" }).ClickAsync();
        await Expect(kofi.GetByTestId("text-at")).ToContainTextAsync("Neighbouring countries coordinate community engagement.");
        await history.GetByLabel("From revision").FillAsync("0");
        await history.GetByRole(AriaRole.Button, new() { Name = "Compare", Exact = true }).ClickAsync();
        var diff = kofi.GetByTestId("diff");
        await Expect(diff.Locator("ins")).ToHaveTextAsync(["Jointly: ", " Every quarter."]);
        await Expect(diff.Locator("del")).ToHaveCountAsync(0);
        await BrowserSite.ScreenshotAsync(kofi, "recommendation-history");
    }

    [Fact]
    public async Task TypingThatRacesTheStartOfTheReviewIsKeptOnScreenAndSentAsASuggestion()
    {
        const string text = "Train border officers in community policing.";
        var proposed = await site.FacilitatorAsync(HttpMethod.Post, "/recommendations", new { title = "Community policing", text, language = "en" });
        var rid = proposed.GetProperty("id").GetString()!;
        await site.FacilitatorAsync(HttpMethod.Post, $"/recommendations/{rid}/status", new { status = "proposed" });
        var issa = await site.JoinAsync("participant", "Issa Traoré", "Togo", "fr", phone: true);

        // His page's hub connection goes through a route that can hold back the server's AccessChanged pushes. The
        // route reads JSON text frames: the page speaks the hub's JSON protocol (?protocol=json), as third parties do.
        var hub = new HeldPushes("AccessChanged");
        await issa.RouteWebSocketAsync("**/hubs/collab**", hub.Route);
        await issa.GotoAsync("/?protocol=json");
        await Expect(issa.GetByTestId("connection")).ToHaveAttributeAsync("data-state", "online");
        await Expect(issa.Locator("html")).ToHaveAttributeAsync("data-hub-protocol", "json");
        await issa.GotoAsync($"/?protocol=json#rec={rid}");
        var editor = TextOf(issa, "en");
        await Expect(issa.GetByTestId("text-en").GetByTestId("editor-mode")).ToHaveTextAsync("Modification");

        // The review starts while his page has not heard of it yet (the push telling it, and its reads of the
        // recommendation, are held back) …
        hub.Hold();
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await issa.RouteAsync($"**/recommendations/{rid}", async route =>
        {
            await held.Task;
            await route.ContinueAsync();
        });
        await site.FacilitatorAsync(HttpMethod.Post, $"/recommendations/{rid}/status", new { status = "inReview" });

        // … and he types: the server refuses the edit, and what he typed stays on screen with words, not a code.
        await editor.FocusAsync();
        await issa.Keyboard.PressAsync("Control+End");
        await issa.Keyboard.InsertTextAsync(" Every year.");
        var kept = issa.GetByTestId("text-en").GetByTestId("kept-typing");
        await Expect(kept).ToContainTextAsync("Ce que vous venez de taper n’a pas été enregistré, mais le voici.");
        await Expect(kept).ToContainTextAsync("Votre modification : insérer « Every year. »"); // Playwright compares with spaces normalised (the French no-break spaces too)
        await Expect(kept).Not.ToContainTextAsync("document.");
        await Expect(editor).ToHaveValueAsync(text);
        await Expect(kept.GetByRole(AriaRole.Button, new() { Name = "Copier ce que j’ai tapé" })).ToBeVisibleAsync();
        await BrowserSite.ScreenshotAsync(issa, "recommendation-kept-typing");

        // Once the page learns of the review, the editor suggests, and the kept typing is offered as a suggestion.
        hub.Release();
        held.SetResult();
        await Expect(issa.GetByTestId("text-en").GetByTestId("editor-mode")).ToHaveTextAsync("Suggestion");
        await kept.GetByRole(AriaRole.Button, new() { Name = "L’envoyer comme suggestion" }).ClickAsync();
        await Expect(kept).ToBeHiddenAsync();
        await Expect(issa.GetByTestId("suggestion")).ToContainTextAsync("Issa Traoré");
        await Expect(issa.GetByTestId("suggestion")).ToContainTextAsync("Every year.");
        var view = await site.FacilitatorAsync(HttpMethod.Get, $"/recommendations/{rid}");
        var suggestion = Assert.Single(view.GetProperty("suggestions").EnumerateArray());
        Assert.Equal((" Every year.", "Issa Traoré"), (suggestion.GetProperty("replacement").GetString(), suggestion.GetProperty("authorName").GetString()));
        Assert.Equal(text, await site.ServerTextAsync(await editor.GetAttributeAsync("data-doc-id") ?? ""));
    }

    private static Task<string> SelectedTextAsync(ILocator textarea) =>
        textarea.EvaluateAsync<string>("t => t.value.slice(t.selectionStart, t.selectionEnd)");


    [GeneratedRegex(@"#rec=(r\d+)$")]
    private static partial Regex RecAddress();

    /// <summary>Keystrokes typed while an op was in flight are sent together: a change counts several edits, how many depends on timing.</summary>
    [GeneratedRegex(@"\b([2-9]|1\d) edits\b")]
    private static partial Regex EditCount();
}

/// <summary>
/// A page's hub WebSocket, relayed by Playwright, that can hold back the server's pushes of one method (SignalR's JSON
/// frames hold records ended by U+001E) and deliver them later, as a slow network would.
/// </summary>
internal sealed class HeldPushes(string method)
{
    private readonly object _lock = new();
    private readonly List<string> _held = [];
    private IWebSocketRoute? _page;
    private bool _holding;

    public void Route(IWebSocketRoute page)
    {
        _page = page;
        var server = page.ConnectToServer();
        server.OnMessage(frame =>
        {
            if (frame.Text is not { } text)
            {
                page.Send(frame.Binary ?? []);
                return;
            }

            var records = text.Split('\u001e', StringSplitOptions.RemoveEmptyEntries);
            var pass = new List<string>();
            lock (_lock)
            {
                foreach (var record in records)
                {
                    if (_holding && record.Contains($"\"target\":\"{method}\"", StringComparison.Ordinal))
                    {
                        _held.Add(record + "\u001e");
                    }
                    else
                    {
                        pass.Add(record + "\u001e");
                    }
                }
            }

            if (pass.Count > 0)
            {
                page.Send(string.Concat(pass));
            }
        });
    }

    public void Hold()
    {
        lock (_lock)
        {
            _holding = true;
        }
    }

    public void Release()
    {
        string[] held;
        lock (_lock)
        {
            _holding = false;
            held = [.. _held];
            _held.Clear();
        }

        foreach (var record in held)
        {
            _page!.Send(record);
        }
    }
}
