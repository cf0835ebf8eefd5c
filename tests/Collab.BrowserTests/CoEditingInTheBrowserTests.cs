using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Collab.BrowserTests;

/// <summary>
/// Two people co-write one plenary document of the seed workshop from two browsers at the same time, one page speaking
/// the hub's MessagePack protocol (the web client's default) and the other JSON (<c>?protocol=json</c>).
/// </summary>
public sealed class CoEditingInTheBrowserTests(BrowserSite site) : IClassFixture<BrowserSite>
{
    [Fact]
    public async Task TwoBrowsersTypingIntoTheSameDocumentAtOnceOverBothHubProtocolsBothEndWithTheServersText()
    {
        var amina = await site.JoinAsync("participant", "Amina Koné", "Togo", "fr");
        var kofi = await site.JoinAsync("participant", "Kofi Mensah", "Ghana", "en", query: "protocol=json");
        Assert.Equal("messagepack", await amina.EvaluateAsync<string>("() => document.documentElement.dataset.hubProtocol"));
        Assert.Equal("json", await kofi.EvaluateAsync<string>("() => document.documentElement.dataset.hubProtocol"));

        // Both land in plenary on the workshop's first document.
        await Expect(amina.GetByTestId("room-name")).ToContainTextAsync("Plénière");
        await Expect(kofi.GetByTestId("room-name")).ToContainTextAsync("Plenary");
        var aminaEditor = amina.GetByTestId("editor");
        var kofiEditor = kofi.GetByTestId("editor");
        await Expect(aminaEditor).ToBeEditableAsync();
        await Expect(kofiEditor).ToBeEditableAsync();
        var docId = await aminaEditor.GetAttributeAsync("data-doc-id");
        Assert.NotNull(docId);
        Assert.Equal(docId, await kofiEditor.GetAttributeAsync("data-doc-id"));

        // Amina writes at the end while Kofi writes at the start, keystroke by keystroke, at the same time.
        const string atEnd = " Amina: les comités frontaliers se réunissent chaque mois.";
        const string atStart = "Kofi: border committees meet every month. ";
        await aminaEditor.FocusAsync();
        await amina.Keyboard.PressAsync("Control+End");
        await kofiEditor.FocusAsync();
        await kofi.Keyboard.PressAsync("Control+Home");
        await Task.WhenAll(
            amina.Keyboard.TypeAsync(atEnd, new() { Delay = 15 }),
            kofi.Keyboard.TypeAsync(atStart, new() { Delay = 15 }));

        // Everything each typed is acknowledged (durable on the server)…
        await Expect(amina.GetByTestId("sync-status")).ToHaveAttributeAsync("data-state", "saved");
        await Expect(kofi.GetByTestId("sync-status")).ToHaveAttributeAsync("data-state", "saved");
        var server = await site.ServerTextAsync(docId);
        Assert.StartsWith(atStart, server, StringComparison.Ordinal);
        Assert.EndsWith(atEnd, server, StringComparison.Ordinal);

        // …and both pages show exactly the server's text.
        await Expect(aminaEditor).ToHaveValueAsync(server);
        await Expect(kofiEditor).ToHaveValueAsync(server);

        // Each sees the other in the document (name and caret on the mirror layer).
        await Expect(amina.Locator(".caret-name", new() { HasText = "Kofi Mensah" })).ToHaveCountAsync(1);
        await BrowserSite.ScreenshotAsync(amina, "co-editing-participant");
    }
}
