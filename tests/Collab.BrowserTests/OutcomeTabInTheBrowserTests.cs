using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Collab.BrowserTests;

/// <summary>
/// The outcome tab (issue 15, item 14): before the first publication a participant sees one clear notice and no empty
/// controls; then the latest published version is the one shown, and a newer one takes its place when it is published
/// unless the reader picked a version; the text's language and the page's language are told apart.
/// </summary>
public sealed class OutcomeTabInTheBrowserTests(BrowserSite site) : IClassFixture<BrowserSite>
{
    [Fact]
    public async Task ParticipantsSeeOneNoticeThenTheLatestVersionAndTheTwoLanguageControlsAreNamedApart()
    {
        var awa = await site.JoinAsync("participant", "Awa Zongo", "Burkina Faso", "fr");
        await awa.GetByRole(AriaRole.Link, new() { Name = "Résultats" }).ClickAsync();

        // Nothing published: one notice, no version list, no empty selects, no buttons that do nothing.
        await Expect(awa.GetByTestId("outcome-notice")).ToHaveTextAsync("Aucune version n’a encore été publiée. Les rapporteur·es publient ici les résultats quand ils sont prêts.");
        await Expect(awa.GetByText("Aucune version publiée.")).ToBeHiddenAsync();
        await Expect(awa.Locator("main select:visible")).ToHaveCountAsync(0);
        await Expect(awa.Locator("main button:visible")).ToHaveCountAsync(0);
        await Expect(awa.Locator("ul.versions")).ToBeHiddenAsync();
        await BrowserSite.ScreenshotAsync(awa, "outcome-tab-nothing-yet");

        // Two versions published: the latest is shown.
        await PublishAsync("First draft");
        await PublishAsync("Second draft");
        await awa.ReloadAsync();
        await awa.GetByRole(AriaRole.Link, new() { Name = "Résultats" }).ClickAsync();
        var version = awa.GetByLabel("Version", new() { Exact = true });
        await Expect(version.Locator("option:checked")).ToHaveTextAsync("Second draft");
        var preview = awa.FrameLocator("iframe.outcome-frame");
        await Expect(preview.Locator(".version").First).ToContainTextAsync("Second draft");

        // A newer one replaces it on the open page.
        await PublishAsync("Final");
        await Expect(version.Locator("option:checked")).ToHaveTextAsync("Final");
        await Expect(preview.Locator(".version").First).ToContainTextAsync("Final");

        // Picked by hand, an older version stays when another is published.
        await version.SelectOptionAsync(new SelectOptionValue { Label = "First draft" });
        await Expect(preview.Locator(".version").First).ToContainTextAsync("First draft");
        await PublishAsync("Final, corrected");
        await Expect(version.Locator("option")).ToHaveCountAsync(4);
        await Expect(version.Locator("option:checked")).ToHaveTextAsync("First draft");

        // The text's language and the page's language are two controls with two names.
        await Expect(awa.GetByLabel("Langue du texte")).ToBeVisibleAsync();
        var names = await awa.EvaluateAsync<string[]>(
            "() => [...document.querySelectorAll('select')].filter((s) => s.checkVisibility()).map((s) => s.labels?.[0]?.textContent ?? s.getAttribute('aria-label'))");
        Assert.Equal(names.Length, names.Distinct().Count());
        Assert.Contains("Langue du texte", names);
        await BrowserSite.ScreenshotAsync(awa, "outcome-tab-latest");
    }

    private async Task PublishAsync(string name)
    {
        using var http = new HttpClient { BaseAddress = site.Address };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", site.FacilitatorToken);
        using var response = await http.PostAsJsonAsync($"/api/workshops/{site.WorkshopId}/outcome/versions", new { name });
        Assert.True(response.IsSuccessStatusCode, $"publishing {name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }
}
