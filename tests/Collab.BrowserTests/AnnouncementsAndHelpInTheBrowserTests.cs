using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Collab.BrowserTests;

/// <summary>
/// Announcements and help on a participant's page (issue 15, item 12): an earlier session's announcements are gone
/// once another session is live; a group's own announcement says it is for that group only; whoever asked for help
/// learns that it was handled, and by whom.
/// </summary>
public sealed class AnnouncementsAndHelpInTheBrowserTests(BrowserSite site) : IClassFixture<BrowserSite>
{
    [Fact]
    public async Task EarlierAnnouncementsAreGoneGroupOnesAreMarkedAndTheAskerLearnsHelpWasHandled()
    {
        var fatou = await site.JoinAsync("facilitator", "Fatou Diallo", null, "en");
        var awa = await site.JoinAsync("participant", "Awa Zongo", "Burkina Faso", "fr");
        var announcements = awa.GetByTestId("announcements");
        var button = (string name) => fatou.GetByRole(AriaRole.Button, new() { Name = name, Exact = true });

        // Day 1: an announcement to everyone in the opening plenary.
        await SelectAsync(fatou, "Opening plenary");
        await button("Start").ClickAsync();
        await fatou.GetByLabel("Message").FillAsync("Lunch is at 13:00 / Déjeuner à 13 h");
        await button("Send to everyone").ClickAsync();
        await Expect(announcements).ToContainTextAsync("Déjeuner à 13 h");
        await button("End").ClickAsync();
        await fatou.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "End", Exact = true }).ClickAsync();

        // The breakouts: the opening's announcement is over.
        await SelectAsync(fatou, "Breakouts: best practices");
        await button("Start").ClickAsync();
        await Expect(awa.Locator(".session-line")).ToContainTextAsync("En cours");
        await Expect(announcements).Not.ToContainTextAsync("Déjeuner à 13 h");
        await Expect(announcements).ToContainTextAsync("Pas encore d’annonce.");

        // A group's own announcement is marked as such.
        await fatou.GetByLabel("Number of groups").FillAsync("1");
        await button("Open breakouts").ClickAsync();
        await Expect(awa.GetByTestId("room-name")).ToContainTextAsync("Groupe 1");
        await fatou.GetByLabel("Send to").SelectOptionAsync(new SelectOptionValue { Label = "Group 1" });
        await fatou.GetByLabel("Message").FillAsync("Il vous reste 5 minutes");
        await button("Send to Group 1").ClickAsync();
        await Expect(announcements).ToContainTextAsync("Il vous reste 5 minutes");
        await Expect(announcements.GetByTestId("group-only")).ToHaveTextAsync("Seulement pour Groupe 1");
        await fatou.GetByLabel("Message").FillAsync("Plenary resumes at 15:00");
        await button("Send to everyone").ClickAsync();
        await Expect(announcements).ToContainTextAsync("Plenary resumes at 15:00");
        await Expect(announcements.GetByTestId("group-only")).ToHaveCountAsync(1);

        // Help: asked, handled in the console, and the asker is told.
        await awa.GetByLabel("De quoi avez-vous besoin ?").FillAsync("Nous avons besoin d'un interprète");
        await awa.GetByRole(AriaRole.Button, new() { Name = "Demander de l’aide" }).ClickAsync();
        await Expect(awa.GetByTestId("help-note")).ToHaveTextAsync("Un·e facilitateur·rice a été prévenu·e.");
        var queue = fatou.GetByTestId("help-queue");
        await queue.GetByRole(AriaRole.Button, new() { Name = "Mark handled" }).ClickAsync();
        await Expect(awa.GetByTestId("help-note")).ToContainTextAsync("Fatou Diallo a traité votre demande d’aide");
        await BrowserSite.ScreenshotAsync(awa, "announcements-group-only-and-help-handled");
    }

    private static async Task SelectAsync(IPage facilitator, string session)
    {
        await facilitator.GetByRole(AriaRole.Button, new() { Name = session }).ClickAsync();
        await Expect(facilitator.GetByTestId("console-session")).ToContainTextAsync(session);
    }
}
