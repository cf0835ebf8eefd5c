using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Collab.BrowserTests;

/// <summary>A page whose connection the server drops keeps its edits, shows them as unsynced, and sends them once.</summary>
public sealed class ReconnectInTheBrowserTests(BrowserSite site) : IClassFixture<BrowserSite>
{
    [Fact]
    public async Task PageDisconnectedByTheServerShowsUnsyncedChangesReconnectsAndItsPendingEditLandsOnce()
    {
        var page = await site.JoinAsync("participant", "Yao Kouassi", "Côte d'Ivoire", "en");
        var editor = page.GetByTestId("editor");
        await Expect(editor).ToBeEditableAsync();
        var docId = (await editor.GetAttributeAsync("data-doc-id"))!;
        var participantId = await BrowserSite.ParticipantIdAsync(page);
        var connection = page.GetByTestId("connection");
        var sync = page.GetByTestId("sync-status");

        // Reconnection attempts wait at the door until the test has seen the page offline.
        var reopen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await page.RouteAsync("**/hubs/collab/negotiate**", async route =>
        {
            await reopen.Task;
            await route.ContinueAsync();
        });

        // One edit may still be in flight when the server drops the connection; the next is made while offline.
        const string inFlight = " [sent as the line dropped]";
        const string offline = " [typed while offline]";
        await editor.FocusAsync();
        await page.Keyboard.PressAsync("Control+End");
        await page.Keyboard.TypeAsync(inFlight);
        site.Connections.Abort(site.WorkshopId, participantId);
        await Expect(connection).ToHaveAttributeAsync("data-state", "reconnecting");
        await page.Keyboard.TypeAsync(offline);
        await Expect(sync).ToHaveAttributeAsync("data-state", "unsynced");
        await Expect(sync).ToHaveTextAsync("Unsynced changes");
        await BrowserSite.ScreenshotAsync(page, "reconnect-unsynced");

        // Let it back in: it reconnects by itself and its pending edits land, each exactly once.
        reopen.SetResult();
        await Expect(connection).ToHaveAttributeAsync("data-state", "online", new() { Timeout = 20_000 });
        await Expect(sync).ToHaveAttributeAsync("data-state", "saved", new() { Timeout = 20_000 });
        var server = await site.ServerTextAsync(docId);
        Assert.Equal(1, Occurrences(server, inFlight));
        Assert.Equal(1, Occurrences(server, offline));
        Assert.EndsWith(inFlight + offline, server, StringComparison.Ordinal);
        await Expect(editor).ToHaveValueAsync(server);
        await BrowserSite.ScreenshotAsync(page, "reconnect-saved");
    }

    [Fact]
    public async Task PageWhoseConnectionIsClosedAtAdmissionComesBackByItselfWithoutShowingAnError()
    {
        var page = await site.JoinAsync("participant", "Aïssata Maïga", "Togo", "en");
        var editor = page.GetByTestId("editor");
        await Expect(editor).ToBeEditableAsync();
        var docId = (await editor.GetAttributeAsync("data-doc-id"))!;
        var participantId = await BrowserSite.ParticipantIdAsync(page);

        // The next admission of this workshop's connections waits for the cluster and then times out, as on a silo that
        // has just started: the page, connected, enters the workshop meanwhile, and the server closes the connection.
        var (refusals, slowSilo) = SlowAdmissionRefusedOnce();
        using (refusals)
        {
            site.Connections.Abort(site.WorkshopId, participantId);
            await refusals.Taken.WaitAsync(TimeSpan.FromSeconds(30));
            await Expect(page.GetByTestId("connection")).ToHaveAttributeAsync("data-state", "online", new() { Timeout = 20_000 });
            slowSilo.SetResult();

            // The next connection is admitted: edits land, and the calls the close cut off were made again on it.
            await EditLandsAndNoErrorShowsAsync(page, docId, " [after a slow start]", "reconnect-after-admission-refused");
        }
    }

    [Fact]
    public async Task PageJoiningWhileTheClusterCannotAdmitItYetOpensItsNotesWithoutShowingAnError()
    {
        // The page's first connection is closed at admission after the cluster took its time (a node just restarted).
        var (refusals, slowSilo) = SlowAdmissionRefusedOnce();
        using (refusals)
        {
            var page = await site.JoinAsync("participant", "Kofi Mensah", "Ghana", "en");
            await refusals.Taken.WaitAsync(TimeSpan.FromSeconds(30));
            slowSilo.SetResult();

            var editor = page.GetByTestId("editor");
            await Expect(editor).ToBeEditableAsync(new() { Timeout = 20_000 });
            await EditLandsAndNoErrorShowsAsync(page, (await editor.GetAttributeAsync("data-doc-id"))!, " [joined on a slow start]", "join-while-admission-refused");
        }
    }

    /// <summary>The workshop's next admission: its presence call waits until the test completes the task, then times out.</summary>
    private (GrainCallFaults.Armed Refusals, TaskCompletionSource SlowSilo) SlowAdmissionRefusedOnce()
    {
        var slowSilo = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var refusals = site.Faults.Fail<Collab.Workshops.IPresenceGrain>(
            nameof(Collab.Workshops.IPresenceGrain.ConnectAsync), site.WorkshopId, () => new TimeoutException("Response did not arrive on time"),
            times: 1, until: slowSilo.Task);
        return (refusals, slowSilo);
    }

    /// <summary>Types at the end of the page's note: it is saved on the server, and the page shows no error.</summary>
    private async Task EditLandsAndNoErrorShowsAsync(IPage page, string docId, string typed, string screenshot)
    {
        await page.GetByTestId("editor").FocusAsync();
        await page.Keyboard.PressAsync("Control+End");
        await page.Keyboard.TypeAsync(typed);
        await Expect(page.GetByTestId("sync-status")).ToHaveAttributeAsync("data-state", "saved", new() { Timeout = 20_000 });
        Assert.EndsWith(typed, await site.ServerTextAsync(docId), StringComparison.Ordinal);
        await Expect(page.Locator("p.flash.error")).ToHaveCountAsync(0);
        await BrowserSite.ScreenshotAsync(page, screenshot);
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
