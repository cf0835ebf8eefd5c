using System.Text.Json;
using Microsoft.Playwright;
using static Collab.BrowserTests.Texts;
using static Microsoft.Playwright.Assertions;

namespace Collab.BrowserTests;

/// <summary>
/// A box a participant may not type into looks it before any typing (a locked note; a recommendation in review, its
/// translation; a withdrawn one; plenary notes after their session ended), typing into it changes nothing, and keystrokes the server refuses (typing racing a
/// lock) are not logged above Debug on the server (issue 15, item 7). The server is its own process, its log read.
/// </summary>
public sealed class ReadOnlyBeforeTypingInTheBrowserTests(RestartableSite site) : IClassFixture<RestartableSite>
{
    [Fact]
    public async Task BoxesAParticipantMayNotEditAreReadOnlyBeforeTypingAndRefusedKeystrokesAreNotLoggedAboveDebug()
    {
        var page = await site.JoinAsync("participant", "Kwame Asante", "Ghana", "en");
        var editor = page.GetByTestId("editor");
        await Expect(editor).ToBeEditableAsync();
        await Expect(editor).ToHaveAttributeAsync("data-mode", "edit");
        var docId = (await editor.GetAttributeAsync("data-doc-id"))!;

        // She types, then the facilitator locks the note while her page is open.
        await editor.FocusAsync();
        await page.Keyboard.PressAsync("Control+End");
        await page.Keyboard.TypeAsync(" Cross-border markets need shared health posts.");
        await Expect(page.GetByTestId("sync-status")).ToHaveAttributeAsync("data-state", "saved");
        await site.FacilitatorPostAsync($"/api/documents/{docId}/lock");

        // Locked: read only before typing, and said so; typing changes nothing. (Typing that races the lock itself:
        // TypingRacingALockInTheBrowserTests.)
        await Expect(editor).Not.ToBeEditableAsync();
        await Expect(editor).ToHaveAttributeAsync("data-mode", "read");
        await Expect(page.GetByTestId("sync-status")).ToHaveAttributeAsync("data-state", "saved");
        var locked = await site.ServerTextAsync(docId);
        await Expect(editor).ToHaveValueAsync(locked, new() { Timeout = 15_000 });
        await editor.FocusAsync();
        await page.Keyboard.TypeAsync("lost?");
        await Expect(editor).ToHaveValueAsync(locked, new() { Timeout = 15_000 });
        await BrowserSite.ScreenshotAsync(page, "read-only-locked-note");
        Assert.Equal(locked, await site.ServerTextAsync(docId));

        // Keystrokes that reach the server anyway (an old page, a race) are refused with their code, quietly.
        var refusals = await page.EvaluateAsync<string[]>(
            @"async (docId) => {
                const token = JSON.parse(localStorage.getItem('collab.identity')).token;
                const c = new signalR.HubConnectionBuilder().withUrl('/hubs/collab', { accessTokenFactory: () => token }).build();
                await c.start();
                const opened = await c.invoke('OpenDocument', { docId, lastRevision: null });
                const codes = [];
                for (let seq = 1; seq <= 5; seq++) {
                  try {
                    await c.invoke('SubmitOp', { docId, baseRevision: opened.revision, clientId: 'stale-page', clientSeq: seq, op: [opened.text.length, 'x'] });
                    codes.push('accepted');
                  } catch (e) {
                    codes.push(/(document\.[a-z_]+)/.exec(String(e.message))?.[1] ?? String(e.message));
                  }
                }
                await c.stop();
                return codes;
              }",
            docId);
        Assert.All(refusals, code => Assert.Equal("document.locked", code));
        Assert.Equal(locked, await site.ServerTextAsync(docId));

        // A recommendation in review that he did not write: he suggests at most, in its text and in its translation.
        var rid = (await site.FacilitatorPostAsync($"/api/workshops/{site.WorkshopId}/recommendations", new
        {
            title = "Shared health posts at border markets",
            text = "Set up shared health posts at the main border markets.",
            language = "en",
        })).GetProperty("id").GetString()!;
        await site.FacilitatorPostAsync($"/api/workshops/{site.WorkshopId}/recommendations/{rid}/status", new { status = "proposed" });
        await site.FacilitatorPostAsync($"/api/workshops/{site.WorkshopId}/recommendations/{rid}/status", new { status = "inReview" });
        await page.GotoAsync($"/#rec={rid}");
        foreach (var language in new[] { "en", "fr" })
        {
            var text = TextOf(page, language);
            await Expect(text).ToHaveAttributeAsync("data-mode", new System.Text.RegularExpressions.Regex("^(suggest|read)$"));
            if (await text.GetAttributeAsync("data-mode") == "read")
            {
                await Expect(text).Not.ToBeEditableAsync();
            }
        }

        await BrowserSite.ScreenshotAsync(page, "read-only-recommendation-in-review");

        // Withdrawn: every text is read only before typing.
        await site.FacilitatorPostAsync($"/api/workshops/{site.WorkshopId}/recommendations/{rid}/status", new { status = "withdrawn" });
        foreach (var language in new[] { "en", "fr" })
        {
            await Expect(TextOf(page, language)).Not.ToBeEditableAsync();
            await Expect(TextOf(page, language)).ToHaveAttributeAsync("data-mode", "read");
        }

        // Once the opening session has ended, the plenary notes are read only before typing, without a reload.
        await site.FacilitatorPostAsync($"/api/documents/{docId}/unlock");
        await page.GotoAsync("/#workspace");
        await Expect(editor).ToBeEditableAsync();
        var sessions = $"/api/workshops/{site.WorkshopId}/sessions/d1-opening";
        await site.FacilitatorPostAsync($"{sessions}/start");
        await Expect(editor).ToBeEditableAsync();
        await site.FacilitatorPostAsync($"{sessions}/end");
        await Expect(editor).Not.ToBeEditableAsync();
        await Expect(editor).ToHaveAttributeAsync("data-mode", "read");
        var ended = await editor.InputValueAsync();
        await editor.FocusAsync();
        await page.Keyboard.TypeAsync("lost?");
        await Expect(editor).ToHaveValueAsync(ended);
        await BrowserSite.ScreenshotAsync(page, "read-only-after-session-ended");

        // The server said none of it above Debug: no warning, error or stack trace for a refusal.
        var logged = site.Server!.Output.Split('\n');
        var loud = logged.Where(line => line.Contains("warn:", StringComparison.Ordinal) || line.Contains("fail:", StringComparison.Ordinal) || line.Contains("crit:", StringComparison.Ordinal))
            .Where(line => !line.Contains("Orleans.Runtime.Watchdog", StringComparison.Ordinal))
            .ToList();
        Assert.True(loud.Count == 0, "The server logged above Debug:\n" + string.Join('\n', loud) + "\n" + site.Server.Output);
        Assert.DoesNotContain(logged, line => line.TrimStart().StartsWith("at Collab.", StringComparison.Ordinal));
    }
}
