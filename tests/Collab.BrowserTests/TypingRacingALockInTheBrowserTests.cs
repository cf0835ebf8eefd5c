using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Collab.BrowserTests;

/// <summary>
/// Typing that races a lock (issue 15, item 7). Keystrokes that land after the lock are refused, by the page (it heard
/// of the lock) or by the server. Either way the box ends showing exactly the server's text while the page says
/// "saved", and whatever the box showed that the server does not have is offered back in the kept-typing box, never
/// dropped in silence. Raced six times, the lock sent once the box shows a different number of the typed characters.
/// </summary>
public sealed class TypingRacingALockInTheBrowserTests(RestartableSite site) : IClassFixture<RestartableSite>
{
    [Fact]
    public async Task TypingThatRacesALockEndsShowingTheServersTextWithTheRefusedTypingKept()
    {
        var page = await site.JoinAsync("participant", "Kwame Asante", "Ghana", "en");
        var editor = page.GetByTestId("editor");
        var kept = page.GetByTestId("kept-typing");
        await Expect(editor).ToBeEditableAsync();
        var docId = (await editor.GetAttributeAsync("data-doc-id"))!;
        const string typed = " Cross-border markets need shared health posts and one customs desk.";

        // The longest text the box ever showed: read as typed, before the editor's own handler answers the keystroke.
        await page.EvaluateAsync(
            @"() => {
                window.__shown = '';
                document.addEventListener('input', (e) => {
                  if (e.target?.dataset?.testid === 'editor' && e.target.value.length > window.__shown.length) window.__shown = e.target.value;
                }, true);
              }");

        foreach (var lockAfterTyped in new[] { 2, 8, 16, 28, 40, 52 })
        {
            await site.FacilitatorPostAsync($"/api/documents/{docId}/unlock");
            await Expect(editor).ToBeEditableAsync();
            if (await kept.IsVisibleAsync())
            {
                await kept.GetByRole(AriaRole.Button, new() { Name = "Dismiss" }).ClickAsync();
            }

            await Expect(kept).ToBeHiddenAsync();
            await page.EvaluateAsync("() => { window.__shown = ''; }");
            var before = (await editor.InputValueAsync()).Length;
            await editor.FocusAsync();
            await page.Keyboard.PressAsync("Control+End");
            var typing = page.Keyboard.TypeAsync(typed, new() { Delay = 25 });
            // The lock is sent once the box shows that many of the typed characters; the rest race it.
            await page.WaitForFunctionAsync("n => window.__shown.length >= n", before + lockAfterTyped);
            await site.FacilitatorPostAsync($"/api/documents/{docId}/lock");
            await typing;

            await Expect(editor).Not.ToBeEditableAsync();
            await Expect(editor).ToHaveAttributeAsync("data-mode", "read");
            await Expect(page.GetByTestId("sync-status")).ToHaveAttributeAsync("data-state", "saved");
            var server = await site.ServerTextAsync(docId);
            await Expect(editor).ToHaveValueAsync(server, new() { Timeout = 15_000 });
            var shown = await page.EvaluateAsync<string>("() => window.__shown");
            if (shown.Length > server.Length)
            {
                // The box showed typing the server does not have: it is offered back, not dropped in silence.
                Assert.StartsWith(server, shown, StringComparison.Ordinal);
                await Expect(kept).ToBeVisibleAsync();
                await Expect(kept).ToContainTextAsync(shown[server.Length..].Trim());
            }
        }
    }
}
