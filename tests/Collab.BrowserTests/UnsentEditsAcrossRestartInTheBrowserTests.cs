using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Collab.BrowserTests;

/// <summary>
/// Typing done while the server is down survives a reload of the page: the browser keeps it, asks before the page is
/// left, and sends it once when the server is back (issue 15, item 5).
/// </summary>
public sealed class UnsentEditsAcrossRestartInTheBrowserTests(RestartableSite site) : IClassFixture<RestartableSite>
{
    [Fact]
    public async Task TypingWhileTheServerIsDownSurvivesAReloadAndArrivesExactlyOnceWhenItIsBack()
    {
        var page = await site.JoinAsync("participant", "Yao Kouassi", "Côte d'Ivoire", "en");
        var editor = page.GetByTestId("editor");
        await Expect(editor).ToBeEditableAsync();
        var docId = (await editor.GetAttributeAsync("data-doc-id"))!;
        var connection = page.GetByTestId("connection");
        var sync = page.GetByTestId("sync-status");

        // One edit may be on its way (or committed, its answer lost) when the server dies; the next is typed offline.
        const string inFlight = " [typed as the server died]";
        const string offline = " [typed while the server was down]";
        await editor.FocusAsync();
        await page.Keyboard.PressAsync("Control+End");
        await page.Keyboard.TypeAsync(inFlight);
        await site.KillServerAsync();
        await Expect(connection).Not.ToHaveAttributeAsync("data-state", "online");
        await page.Keyboard.TypeAsync(offline);
        await Expect(sync).ToHaveAttributeAsync("data-state", "unsynced");
        await Expect(sync).ToHaveAttributeAsync("title", "Kept on this device until the server has them, even if you reload the page.");

        // Reloading asks first (the browser's own question); the person reloads anyway, while the server is still down.
        var asked = new List<string>();
        page.Dialog += async (_, dialog) =>
        {
            asked.Add(dialog.Type);
            await dialog.AcceptAsync();
        };
        await Assert.ThrowsAnyAsync<PlaywrightException>(() => page.ReloadAsync());
        Assert.Equal(["beforeunload"], asked);

        // The server is back on the same data folder; the page is opened again and sends what was kept, once.
        await site.StartServerAsync();
        Assert.Contains("collab.unsent", await page.Context.StorageStateAsync(), StringComparison.Ordinal);
        await page.GotoAsync("/");
        await Expect(connection).ToHaveAttributeAsync("data-state", "online", new() { Timeout = 30_000 });
        await Expect(editor).ToHaveValueAsync(new Regex(Regex.Escape(inFlight + offline) + "$"));
        await Expect(sync).ToHaveAttributeAsync("data-state", "saved", new() { Timeout = 30_000 });
        var server = await site.ServerTextAsync(docId);
        Assert.Equal(1, Occurrences(server, inFlight));
        Assert.Equal(1, Occurrences(server, offline));
        Assert.EndsWith(inFlight + offline, server, StringComparison.Ordinal);
        await Expect(editor).ToHaveValueAsync(server);
        Assert.Equal(0, await page.EvaluateAsync<int>("() => Object.keys(localStorage).filter(k => k.startsWith('collab.unsent')).length"));
        await BrowserSite.ScreenshotAsync(page, "unsent-edits-after-restart");

        // Nothing left to lose: leaving now asks nothing.
        await page.ReloadAsync();
        await Expect(connection).ToHaveAttributeAsync("data-state", "online", new() { Timeout = 30_000 });
        Assert.Equal(["beforeunload"], asked);
        await Expect(editor).ToHaveValueAsync(server);
    }

    private static int Occurrences(string text, string part)
    {
        var count = 0;
        for (var at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
