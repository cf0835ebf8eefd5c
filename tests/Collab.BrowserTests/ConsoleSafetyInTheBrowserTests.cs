using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Collab.BrowserTests;

/// <summary>
/// The console in front of people (issue 15, item 9): actions that cannot apply are disabled with the reason beside
/// them; End, Recall and replacing a running countdown ask first, and cancelling changes nothing; what was typed or
/// picked for one session is not carried into another; a refusal is said in words, never as a code or an id.
/// </summary>
public sealed class ConsoleSafetyInTheBrowserTests(BrowserSite site) : IClassFixture<BrowserSite>
{
    private const string Breakouts = "Breakouts: best practices";
    private const string Opening = "Opening plenary";

    /// <summary>A code such as <c>session.another_live</c> or a session id such as <c>d2-recommendations</c>.</summary>
    private static readonly Regex RawCode = new(@"\b[a-z]+\.[a-z_]+_[a-z_]+\b|\bd\d-[a-z-]+\b");

    [Fact]
    public async Task ActionsThatCannotApplyAreDisabledWithAReasonAndHardToUndoOnesAskFirst()
    {
        var facilitator = await site.JoinAsync("facilitator", "Fatou Diallo", null, "en");
        await site.JoinAsync("participant", "Awa Zongo", "Burkina Faso", "fr");
        await site.JoinAsync("participant", "Kofi Mensah", "Ghana", "en");
        var button = (string name) => facilitator.GetByRole(AriaRole.Button, new() { Name = name, Exact = true });
        var dialog = facilitator.GetByRole(AriaRole.Dialog);

        // A scheduled session: only Start applies; the rest says why.
        await SelectSessionAsync(facilitator, Breakouts);
        await Expect(button("Start")).ToBeEnabledAsync();
        foreach (var name in new[] { "End", "Pause", "Resume", "Start timer", "Extend", "Cancel timer", "Open breakouts", "Recall to plenary", "Reopen groups" })
        {
            await Expect(button(name)).ToBeDisabledAsync();
        }

        await Expect(button("Start timer")).ToHaveAttributeAsync("title", "Start the session to run a countdown.");
        await Expect(facilitator.GetByTestId("why-timer")).ToHaveTextAsync("Start the session to run a countdown.");
        await Expect(facilitator.GetByTestId("why-breakouts")).ToHaveTextAsync("Start the session to open breakout groups.");

        // Live: Start is disabled, and another session cannot start while this one is live (named, no id).
        await button("Start").ClickAsync();
        await Expect(facilitator.Locator(".session-line")).ToContainTextAsync("Running");
        await Expect(button("Start")).ToBeDisabledAsync();
        await Expect(button("Extend")).ToBeDisabledAsync();
        await Expect(button("Extend")).ToHaveAttributeAsync("title", "No countdown is running.");
        await Expect(button("Recall to plenary")).ToBeDisabledAsync();
        await SelectSessionAsync(facilitator, Opening);
        await Expect(button("Start")).ToBeDisabledAsync();
        await Expect(facilitator.GetByTestId("why-session")).ToContainTextAsync("“Breakouts: best practices, lessons learnt and challenges in border community engagement” is live: end it before starting this one.");
        await Expect(facilitator.GetByTestId("why-session")).Not.ToHaveTextAsync(RawCode);
        await SelectSessionAsync(facilitator, Breakouts);

        // A refusal is said in words: no code, no internal id.
        await facilitator.GetByLabel("Minutes").FillAsync("0");
        await button("Start timer").ClickAsync();
        var flash = facilitator.Locator(".flash");
        await Expect(flash).ToHaveClassAsync(new Regex(@"\berror\b"));
        await Expect(flash).Not.ToBeEmptyAsync();
        await Expect(flash).Not.ToHaveTextAsync(RawCode);
        await Expect(flash).Not.ToContainTextAsync("timer.");

        // A running countdown is replaced only after a confirmation; cancelling keeps it.
        await facilitator.GetByLabel("Minutes").FillAsync("50");
        await button("Start timer").ClickAsync();
        Assert.Equal(0, await dialog.CountAsync());
        var timer = facilitator.Locator(".console .timer");
        await Expect(timer).ToHaveTextAsync(new Regex(@"^(50:00|49:[0-5]\d) left$"));
        await Expect(button("Extend")).ToBeEnabledAsync();
        await facilitator.GetByLabel("Minutes").FillAsync("5");
        await button("Start timer").ClickAsync();
        await Expect(dialog).ToContainTextAsync("Replace the running countdown?");
        await Expect(dialog).ToContainTextAsync("Start a new countdown of 5 min instead?");
        await BrowserSite.ScreenshotAsync(facilitator, "console-confirm-timer");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await Expect(dialog).ToHaveCountAsync(0);
        await Expect(timer).ToHaveTextAsync(new Regex(@"^(50:00|49:[0-5]\d) left$"));
        await button("Start timer").ClickAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Replace timer" }).ClickAsync();
        await Expect(timer).ToHaveTextAsync(new Regex(@"^(5:00|4:[0-5]\d) left$"));

        // Recall asks first; cancelling leaves the groups open.
        await facilitator.GetByLabel("Groups", new() { Exact = true }).SelectOptionAsync("numbered");
        await facilitator.GetByLabel("Number of groups").FillAsync("2");
        await button("Open breakouts").ClickAsync();
        await Expect(facilitator.GetByTestId("group-card")).ToHaveCountAsync(2);
        await Expect(button("Open breakouts")).ToBeDisabledAsync();
        await Expect(facilitator.GetByTestId("why-breakouts")).ToHaveTextAsync("Groups are open: recall them before opening new ones.");
        await facilitator.GetByLabel("Freeze group documents").CheckAsync();
        await button("Recall to plenary").ClickAsync();
        await Expect(dialog).ToContainTextAsync("Recall everyone to plenary?");
        await Expect(dialog).ToContainTextAsync("Group documents will be frozen");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await Expect(facilitator.GetByTestId("groups-grid").Locator("..")).ToContainTextAsync("Groups are open.");
        await Expect(button("Recall to plenary")).ToBeEnabledAsync();

        // Fields picked for this session: a group to send to, group names, an assignment, freeze…
        await facilitator.GetByLabel("Send to").SelectOptionAsync(new SelectOptionValue { Label = "Group 2" });
        await Expect(facilitator.GetByRole(AriaRole.Button, new() { Name = "Send to Group 2" })).ToBeVisibleAsync();
        await facilitator.GetByLabel("Group names (one per line)").FillAsync("Cross-border trade");
        await facilitator.GetByLabel("Assignment").SelectOptionAsync("manual");
        await facilitator.GetByLabel("Label (optional)").FillAsync("Group work");

        // …are not carried into another session.
        await SelectSessionAsync(facilitator, Opening);
        await Expect(facilitator.GetByLabel("Send to")).ToHaveValueAsync("");
        await Expect(facilitator.GetByRole(AriaRole.Button, new() { Name = "Send to everyone" })).ToBeVisibleAsync();
        await Expect(facilitator.GetByLabel("Group names (one per line)")).ToHaveValueAsync("");
        await Expect(facilitator.GetByLabel("Assignment")).ToHaveValueAsync("mixDelegations");
        await Expect(facilitator.GetByLabel("Freeze group documents")).Not.ToBeCheckedAsync();
        await Expect(facilitator.GetByLabel("Label (optional)")).ToHaveValueAsync("");
        await Expect(facilitator.GetByLabel("Minutes")).ToHaveValueAsync("10");
        await BrowserSite.ScreenshotAsync(facilitator, "console-another-live");
        await SelectSessionAsync(facilitator, Breakouts);
        await Expect(facilitator.GetByLabel("Send to")).ToHaveValueAsync("");

        // After sending to a group, the next message goes to everyone unless a group is picked again.
        await facilitator.GetByLabel("Send to").SelectOptionAsync(new SelectOptionValue { Label = "Group 1" });
        await facilitator.GetByLabel("Message").FillAsync("Group 1: please join the plenary room");
        await facilitator.GetByRole(AriaRole.Button, new() { Name = "Send to Group 1" }).ClickAsync();
        await Expect(facilitator.GetByLabel("Message")).ToHaveValueAsync("");
        await Expect(facilitator.GetByLabel("Send to")).ToHaveValueAsync("");
        await Expect(facilitator.GetByRole(AriaRole.Button, new() { Name = "Send to everyone" })).ToBeVisibleAsync();

        // Recall confirmed: the groups are recalled (not frozen: the box was reset with the session).
        await button("Recall to plenary").ClickAsync();
        await Expect(dialog).ToContainTextAsync("Group documents stay editable.");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Recall to plenary" }).ClickAsync();
        await Expect(facilitator.GetByTestId("groups-grid").Locator("..")).ToContainTextAsync("Groups recalled: everyone is in plenary.");
        await Expect(button("Recall to plenary")).ToBeDisabledAsync();
        await Expect(button("Reopen groups")).ToBeEnabledAsync();

        // End asks first; cancelling leaves the session running.
        await button("End").ClickAsync();
        await Expect(dialog).ToContainTextAsync("End “Breakouts: best practices");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await Expect(dialog).ToHaveCountAsync(0);
        await Expect(facilitator.Locator(".session-line")).ToContainTextAsync("Running");
        await Expect(timer).ToHaveTextAsync(new Regex(@"left$"));
        await button("End").ClickAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = "End", Exact = true }).ClickAsync();
        await Expect(facilitator.Locator(".session-line")).ToContainTextAsync("Ended");
        await Expect(button("End")).ToBeDisabledAsync();
        await Expect(button("Start timer")).ToBeDisabledAsync();
        await Expect(facilitator.GetByTestId("why-session")).ToHaveTextAsync("This session has ended. Start runs it again.");

        // Another session can start now.
        await SelectSessionAsync(facilitator, Opening);
        await Expect(button("Start")).ToBeEnabledAsync();
        await Expect(facilitator.GetByTestId("why-session")).ToBeEmptyAsync();
    }

    private static async Task SelectSessionAsync(IPage facilitator, string session)
    {
        await facilitator.GetByRole(AriaRole.Button, new() { Name = session }).ClickAsync();
        await Expect(facilitator.GetByTestId("console-session")).ToContainTextAsync(session);
    }
}
