using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Collab.IntegrationTests.Infrastructure;
using Collab.Web.Seeds;
using Microsoft.Playwright;

namespace Collab.BrowserTests;

/// <summary>
/// A site whose server can be killed and started again under open pages: the built web node (<c>src/Web</c>'s
/// Collab.Web.dll, embedded mode) as a separate process on a fixed port, with its data folder kept across restarts,
/// the Cotonou seed loaded once. Pages are made as in <see cref="BrowserSite"/> (one browser context per person).
/// </summary>
public sealed class RestartableSite : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    private readonly TempFolder _data = new();
    private readonly int _webPort = FreePorts.Next();
    private readonly int _siloPort = FreePorts.Next();
    private readonly int _gatewayPort = FreePorts.Next();
    private readonly List<IBrowserContext> _contexts = [];
    private readonly List<string> _log = [];
    private IPlaywright? _playwright;

    internal ChildProcess? Server { get; private set; }

    public Uri Address => new($"http://127.0.0.1:{_webPort}/");

    public string WorkshopId { get; private set; } = "";

    public IReadOnlyDictionary<string, string> Codes { get; private set; } = new Dictionary<string, string>();

    public string FacilitatorToken { get; private set; } = "";

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Assert.True(File.Exists(BrowserSite.ChromiumPath), $"{BrowserSite.ChromiumPath} is missing: apt-get install -y chromium.");
        await StartServerAsync();
        var output = new StringWriter(CultureInfo.InvariantCulture);
        var error = new StringWriter(CultureInfo.InvariantCulture);
        var exit = await SeedCommand.RunAsync([Path.Combine(RepoRoot.Path, "seeds", "cotonou-2023.json"), "--url", Address.ToString()], output, error);
        Assert.True(exit == 0, $"seed failed ({exit}): {error}");
        var seeded = SeedOutput.Parse(output.ToString());
        WorkshopId = seeded.WorkshopId;
        Codes = seeded.Codes;
        FacilitatorToken = seeded.FacilitatorToken;

        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new() { ExecutablePath = BrowserSite.ChromiumPath, Headless = true });
    }

    /// <summary>Starts the server (again) on the same port, ports and data folder; answers once it is ready.</summary>
    public async Task StartServerAsync()
    {
        Assert.True(Server is null || Server.HasExited, "the server is already running");
        var built = Path.Combine(RepoRoot.Path, "src", "Web", "bin", BuildConfiguration, "net10.0", "Collab.Web.dll");
        Assert.True(File.Exists(built), $"Build src/Web ({BuildConfiguration}) first: {built} is missing.");
        Server = ChildProcess.Start(built, new Dictionary<string, string?>
        {
            ["Collab__Storage"] = "Sqlite",
            ["Collab__DataPath"] = _data.Path,
            ["Collab__Silo__Port"] = _siloPort.ToString(CultureInfo.InvariantCulture),
            ["Collab__Silo__GatewayPort"] = _gatewayPort.ToString(CultureInfo.InvariantCulture),
            ["Collab__Auth__RequestsPerSecondPerParticipant"] = "1000",
            ["ASPNETCORE_URLS"] = Address.ToString(),
            // The process runs from its bin folder; the web client is served from the sources, as `dotnet run` does.
            ["ASPNETCORE_WEBROOT"] = Path.Combine(RepoRoot.Path, "src", "Web", "wwwroot"),
        });
        await Server.WaitForOutputAsync("is ready at", StartTimeout);
    }

    /// <summary>SIGKILL: the server dies at once, as a crash or a pulled plug would have it.</summary>
    public async Task KillServerAsync()
    {
        if (Server is not null)
        {
            await Server.KillAsync();
            Log("[server] killed; its output:\n" + Server.Output);
        }
    }

    /// <summary>A new person's device that joins with the form (as <see cref="BrowserSite.JoinAsync"/>).</summary>
    public async Task<IPage> JoinAsync(string role, string name, string? delegation, string language)
    {
        var page = await NewPageAsync(name, language);
        await BrowserSite.JoinWithTheFormAsync(page, Codes[role], name, delegation, language);
        return page;
    }

    public async Task<IPage> NewPageAsync(string name, string language)
    {
        var context = await Browser.NewContextAsync(new()
        {
            BaseURL = Address.ToString(),
            Locale = language == "fr" ? "fr-FR" : "en-GB",
            ViewportSize = new() { Width = 1366, Height = 900 },
        });
        _contexts.Add(context);
        var page = await context.NewPageAsync();
        page.Console += (_, message) => Log($"[{name}] console.{message.Type}: {message.Text}");
        page.PageError += (_, error) => Log($"[{name}] page error: {error}");
        return page;
    }

    /// <summary>A document's text as the server holds it now.</summary>
    public async Task<string> ServerTextAsync(string docId)
    {
        using var http = new HttpClient { BaseAddress = Address };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", FacilitatorToken);
        var body = await http.GetFromJsonAsync<JsonElement>($"/api/documents/{docId}/text");
        return body.GetProperty("text").GetString()!;
    }

    /// <summary>A command of the facilitator (the seed's creator) over HTTP; answers the JSON body, failing on a refusal.</summary>
    public async Task<JsonElement> FacilitatorPostAsync(string path, object? body = null)
    {
        using var http = new HttpClient { BaseAddress = Address };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", FacilitatorToken);
        using var response = await http.PostAsJsonAsync(path, body ?? new { });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"POST {path}: {(int)response.StatusCode} {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    private static string BuildConfiguration =>
#if DEBUG
        "Debug";
#else
        "Release";
#endif

    private void Log(string line)
    {
        lock (_log)
        {
            _log.Add(line);
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var context in _contexts)
        {
            await context.CloseAsync();
        }

        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
        if (Server is not null)
        {
            Log("[server] output:\n" + Server.Output);
            await Server.DisposeAsync();
        }

        _data.Dispose();
        Directory.CreateDirectory(BrowserSite.ScreenshotFolder);
        lock (_log)
        {
            File.AppendAllLines(Path.Combine(BrowserSite.ScreenshotFolder, "browser-console.log"), _log);
        }
    }
}
