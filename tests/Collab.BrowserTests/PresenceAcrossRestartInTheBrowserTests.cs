using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Collab.BrowserTests;

/// <summary>
/// After the server restarts under open pages, <i>Who is here</i> is right again without a reload: presence versions
/// never go back across restarts, so the pages take the new server's word over what they saw before (issue 15, item 8).
/// </summary>
public sealed class PresenceAcrossRestartInTheBrowserTests(RestartableSite site) : IClassFixture<RestartableSite>
{
    [Fact]
    public async Task WhoIsHereIsRightAfterARestartWithPagesOpenWithoutAReload()
    {
        var facilitator = await site.JoinAsync("facilitator", "Fatou Diallo", null, "en");
        var kofi = await site.JoinAsync("participant", "Kofi Mensah", "Ghana", "en");
        var observer = await site.JoinAsync("observer", "Olu Adeyemi", null, "en");
        var here = kofi.GetByTestId("presence");
        await Expect(here).ToContainTextAsync("Fatou Diallo");
        await Expect(here).ToContainTextAsync("Olu Adeyemi");

        // A long morning: the presence the pages hold has a high version (versions follow the clock; every push counts one)…
        using (var http = new HttpClient { BaseAddress = site.Address })
        {
            http.DefaultRequestHeaders.Authorization = new("Bearer", site.FacilitatorToken);
            for (var i = 0; i < 60; i++)
            {
                (await http.GetAsync($"/api/workshops/{site.WorkshopId}/presence")).EnsureSuccessStatusCode();
            }
        }

        // …the observer signs out (listed as reconnecting for the grace period), and the server dies.
        await observer.Locator("header").GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await observer.GetByTestId("signout-dialog").GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(here).ToContainTextAsync("Olu Adeyemi · Observer (reconnecting)");
        await site.KillServerAsync();
        await Expect(kofi.GetByTestId("connection")).Not.ToHaveAttributeAsync("data-state", "online");

        // Back on the same data: the open pages reconnect by themselves and show who is here now.
        await site.StartServerAsync();
        await Expect(kofi.GetByTestId("connection")).ToHaveAttributeAsync("data-state", "online", new() { Timeout = 30_000 });
        await Expect(facilitator.GetByTestId("connection")).ToHaveAttributeAsync("data-state", "online", new() { Timeout = 30_000 });
        await Expect(here).Not.ToContainTextAsync("Olu Adeyemi", new() { Timeout = 20_000 });
        await Expect(here).ToContainTextAsync("Fatou Diallo");
        await Expect(here).ToContainTextAsync("Kofi Mensah");
        await BrowserSite.ScreenshotAsync(kofi, "presence-after-restart");
    }
}
