using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Collab.BrowserTests;

/// <summary>
/// The outcome view against the real export API: the rapporteur previews the live state, publishes a version from the
/// page, and a participant's page (in French) is told, previews that version and downloads it as a Word file.
/// </summary>
public sealed partial class OutcomeInTheBrowserTests(BrowserSite site) : IClassFixture<BrowserSite>
{
    [Fact]
    public async Task TheRapporteurPublishesAVersionAndAParticipantsPagePreviewsAndDownloadsIt()
    {
        var rapporteur = await site.JoinAsync("rapporteur", "Aïcha Diop", null, "en");
        var awa = await site.JoinAsync("participant", "Awa Zongo", "Burkina Faso", "fr");

        // Participants read published versions only: none yet.
        await awa.GetByRole(AriaRole.Link, new() { Name = "Résultats" }).ClickAsync();
        await Expect(awa.GetByTestId("outcome-notice")).ToHaveTextAsync(new Regex("^Aucune version n’a encore été publiée"));
        await Expect(awa.GetByRole(AriaRole.Button, new() { Name = "Télécharger DOCX" })).ToBeHiddenAsync();
        await Expect(awa.GetByRole(AriaRole.Button, new() { Name = "Publier une version" })).ToHaveCountAsync(0);

        // The rapporteur previews the working state and publishes it.
        await rapporteur.GetByRole(AriaRole.Link, new() { Name = "Outcome" }).ClickAsync();
        var draft = rapporteur.FrameLocator("iframe.outcome-frame");
        await Expect(draft.Locator("h1")).ToHaveTextAsync("Regional Conference on Border Community Engagement");
        await Expect(draft.Locator(".version").First).ToContainTextAsync("Working state, not a published version");
        await rapporteur.GetByLabel("Version name").FillAsync("Draft for closing plenary");
        await rapporteur.GetByRole(AriaRole.Button, new() { Name = "Publish a version" }).ClickAsync();
        await Expect(rapporteur.Locator("ul.versions")).ToContainTextAsync("Draft for closing plenary");
        await BrowserSite.ScreenshotAsync(rapporteur, "outcome-rapporteur");

        // The participant's page is told, previews the version in French and downloads it.
        var published = awa.FrameLocator("iframe.outcome-frame");
        await Expect(published.Locator(".version").First).ToContainTextAsync("Version\u00A0: Draft for closing plenary, publiée le");
        await Expect(published.Locator("h2").Nth(2)).ToHaveTextAsync("Recommandations");
        var download = await awa.RunAndWaitForDownloadAsync(() => awa.GetByRole(AriaRole.Button, new() { Name = "Télécharger DOCX" }).ClickAsync());
        Assert.Matches(WordFileName(), download.SuggestedFilename);
        var bytes = await File.ReadAllBytesAsync((await download.PathAsync())!);
        Assert.True(bytes.Length > 1000 && bytes[0] == (byte)'P' && bytes[1] == (byte)'K', "the download is not a Word (zip) file");
        await BrowserSite.ScreenshotAsync(awa, "outcome-participant");
    }

    [GeneratedRegex(@"^regional-conference-on-border-community-engagement_fr_draft-for-closing-plenary_\d{4}-\d{2}-\d{2}\.docx$")]
    private static partial Regex WordFileName();
}
