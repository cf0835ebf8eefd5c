using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Collab.BrowserTests;

/// <summary>
/// The rest of running a session from the console, as seen from a participant's page in French: the countdown, a
/// broadcast, a help request and its queue, moving a person, recall, groups participants choose, and the
/// participant's identity surviving a reload and a rejoin from another device.
/// </summary>
public sealed class FacilitatorConsoleInTheBrowserTests(BrowserSite site) : IClassFixture<BrowserSite>
{
    [Fact]
    public async Task ConsoleRunsTimerBroadcastHelpMoveRecallAndSelfSelectWhileTheParticipantsPageFollowsInFrench()
    {
        var facilitator = await site.JoinAsync("facilitator", "Fatou Diallo", null, "en");
        var awa = await site.JoinAsync("participant", "Awa Zongo", "Burkina Faso", "fr");
        var room = awa.GetByTestId("room-name");
        await Expect(room).ToContainTextAsync("Plénière");

        await facilitator.GetByRole(AriaRole.Button, new() { Name = "Breakouts: best practices" }).ClickAsync();
        await facilitator.GetByRole(AriaRole.Button, new() { Name = "Start", Exact = true }).ClickAsync();
        await Expect(awa.Locator(".session-line")).ToContainTextAsync("En cours");

        // Countdown: started in the console, counting down on the participant's page (against the server's clock).
        await facilitator.GetByLabel("Minutes").FillAsync("10");
        await facilitator.GetByLabel("Label (optional)").FillAsync("Group work");
        await facilitator.GetByRole(AriaRole.Button, new() { Name = "Start timer" }).ClickAsync();
        await Expect(awa.GetByTestId("timer")).ToHaveTextAsync(new Regex(@"^Group work\u00a0: reste (10:00|9:[0-5]\d)$"));

        // Broadcast.
        await facilitator.GetByLabel("Message").FillAsync("15 minutes left / Il reste 15 minutes");
        await facilitator.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
        await Expect(awa.GetByTestId("announcements")).ToContainTextAsync("Il reste 15 minutes");

        // Help: asked from the page, queued in the console, handled there.
        await awa.GetByLabel("De quoi avez-vous besoin ?").FillAsync("Nous avons besoin d'un interprète");
        await awa.GetByRole(AriaRole.Button, new() { Name = "Demander de l’aide" }).ClickAsync();
        var queue = facilitator.GetByTestId("help-queue");
        await Expect(queue).ToContainTextAsync("Awa Zongo");
        await Expect(queue).ToContainTextAsync("Nous avons besoin d'un interprète");
        await queue.GetByRole(AriaRole.Button, new() { Name = "Mark handled" }).ClickAsync();
        await Expect(queue).ToContainTextAsync("No open help requests.");

        // Manual groups: nobody moves until the facilitator moves someone.
        await facilitator.GetByLabel("Number of groups").FillAsync("2");
        await facilitator.GetByLabel("Assignment").SelectOptionAsync("manual");
        await facilitator.GetByRole(AriaRole.Button, new() { Name = "Open breakouts" }).ClickAsync();
        await Expect(facilitator.GetByTestId("group-card")).ToHaveCountAsync(2);
        await Expect(room).ToContainTextAsync("Plénière");
        await facilitator.GetByLabel("Person").SelectOptionAsync(new SelectOptionValue { Label = "Awa Zongo" });
        await facilitator.GetByLabel("Move to").SelectOptionAsync(new SelectOptionValue { Label = "Group 2" });
        await facilitator.GetByRole(AriaRole.Button, new() { Name = "Move", Exact = true }).ClickAsync();
        await Expect(room).ToContainTextAsync("Groupe 2");
        await Expect(awa.GetByRole(AriaRole.Tab, new() { Name = "Bonnes pratiques" })).ToBeVisibleAsync();

        // Recall with freeze: back in plenary.
        await facilitator.GetByLabel("Freeze group documents").CheckAsync();
        await facilitator.GetByRole(AriaRole.Button, new() { Name = "Recall to plenary" }).ClickAsync();
        await facilitator.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Recall to plenary" }).ClickAsync();
        await Expect(room).ToContainTextAsync("Plénière");
        await Expect(facilitator.GetByTestId("groups-grid").Locator("..")).ToContainTextAsync("group documents are frozen");
        await BrowserSite.ScreenshotAsync(facilitator, "facilitator-console-recalled");


        // The page switches to English on demand.
        await awa.GetByLabel("Langue").SelectOptionAsync("en");
        await Expect(room).ToContainTextAsync("Plenary");

        // New groups where participants choose: the page offers them, and the choice moves it there.
        await facilitator.GetByRole(AriaRole.Link, new() { Name = "Facilitator console" }).ClickAsync();
        await facilitator.GetByLabel("Groups", new() { Exact = true }).SelectOptionAsync("named");
        await facilitator.GetByLabel("Group names (one per line)").FillAsync("Cross-border trade\nEarly warning");
        await facilitator.GetByLabel("Assignment").SelectOptionAsync("selfSelect");
        await facilitator.GetByRole(AriaRole.Button, new() { Name = "Open breakouts" }).ClickAsync();
        await awa.GetByTestId("choose-group").GetByRole(AriaRole.Button, new() { Name = "Join Early warning" }).ClickAsync();
        await Expect(room).ToContainTextAsync("Early warning");

        // The outcome view offers every format (with or without the export API on this server).
        await facilitator.GetByRole(AriaRole.Link, new() { Name = "Outcome" }).ClickAsync();
        await Expect(facilitator.GetByTestId("outcome-downloads").GetByRole(AriaRole.Button)).ToHaveTextAsync(["Download MD", "Download HTML", "Download DOCX"]);

        // A reload keeps the identity; so does a rejoin from another device with the personal rejoin key.
        var id = await BrowserSite.ParticipantIdAsync(awa);
        await awa.ReloadAsync();
        await Expect(awa.GetByTestId("connection")).ToHaveAttributeAsync("data-state", "online");
        await Expect(awa.GetByTestId("me")).ToContainTextAsync("Awa Zongo");
        Assert.Equal(id, await BrowserSite.ParticipantIdAsync(awa));
        var rejoinKey = await awa.EvaluateAsync<string>("() => JSON.parse(localStorage.getItem('collab.identity')).rejoinKey");
        var phone = await site.RejoinAsync("participant", rejoinKey);
        await Expect(phone.GetByTestId("me")).ToContainTextAsync("Awa Zongo");
        Assert.Equal(id, await BrowserSite.ParticipantIdAsync(phone));
    }
}
