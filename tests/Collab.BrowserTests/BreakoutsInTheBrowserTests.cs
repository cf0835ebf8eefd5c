using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Collab.BrowserTests;

/// <summary>The facilitator's console runs a breakout session; a participant's page follows without reloading.</summary>
public sealed class BreakoutsInTheBrowserTests(BrowserSite site) : IClassFixture<BrowserSite>
{
    [Fact]
    public async Task FacilitatorOpensBreakoutsAndTheParticipantsPageMovesIntoItsGroupWithoutReload()
    {
        var facilitator = await site.JoinAsync("facilitator", "Fatou Diallo", null, "en");
        var adjoa = await site.JoinAsync("participant", "Adjoa Owusu", "Ghana", "en", phone: true);
        await site.JoinAsync("participant", "Issa Traoré", "Togo", "fr");
        await Expect(adjoa.GetByTestId("room-name")).ToContainTextAsync("Plenary");
        await adjoa.EvaluateAsync("() => { window.__samePage = true; }");

        // The console: pick the breakout session in the agenda, start it, open two mixed groups.
        await facilitator.GetByRole(AriaRole.Button, new() { Name = "Breakouts: best practices" }).ClickAsync();
        await Expect(facilitator.GetByTestId("console-session")).ToContainTextAsync("Breakouts: best practices");
        await facilitator.GetByRole(AriaRole.Button, new() { Name = "Start", Exact = true }).ClickAsync();
        await Expect(facilitator.GetByRole(AriaRole.Button, new() { Name = "Pause", Exact = true })).ToBeEnabledAsync();
        await facilitator.GetByLabel("Groups", new() { Exact = true }).SelectOptionAsync("numbered");
        await facilitator.GetByLabel("Number of groups").FillAsync("2");
        await facilitator.GetByLabel("Assignment").SelectOptionAsync("mixDelegations");
        await facilitator.GetByRole(AriaRole.Button, new() { Name = "Open breakouts" }).ClickAsync();

        // The participant's page moves into its group, with the group's documents, on the same page.
        await Expect(adjoa.GetByTestId("room-name")).ToContainTextAsync(new Regex(@"Group [12]"));
        await Expect(adjoa.GetByRole(AriaRole.Tab, new() { Name = "Best practices" })).ToBeVisibleAsync();
        Assert.True(await adjoa.EvaluateAsync<bool>("() => window.__samePage === true"), "the page reloaded");

        // What the group writes shows up live in the facilitator's grid of group documents.
        var editor = adjoa.GetByTestId("editor");
        await Expect(editor).ToBeEditableAsync();
        await editor.FocusAsync();
        await adjoa.Keyboard.PressAsync("Control+End");
        await adjoa.Keyboard.TypeAsync("\nJoint patrols with community liaison officers.");
        var grid = facilitator.GetByTestId("groups-grid");
        await Expect(grid.GetByTestId("group-card")).ToHaveCountAsync(2);
        await Expect(grid).ToContainTextAsync("Joint patrols with community liaison officers.");
        await Expect(grid).ToContainTextAsync("Adjoa Owusu");
        await Expect(grid).ToContainTextAsync("Issa Traoré");

        await BrowserSite.ScreenshotAsync(adjoa, "breakouts-participant-phone");
        var console = await BrowserSite.ScreenshotAsync(facilitator, "facilitator-console");
        Assert.True(File.Exists(console));
    }
}
