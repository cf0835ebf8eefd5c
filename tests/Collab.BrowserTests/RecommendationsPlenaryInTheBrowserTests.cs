using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Collab.BrowserTests.Texts;
using static Microsoft.Playwright.Assertions;

namespace Collab.BrowserTests;

/// <summary>
/// The seed conference's recommendations, from group notes to an adopted text in the outcome, run entirely from the
/// browser (no API call): a facilitator, a rapporteur and participants of three delegations (Burkina Faso and Togo in
/// French, Ghana in English on a phone).
/// </summary>
public sealed class RecommendationsPlenaryInTheBrowserTests(BrowserSite site) : IClassFixture<BrowserSite>
{
    private const string PassageOfAwa = "Quarterly cross-border community forums bring chiefs, youth and border officers together.";
    private const string PassageOfKofi = "Cross-border community forums every quarter keep communities talking to border officers.";
    private const string Reservation = "Ghana will hold the forums within its district assemblies.";
    private static readonly ProposeWords French = new("Proposer une recommandation", "Titre", "Langue de référence", "Proposer");
    private static readonly ProposeWords English = new("Propose a recommendation", "Title", "Language of record", "Propose");

    private const string MergedTitle = "Quarterly cross-border community forums in every border region";

    [Fact]
    public Task FromGroupNotesToAnAdoptedRecommendationInTheOutcomeWithoutLeavingTheBrowser() => RunAsync(site, "recommendations-plenary");

    /// <summary>
    /// The conference's two days on <paramref name="site"/>'s workshop, from pages only: people join by its join links,
    /// the facilitator runs the breakouts, the drafting and the plenary, and the outcome shows the adopted text.
    /// </summary>
    internal static async Task RunAsync(BrowserSite site, string screenshots)
    {
        var facilitator = await site.JoinAsync("facilitator", "Fatou Diallo", null, "en");
        var awa = await site.JoinAsync("participant", "Awa Zongo", "Burkina Faso", "fr");
        var kofi = await site.JoinAsync("participant", "Kofi Mensah", "Ghana", "en", phone: true);
        var yao = await site.JoinAsync("participant", "Yao Agbeko", "Togo", "fr");
        var rapporteur = await site.JoinAsync("rapporteur", "Aïcha Diop", null, "en");

        // Day 1: the facilitator starts the breakouts from the console, with one group for everyone.
        await RunSessionAsync(facilitator, "Breakouts: best practices", "Start");
        await facilitator.GetByLabel("Groups", new() { Exact = true }).SelectOptionAsync("numbered");
        await facilitator.GetByLabel("Number of groups").FillAsync("1");
        await facilitator.GetByLabel("Assignment").SelectOptionAsync("mixDelegations");
        await facilitator.GetByRole(AriaRole.Button, new() { Name = "Open breakouts" }).ClickAsync();

        // Awa and Kofi write in their group's notes, and each proposes a recommendation from a passage.
        var rid1 = await ProposeFromNotesAsync(awa, "Seen in Kpalimé: " + PassageOfAwa, PassageOfAwa, "Quarterly cross-border community forums", French);
        var rid2 = await ProposeFromNotesAsync(kofi, "In Aflao: " + PassageOfKofi, PassageOfKofi, "Cross-border community forums every quarter", English);

        // Yao (Togo) comments on words of Awa's text; she replies; both see the thread live.
        await yao.GotoAsync($"/#rec={rid1}");
        var yaoText = TextOf(yao, "en");
        await Expect(yaoText).ToHaveValueAsync(PassageOfAwa);
        await SelectAsync(yaoText, "border officers");
        await yao.GetByRole(AriaRole.Button, new() { Name = "Commenter la sélection" }).ClickAsync();
        await yao.GetByLabel("Votre commentaire").FillAsync("Et les douaniers ?");
        await yao.GetByTestId("comment-form").GetByRole(AriaRole.Button, new() { Name = "Commenter", Exact = true }).ClickAsync();
        var awasThread = awa.GetByTestId("comment");
        await Expect(awasThread).ToContainTextAsync("Et les douaniers ?");
        await awasThread.GetByLabel("Répondre à Yao Agbeko").FillAsync("Oui, ajoutons-les.");
        await awasThread.GetByRole(AriaRole.Button, new() { Name = "Répondre" }).ClickAsync();
        await Expect(yao.GetByTestId("comment")).ToContainTextAsync("Oui, ajoutons-les.");

        // The breakouts end; on day 2 the drafting session starts in its draft phase, where participants edit texts.
        await RunSessionAsync(facilitator, "Breakouts: best practices", "End");
        await RunSessionAsync(facilitator, "Breakouts: drafting recommendations", "Start");
        await kofi.GotoAsync($"/#rec={rid1}");
        var kofisMode = kofi.GetByTestId("text-en").GetByTestId("editor-mode");
        await Expect(kofisMode).ToHaveTextAsync("Editing");

        // The facilitator moves to review: Kofi's editor turns to suggesting while he watches, before he types.
        await SetPhaseAsync(facilitator, "review");
        await Expect(kofisMode).ToHaveTextAsync("Suggesting");

        // He replaces "border officers" by typing: a suggestion, which the rapporteur accepts; it lands everywhere.
        var kofiText = TextOf(kofi, "en");
        await SelectAsync(kofiText, "border officers");
        await kofi.Keyboard.TypeAsync("border and customs officers");
        var draft = kofi.GetByTestId("text-en").GetByTestId("suggestion-draft");
        await draft.GetByRole(AriaRole.Button, new() { Name = "Send suggestion" }).ClickAsync();
        await Expect(kofiText).ToHaveValueAsync(PassageOfAwa);
        await rapporteur.GotoAsync($"/#rec={rid1}");
        await rapporteur.GetByTestId("suggestion").GetByRole(AriaRole.Button, new() { Name = "Accept" }).ClickAsync();
        var accepted = PassageOfAwa.Replace("border officers", "border and customs officers", StringComparison.Ordinal);
        await Expect(kofiText).ToHaveValueAsync(accepted);
        await Expect(TextOf(awa, "en")).ToHaveValueAsync(accepted);

        // The drafting session ends and the recommendations plenary starts (review); both authors submit their drafts.
        await RunSessionAsync(facilitator, "Breakouts: drafting recommendations", "End");
        await RunSessionAsync(facilitator, "Recommendations plenary", "Start");
        await awa.GetByRole(AriaRole.Button, new() { Name = "Soumettre à la plénière" }).ClickAsync();
        await Expect(awa.GetByTestId("rec-status")).ToHaveTextAsync("Proposée");
        await kofi.GotoAsync($"/#rec={rid2}");
        await kofi.GetByRole(AriaRole.Button, new() { Name = "Propose to the plenary" }).ClickAsync();
        await Expect(kofi.GetByTestId("rec-status")).ToHaveTextAsync("Proposed");

        // On the board the two look alike: the facilitator merges them through the dialog, which keeps both sources.
        await facilitator.GetByRole(AriaRole.Link, new() { Name = "Recommendations", Exact = true }).ClickAsync();
        var duplicate = facilitator.GetByTestId("duplicate");
        await Expect(duplicate).ToContainTextAsync("look alike");
        await duplicate.GetByRole(AriaRole.Button, new() { Name = "Merge these two…" }).ClickAsync();
        var dialog = facilitator.GetByTestId("merge-dialog");
        await Expect(dialog).ToContainTextAsync("Every source’s provenance is kept");
        await dialog.GetByTestId("merge-title").FillAsync(MergedTitle);
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Merge 2 recommendations" }).ClickAsync();
        var merged = Row(facilitator, MergedTitle);
        await Expect(merged.GetByTestId("row-status")).ToHaveTextAsync("Draft");
        await merged.GetByTestId("row-details").ClickAsync();
        await merged.GetByRole(AriaRole.Button, new() { Name = "Propose to the plenary" }).ClickAsync();
        await Expect(merged.GetByTestId("row-status")).ToHaveTextAsync("Proposed");

        // Adoption phase: the speakers of Ghana (with a reservation) and Burkina Faso record their voices; Togo abstains.
        await facilitator.GetByRole(AriaRole.Link, new() { Name = "Facilitator console" }).ClickAsync();
        await SetPhaseAsync(facilitator, "adopt");
        await kofi.GetByRole(AriaRole.Link, new() { Name = "Recommendations", Exact = true }).ClickAsync();
        var kofisRow = Row(kofi, MergedTitle);
        await kofisRow.GetByRole(AriaRole.Button, new() { Name = "Endorsement and status" }).ClickAsync();
        await kofisRow.GetByLabel("For, with reservations").CheckAsync();
        await kofisRow.GetByLabel("Your reservation").FillAsync(Reservation);
        await kofisRow.GetByRole(AriaRole.Button, new() { Name = "Record the voice" }).ClickAsync();
        await Expect(kofisRow.GetByTestId("my-voice")).ToContainTextAsync("For, with reservations");
        await VoteInFrenchAsync(awa, "Pour");
        await VoteInFrenchAsync(yao, "Abstention");

        // Everyone sees the tally and the reservation live.
        await Expect(kofisRow.GetByTestId("tally")).ToContainTextAsync("1 for · 1 for with reservations · 0 against");
        await Expect(Row(yao, MergedTitle).GetByTestId("reservations")).ToContainTextAsync("Ghana : " + Reservation);

        // The facilitator adopts, after confirming.
        await facilitator.GetByRole(AriaRole.Link, new() { Name = "Recommendations", Exact = true }).ClickAsync();
        await Expect(merged.GetByTestId("outlook")).ToHaveTextAsync("The rule allows adoption.");
        await merged.GetByRole(AriaRole.Button, new() { Name = "Adopt…" }).ClickAsync();
        await facilitator.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Adopt", Exact = true }).ClickAsync();
        await Expect(merged.GetByTestId("row-status")).ToHaveTextAsync("Adopted");

        // The outcome preview shows the adopted text with the reservation and both groups' passages as its provenance.
        await facilitator.GetByRole(AriaRole.Link, new() { Name = "Outcome" }).ClickAsync();
        var recommendation = facilitator.FrameLocator("iframe.outcome-frame").Locator("article.recommendation");
        await Expect(recommendation).ToContainTextAsync(MergedTitle);
        await Expect(recommendation).ToContainTextAsync("Ghana: " + Reservation);
        var outcome = facilitator.FrameLocator("iframe.outcome-frame").Locator("body");
        await Expect(outcome).ToContainTextAsync(PassageOfKofi);
        await Expect(outcome).ToContainTextAsync(accepted.Split(' ')[0] + " cross-border community forums bring chiefs");
        await recommendation.ScrollIntoViewIfNeededAsync();
        await BrowserSite.ScreenshotAsync(facilitator, screenshots + "-outcome");
    }

    /// <summary>Selects the agenda session named <paramref name="session"/> in the console and presses <paramref name="button"/>.</summary>
    private static async Task RunSessionAsync(IPage facilitator, string session, string button)
    {
        await facilitator.GetByRole(AriaRole.Link, new() { Name = "Facilitator console" }).ClickAsync();
        await facilitator.GetByRole(AriaRole.Button, new() { Name = session }).ClickAsync();
        await Expect(facilitator.GetByTestId("console-session")).ToContainTextAsync(session);
        await facilitator.GetByRole(AriaRole.Button, new() { Name = button, Exact = true }).ClickAsync();
        if (await facilitator.GetByRole(AriaRole.Dialog).CountAsync() > 0)
        {
            await facilitator.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = button, Exact = true }).ClickAsync();
        }

        await Expect(facilitator.Locator(".session-line")).ToContainTextAsync(button == "End" ? "Ended" : "Running");
    }

    private static async Task SetPhaseAsync(IPage facilitator, string phase)
    {
        await facilitator.GetByLabel("Phase", new() { Exact = true }).SelectOptionAsync(phase);
        await facilitator.GetByRole(AriaRole.Button, new() { Name = "Set phase" }).ClickAsync();
        await Expect(facilitator.Locator(".session-line")).ToContainTextAsync("Phase: " + char.ToUpperInvariant(phase[0]) + phase[1..]);
    }

    /// <summary>Types <paramref name="notes"/> into the page's group notes, selects <paramref name="passage"/> and proposes it; answers the new id.</summary>
    private static async Task<string> ProposeFromNotesAsync(IPage page, string notes, string passage, string title, ProposeWords words)
    {
        await Expect(page.GetByTestId("room-name")).ToContainTextAsync(new Regex("Groupe? 1"));
        var editor = page.GetByTestId("editor");
        await Expect(editor).ToBeEditableAsync();
        await editor.FocusAsync();
        await page.Keyboard.PressAsync("Control+End");
        await page.Keyboard.TypeAsync(notes);
        await SelectAsync(editor, passage);
        await page.GetByRole(AriaRole.Button, new() { Name = words.Propose }).ClickAsync();
        var dialog = page.GetByTestId("propose-dialog");
        await Expect(dialog.GetByTestId("passage")).ToHaveTextAsync(passage);
        await dialog.GetByLabel(words.Title, new() { Exact = true }).FillAsync(title);
        await dialog.GetByLabel(words.Language).SelectOptionAsync("en");
        await dialog.GetByRole(AriaRole.Button, new() { Name = words.Confirm, Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("#rec=([A-Za-z0-9_.-]+)$"));
        await Expect(page.GetByTestId("source")).ToContainTextAsync(passage);
        return new Regex("#rec=([A-Za-z0-9_.-]+)$").Match(page.Url).Groups[1].Value;
    }

    private static async Task VoteInFrenchAsync(IPage page, string stance)
    {
        await page.GetByRole(AriaRole.Link, new() { Name = "Recommandations", Exact = true }).ClickAsync();
        var row = Row(page, MergedTitle);
        await row.GetByRole(AriaRole.Button, new() { Name = "Soutiens et statut" }).ClickAsync();
        await row.GetByLabel(stance, new() { Exact = true }).CheckAsync();
        await row.GetByRole(AriaRole.Button, new() { Name = "Enregistrer la voix" }).ClickAsync();
        await Expect(row.GetByTestId("my-voice")).ToContainTextAsync(stance);
    }

    /// <summary>The board's row of the recommendation titled <paramref name="title"/> (not the rows that name it, e.g. "Merged into …").</summary>
    private static ILocator Row(IPage page, string title) =>
        page.GetByTestId("board-row").Filter(new() { Has = page.GetByRole(AriaRole.Link, new() { Name = title, Exact = true }) });

    /// <summary>The propose dialog's words in one language: its button, title and language fields, and its confirmation.</summary>
    private sealed record ProposeWords(string Propose, string Title, string Language, string Confirm);
}
