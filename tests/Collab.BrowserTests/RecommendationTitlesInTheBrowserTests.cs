using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Collab.BrowserTests;

/// <summary>
/// A recommendation's title in both languages on the seed conference: the rapporteur gives its French title on its
/// page (inline, save or cancel); a French participant's board and another's recommendation page show it live, while
/// the English readers keep the title of record.
/// </summary>
public sealed class RecommendationTitlesInTheBrowserTests(BrowserSite site) : IClassFixture<BrowserSite>
{
    private const string Title = "Community radio in border languages";
    private const string FrenchTitle = "Radios communautaires dans les langues frontalières";

    [Fact]
    public async Task TheRapporteurGivesAFrenchTitleAndFrenchReadersSeeItLiveOnTheBoardAndThePage()
    {
        var proposed = await site.FacilitatorAsync(HttpMethod.Post, "/recommendations", new
        {
            title = Title,
            theme = "Information",
            text = "Support local radio programmes in the languages spoken on both sides of the border.",
            language = "en",
        });
        var rid = proposed.GetProperty("id").GetString()!;

        var rapporteur = await site.JoinAsync("rapporteur", "Aïcha Diop", null, "en");
        var awa = await site.JoinAsync("participant", "Awa Zongo", "Burkina Faso", "fr");
        var komi = await site.JoinAsync("participant", "Komi Agbeko", "Togo", "fr");

        // Before: the French readers see the title of record; a participant who is not its author may not change it.
        await awa.GetByRole(AriaRole.Link, new() { Name = "Recommandations", Exact = true }).ClickAsync();
        var awaRow = awa.GetByTestId("board-row").Filter(new() { HasText = "Support local radio programmes" });
        await Expect(awaRow.Locator(".rec-title")).ToHaveTextAsync(Title);
        await komi.GotoAsync($"/#rec={rid}");
        await Expect(komi.GetByTestId("rec-title")).ToHaveTextAsync(Title);
        await Expect(komi.GetByTestId("rec-title-fr")).ToContainTextAsync("Titre en français : pas encore");
        await Expect(komi.GetByTestId("rec-title-edit-fr")).ToHaveCountAsync(0);

        // The rapporteur opens the page: she may give the French title; cancelling changes nothing.
        await rapporteur.GotoAsync($"/#rec={rid}");
        await Expect(rapporteur.GetByTestId("rec-title")).ToHaveTextAsync(Title);
        await Expect(rapporteur.GetByTestId("rec-title-en")).ToContainTextAsync("English title of record: " + Title);
        await rapporteur.GetByRole(AriaRole.Button, new() { Name = "Edit the title in French" }).ClickAsync();
        await rapporteur.GetByTestId("rec-title-input-fr").FillAsync("Brouillon");
        await rapporteur.GetByRole(AriaRole.Button, new() { Name = "Cancel", Exact = true }).ClickAsync();
        await Expect(rapporteur.GetByTestId("rec-title-fr")).ToContainTextAsync("Title in French: none yet");

        await rapporteur.GetByRole(AriaRole.Button, new() { Name = "Edit the title in French" }).ClickAsync();
        await rapporteur.GetByTestId("rec-title-input-fr").FillAsync(FrenchTitle);
        await BrowserSite.ScreenshotAsync(rapporteur, "recommendation-french-title");
        await rapporteur.GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true }).ClickAsync();
        await Expect(rapporteur.GetByTestId("rec-title-fr")).ToContainTextAsync("Title in French: " + FrenchTitle);
        await Expect(rapporteur.GetByTestId("rec-title")).ToHaveTextAsync(Title);

        // Live: the French board and the French page now name it in French; the English title is still listed.
        await Expect(awaRow.Locator(".rec-title")).ToHaveTextAsync(FrenchTitle);
        await Expect(komi.GetByTestId("rec-title")).ToHaveTextAsync(FrenchTitle);
        await Expect(komi.GetByTestId("rec-title")).ToHaveAttributeAsync("lang", "fr");
        await Expect(komi.GetByTestId("rec-title-en")).ToContainTextAsync("Titre de référence en anglais : " + Title);
        await BrowserSite.ScreenshotAsync(komi, "recommendation-french-title-live");

        // The server holds it.
        var view = await site.FacilitatorAsync(HttpMethod.Get, $"/recommendations/{rid}");
        Assert.Equal(FrenchTitle, view.GetProperty("titles").GetProperty("fr").GetString());
    }

    [Fact]
    public async Task AParticipantProposingFromHerNotesGivesTheTitleInTheOtherLanguageToo()
    {
        await site.FacilitatorAsync(HttpMethod.Post, "/sessions/d1-breakouts/start");
        await site.FacilitatorAsync(HttpMethod.Post, "/sessions/d1-breakouts/breakouts", new { naming = "numbered", count = 1, assignment = "mixDelegations" });
        var fatou = await site.JoinAsync("participant", "Fatou Sall", "Burkina Faso", "fr");
        var kwame = await site.JoinAsync("participant", "Kwame Asante", "Ghana", "en");

        const string passage = "Women's associations relay early warnings between border villages.";
        var notes = fatou.GetByTestId("editor");
        await Expect(notes).ToBeEditableAsync();
        await notes.FocusAsync();
        await fatou.Keyboard.PressAsync("Control+End");
        await fatou.Keyboard.TypeAsync(passage);
        await Texts.SelectAsync(notes, passage);
        await fatou.GetByRole(AriaRole.Button, new() { Name = "Proposer une recommandation" }).ClickAsync();
        var dialog = fatou.GetByTestId("propose-dialog");

        // Of record in French: the field offered is the English title; of record in English, the French one.
        await dialog.GetByLabel("Titre", new() { Exact = true }).FillAsync("Alerte précoce par les associations de femmes");
        await dialog.GetByLabel("Langue de référence").SelectOptionAsync("fr");
        await Expect(dialog.GetByLabel("Titre en français (facultatif)")).ToBeHiddenAsync();
        await dialog.GetByLabel("Titre en anglais (facultatif)").FillAsync("Early warning through women's associations");
        await BrowserSite.ScreenshotAsync(fatou, "propose-with-english-title");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Proposer", Exact = true }).ClickAsync();

        await Expect(fatou.GetByTestId("rec-title")).ToHaveTextAsync("Alerte précoce par les associations de femmes");
        await Expect(fatou.GetByTestId("rec-title-en")).ToContainTextAsync("Early warning through women's associations");

        // The English reader's board names it in English.
        await kwame.GetByRole(AriaRole.Link, new() { Name = "Recommendations", Exact = true }).ClickAsync();
        await Expect(kwame.GetByTestId("board-row").Filter(new() { HasText = "Women's associations relay" }).Locator(".rec-title"))
            .ToHaveTextAsync("Early warning through women's associations");
    }

}
