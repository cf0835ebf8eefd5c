using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Collab.BrowserTests;

/// <summary>
/// Signing out shows the rejoin key to keep and asks first; the way back is obvious: one click on a remembered device,
/// or, on a shared one, the join page turns a name already taken into the rejoin key field (issue 15, item 6).
/// </summary>
public sealed class SignOutAndRejoinInTheBrowserTests(BrowserSite site) : IClassFixture<BrowserSite>
{
    [Fact]
    public async Task SigningOutShowsTheRejoinKeyAndTheJoinPageContinuesAsTheSamePerson()
    {
        var page = await site.JoinAsync("participant", "Adjoa Boateng", "Ghana", "en");
        var participantId = await BrowserSite.ParticipantIdAsync(page);
        var rejoinKey = await page.EvaluateAsync<string>("() => JSON.parse(localStorage.getItem('collab.identity')).rejoinKey");
        var signOut = page.Locator("header").GetByRole(AriaRole.Button, new() { Name = "Sign out" });
        var dialog = page.GetByTestId("signout-dialog");

        // Asked first, with the key in plain sight; staying changes nothing.
        await signOut.ClickAsync();
        await Expect(dialog).ToBeVisibleAsync();
        await Expect(dialog.GetByTestId("rejoin-key")).ToHaveTextAsync(rejoinKey);
        await Expect(dialog).ToContainTextAsync("To come back as Adjoa Boateng");
        await Expect(dialog.GetByRole(AriaRole.Checkbox, new() { Name = "Remember me on this device" })).ToBeCheckedAsync();
        await BrowserSite.ScreenshotAsync(page, "sign-out-dialog");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Stay signed in" }).ClickAsync();
        await Expect(dialog).ToHaveCountAsync(0);
        await Expect(page.GetByTestId("connection")).ToHaveAttributeAsync("data-state", "online");

        // Signed out on a remembered device: one click brings the same person back.
        await signOut.ClickAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        var again = page.GetByRole(AriaRole.Button, new() { Name = "Continue as Adjoa Boateng" });
        await Expect(again).ToBeVisibleAsync();
        Assert.Null(await page.EvaluateAsync<string?>("() => localStorage.getItem('collab.identity')"));
        await again.ClickAsync();
        await Expect(page.GetByTestId("connection")).ToHaveAttributeAsync("data-state", "online");
        Assert.Equal(participantId, await BrowserSite.ParticipantIdAsync(page));
    }

    [Fact]
    public async Task OnASharedComputerJoiningAgainUnderTheSameNameLeadsToTheRejoinKeyInFrench()
    {
        var page = await site.JoinAsync("participant", "Awa Traoré", "Burkina Faso", "fr");
        var participantId = await BrowserSite.ParticipantIdAsync(page);
        var dialog = page.GetByTestId("signout-dialog");
        await page.Locator("header").GetByRole(AriaRole.Button, new() { Name = "Se déconnecter" }).ClickAsync();
        var rejoinKey = (await dialog.GetByTestId("rejoin-key").TextContentAsync())!;
        await dialog.GetByRole(AriaRole.Checkbox, new() { Name = "Se souvenir de moi sur cet appareil" }).UncheckAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Se déconnecter" }).ClickAsync();

        // Nothing offers to continue as her; the form keeps the code and she types her name again.
        var form = page.Locator("form.join");
        await Expect(form).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Continuer en tant que Awa Traoré" })).ToHaveCountAsync(0);
        await Expect(page.Locator("input[name=code]")).ToHaveValueAsync(site.Codes["participant"]);
        await page.Locator("input[name=displayName]").FillAsync("Awa Traoré");
        await form.Locator("button[type=submit]").ClickAsync();

        // The refusal says what to do, in French, and the key field is open with the cursor in it.
        var hint = page.GetByTestId("rejoin-hint");
        await Expect(hint).ToBeVisibleAsync();
        await Expect(hint).ToContainTextAsync("Une personne nommée Awa Traoré a déjà rejoint l’atelier. Si c’est vous, saisissez votre clé de reconnexion");
        var keyField = page.Locator("input[name=rejoinKey]");
        await Expect(keyField).ToBeFocusedAsync();
        await BrowserSite.ScreenshotAsync(page, "rejoin-after-name-taken-fr");
        await page.Keyboard.TypeAsync(rejoinKey);
        await form.Locator("button[type=submit]").ClickAsync();
        await Expect(page.GetByTestId("connection")).ToHaveAttributeAsync("data-state", "online");
        Assert.Equal(participantId, await BrowserSite.ParticipantIdAsync(page));
    }
}
