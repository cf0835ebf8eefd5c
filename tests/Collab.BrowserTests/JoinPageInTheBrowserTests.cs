using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Collab.BrowserTests;

/// <summary>
/// The join page (issue 15, item 10): once the code is known it names the workshop and offers its delegations; a
/// refusal is said in the form's language, in words; a join link opened in a tab that is already open fills in the
/// code (and a signed-in page asks before leaving for it).
/// </summary>
public sealed class JoinPageInTheBrowserTests(BrowserSite site) : IClassFixture<BrowserSite>
{
    private const string Title = "Regional Conference on Border Community Engagement";

    [Fact]
    public async Task TheCodeBringsTheWorkshopsNameAndItsDelegationsToPickFrom()
    {
        var page = await site.NewPageAsync("Mariam", "fr");
        await page.GotoAsync("/#join=" + site.Codes["participant"]);

        await Expect(page.GetByTestId("join-workshop")).ToContainTextAsync(Title);
        await Expect(page.GetByTestId("join-workshop")).ToContainTextAsync("vous rejoignez en tant que participant·e");
        var delegation = page.GetByLabel("Délégation (facultatif)");
        await Expect(delegation).ToHaveJSPropertyAsync("tagName", "SELECT");
        var options = await delegation.Locator("option").AllTextContentsAsync();
        Assert.Equal("Aucune délégation", options[0]);
        Assert.Contains("Ghana", options);
        Assert.Contains("Côte d'Ivoire", options);
        // In the reader's language: the organisers' French forms (seeds/cotonou-2023.json).
        Assert.Contains("CEDEAO", options);
        Assert.Contains("Bénin", options);
        Assert.DoesNotContain("ECOWAS", options);
        Assert.Equal(15, options.Count);
        await Expect(page.Locator("input[name=delegation]")).ToHaveCountAsync(0);
        await BrowserSite.ScreenshotAsync(page, "join-delegations-fr");

        await page.GetByLabel("Votre nom").FillAsync("Mariam Ouédraogo");
        await delegation.SelectOptionAsync(new SelectOptionValue { Label = "Burkina Faso" });
        await page.Locator("form.join button[type=submit]").ClickAsync();
        await Expect(page.GetByTestId("connection")).ToHaveAttributeAsync("data-state", "online");

        // The roster has her in her delegation (by id).
        var roster = await FacilitatorGetAsync($"/api/workshops/{site.WorkshopId}/roster");
        Assert.Contains("\"delegation\":\"bf\"", Regex.Replace(roster, @"\s", ""), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARefusalIsSaidInTheFormsLanguageWithoutACode()
    {
        var page = await site.NewPageAsync("Guess", "fr");
        await page.GotoAsync("/");
        await page.GetByLabel("Code d’accès").FillAsync("ABCD-EFGH-JK");
        await page.GetByLabel("Votre nom").FillAsync("Personne");
        await page.Locator("form.join button[type=submit]").ClickAsync();

        var error = page.Locator("form.join .error");
        await Expect(error).ToHaveTextAsync("Impossible de rejoindre : Ce code d’accès n’est pas valide (il a peut-être été remplacé). Demandez le code actuel à l’équipe de facilitation.");
        await Expect(page.GetByTestId("join-workshop")).ToBeHiddenAsync();

        // The form switched to English says the same refusal in English.
        await page.GetByLabel("Langue de travail").SelectOptionAsync("en");
        await Expect(error).ToHaveTextAsync("Could not join: This join code is not valid (it may have been replaced). Ask the facilitator for the current one.");
        await Expect(error).Not.ToContainTextAsync("code_invalid");
    }

    [Fact]
    public async Task AJoinLinkOpenedInAnOpenTabFillsInTheCode()
    {
        // The join page is open without a code; a join link is opened in the same tab.
        var page = await site.NewPageAsync("Linked", "en");
        await page.GotoAsync("/");
        await Expect(page.GetByLabel("Join code")).ToHaveValueAsync("");
        await page.EvaluateAsync("code => { location.hash = 'join=' + code; }", site.Codes["observer"]);
        await Expect(page.GetByLabel("Join code")).ToHaveValueAsync(site.Codes["observer"]);
        await Expect(page.GetByTestId("join-workshop")).ToContainTextAsync("you join as observer");

        // A signed-in page: the link of its own code changes nothing; another code asks first, and Cancel stays.
        var kofi = await site.JoinAsync("participant", "Kofi Mensah", "Ghana", "en");
        await kofi.EvaluateAsync("code => { location.hash = 'join=' + code; }", site.Codes["participant"]);
        await Expect(kofi.GetByTestId("me")).ToContainTextAsync("Kofi Mensah");
        Assert.Equal(0, await kofi.GetByRole(AriaRole.Dialog).CountAsync());
        await kofi.EvaluateAsync("code => { location.hash = 'join=' + code; }", site.Codes["observer"]);
        var dialog = kofi.GetByRole(AriaRole.Dialog);
        await Expect(dialog).ToContainTextAsync("You are signed in as Kofi Mensah on this device.");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await Expect(kofi.GetByTestId("connection")).ToHaveAttributeAsync("data-state", "online");
        await Expect(kofi.GetByTestId("me")).ToContainTextAsync("Kofi Mensah");

        await kofi.EvaluateAsync("code => { location.hash = 'join=' + code; }", site.Codes["observer"]);
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Open the join page" }).ClickAsync();
        await Expect(kofi.GetByLabel("Join code")).ToHaveValueAsync(site.Codes["observer"]);
        await Expect(kofi.GetByTestId("join-workshop")).ToContainTextAsync("you join as observer");
    }

    private async Task<string> FacilitatorGetAsync(string path)
    {
        using var http = new HttpClient { BaseAddress = site.Address };
        http.DefaultRequestHeaders.Authorization = new("Bearer", site.FacilitatorToken);
        return await http.GetStringAsync(path);
    }
}
