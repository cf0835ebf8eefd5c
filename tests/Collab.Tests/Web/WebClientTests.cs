using System.Net;

namespace Collab.Tests.Web;

/// <summary>
/// The built-in web client is served by the web node itself, with its SignalR library from npm (copied by the build),
/// so a venue without internet has a working client. The pages are tested in a real browser in Collab.BrowserTests.
/// </summary>
public sealed class WebClientTests(EmbeddedWebNode node) : IClassFixture<EmbeddedWebNode>
{
    private readonly HttpClient _http = node.CreateClient();

    [Fact]
    public async Task RootServesThePageThatLoadsTheLocalSignalRBundleAndTheAppModule()
    {
        using var response = await _http.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("no-cache", response.Headers.CacheControl?.ToString());
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("src=\"lib/signalr/signalr.min.js\"", html, StringComparison.Ordinal);
        Assert.Contains("src=\"lib/signalr/signalr-protocol-msgpack.min.js\"", html, StringComparison.Ordinal);
        Assert.Contains("<script type=\"module\" src=\"js/app.js\">", html, StringComparison.Ordinal);
        Assert.DoesNotContain("://", html.Replace("http://www.w3.org", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/lib/signalr/signalr.min.js", "HubConnectionBuilder")]
    [InlineData("/lib/signalr/signalr-protocol-msgpack.min.js", "MessagePackHubProtocol")]
    [InlineData("/js/app.js", "CollabClient")]
    [InlineData("/js/collab-client.js", "export class CollabClient")]
    [InlineData("/js/i18n.js", "export function translate")]
    public async Task ScriptsAreServedAsJavaScript(string path, string contains)
    {
        using var response = await _http.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/javascript", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(contains, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApiStaysAnApiNextToTheClient()
    {
        using var response = await _http.GetAsync("/api/workshops/nope");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
