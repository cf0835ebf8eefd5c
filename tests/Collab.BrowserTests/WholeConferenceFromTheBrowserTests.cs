using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Collab.BrowserTests;

/// <summary>
/// The seed conference run by a facilitator from the browser alone, from nothing: she creates the workshop from its
/// file, imports the roster after checking its preview, hands out the join links, and runs both days in English and
/// French to the adopted recommendation in the outcome (<see cref="RecommendationsPlenaryInTheBrowserTests.RunAsync"/>).
/// </summary>
public sealed class WholeConferenceFromTheBrowserTests(EmptyBrowserSite site) : IClassFixture<EmptyBrowserSite>
{
    [Fact]
    public async Task AFacilitatorCreatesTheConferenceImportsItsRosterAndRunsBothDaysFromTheBrowser()
    {
        // Created from the conference's file on the join page's "Create a workshop".
        var organiser = await site.NewPageAsync("Koffi Agbo", "en");
        await organiser.GotoAsync("/");
        await organiser.GetByTestId("create-workshop").ClickAsync();
        await organiser.GetByLabel("Your name").FillAsync("Koffi Agbo");
        var seed = await File.ReadAllBytesAsync(Path.Combine(RepoRoot.Path, "seeds", "cotonou-2023.json"));
        await organiser.GetByLabel("Workshop file (.json)").SetInputFilesAsync(new FilePayload { Name = "cotonou-2023.json", MimeType = "application/json", Buffer = seed });
        await Expect(organiser.GetByTestId("seed-summary")).ToContainTextAsync("14 delegations");
        await organiser.GetByRole(AriaRole.Button, new() { Name = "Create from this file" }).ClickAsync();
        await Expect(organiser.GetByTestId("connection")).ToHaveAttributeAsync("data-state", "online");
        await Expect(organiser.GetByRole(AriaRole.Link, new() { Name = "Set-up" })).ToHaveAttributeAsync("aria-current", "page");
        await Expect(organiser.GetByTestId("agenda-editor-row")).ToHaveCountAsync(JsonNode.Parse(seed)!["agenda"]!.AsArray().Count);
        await Expect(organiser.GetByTestId("setup-codes").Locator("li")).ToHaveCountAsync(4);

        // The roster, as a French spreadsheet saves it: previewed line by line, imported once checked.
        var roster = Encoding.Latin1.GetBytes(
            "name;email;delegation;role;language;group\r\nSéraphin Dossou;;Bénin;participant;fr;\r\nAmina Ouédraogo;;Burkina Faso;participant;fr;\r\nKwesi Boateng;;Ghana;observer;en;\r\n");
        await organiser.GetByLabel("List of participants (CSV)").SetInputFilesAsync(new FilePayload { Name = "roster.csv", MimeType = "text/csv", Buffer = roster });
        var preview = organiser.GetByTestId("roster-preview");
        await Expect(preview.GetByTestId("preview-summary")).ToContainTextAsync("3 to add, 0 to update, 0 with errors.");
        await preview.GetByRole(AriaRole.Button, new() { Name = "Import the list (3)" }).ClickAsync();
        await Expect(organiser.Locator(".flash")).ToHaveTextAsync("Imported: 3 added, 0 updated.");
        await Expect(organiser.GetByTestId("roster").GetByTestId("roster-row").Filter(new() { HasText = "Amina Ouédraogo" })).ToContainTextAsync("Not joined yet");
        await BrowserSite.ScreenshotAsync(organiser, "whole-conference-setup");

        // The join links she hands out are the workshop's codes; everyone else comes in through them.
        var identity = JsonNode.Parse(await organiser.EvaluateAsync<string>("() => localStorage.getItem('collab.identity')"))!;
        var token = (string)identity["token"]!;
        var workshopId = (string)identity["workshopId"]!;
        using var http = new HttpClient { BaseAddress = site.Address };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var codes = JsonNode.Parse(await http.GetStringAsync($"/api/workshops/{workshopId}/join-codes"))!.AsArray()
            .ToDictionary(c => (string)c!["role"]!, c => (string)c!["code"]!);
        foreach (var role in new[] { "facilitator", "rapporteur", "participant", "observer" })
        {
            await Expect(organiser.GetByTestId("setup-codes")).ToContainTextAsync(codes[role]);
        }

        site.UseWorkshop(workshopId, codes, token);

        // Day 1 and day 2, in English and French, to the adopted recommendation in the outcome.
        await RecommendationsPlenaryInTheBrowserTests.RunAsync(site, "whole-conference");
    }
}
