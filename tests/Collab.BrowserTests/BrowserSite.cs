using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Collab.Web.Realtime;
using Collab.Web.Seeds;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Collab.BrowserTests;

/// <summary>
/// One test class's world: the real web node (embedded mode, SQLite in a temp folder) on a real Kestrel at 127.0.0.1,
/// the Cotonou seed loaded into it by <see cref="SeedCommand"/> (as <c>dotnet run -- seed</c> does), and Debian's
/// chromium driven by Playwright. People join through the page itself (<see cref="JoinAsync"/>), each in their own
/// browser context (own storage, own connection), as on separate laptops.
/// </summary>
public class BrowserSite : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private readonly FaultableNode _node = new();
    private IPlaywright? _playwright;
    private readonly List<IBrowserContext> _contexts = [];

    public Uri Address { get; private set; } = null!;

    public string WorkshopId { get; private set; } = "";

    /// <summary>The seed's join codes by role name.</summary>
    public IReadOnlyDictionary<string, string> Codes { get; private set; } = new Dictionary<string, string>();

    /// <summary>The seed creator's (facilitator's) token, to read what the server holds.</summary>
    public string FacilitatorToken { get; private set; } = "";

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Makes chosen grain calls of the web node fail as a slow or unreachable cluster fails them.</summary>
    public GrainCallFaults Faults => _node.Faults;

    /// <summary>This node's hub connections: the tests drop a page's connection server-side through it.</summary>
    public ConnectionRegistry Connections => _node.Services.GetRequiredService<ConnectionRegistry>();

    /// <summary>Where screenshots go: <c>screenshots/</c> in the test output folder.</summary>
    public static string ScreenshotFolder { get; } = Path.Combine(AppContext.BaseDirectory, "screenshots");

    public async Task InitializeAsync()
    {
        Assert.True(File.Exists(ChromiumPath), $"{ChromiumPath} is missing: apt-get install -y chromium (./build.sh test does it).");
        Address = _node.Address;
        if (LoadsTheSeed)
        {
            await LoadSeedAsync();
        }

        // Debian's chromium, headless; Playwright downloads no browser.
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new() { ExecutablePath = ChromiumPath, Headless = true });
    }

    /// <summary>Whether the site starts with the seed loaded by <see cref="SeedCommand"/> (else a test creates its workshop).</summary>
    protected virtual bool LoadsTheSeed => true;

    /// <summary>From now on, people join the workshop a test created (its id, join codes by role, a facilitator's token).</summary>
    public void UseWorkshop(string workshopId, IReadOnlyDictionary<string, string> codes, string facilitatorToken)
    {
        WorkshopId = workshopId;
        Codes = codes;
        FacilitatorToken = facilitatorToken;
    }

    private async Task LoadSeedAsync()
    {
        var output = new StringWriter(CultureInfo.InvariantCulture);
        var error = new StringWriter(CultureInfo.InvariantCulture);
        var seed = Path.Combine(RepoRoot.Path, "seeds", "cotonou-2023.json");
        var exit = await SeedCommand.RunAsync([seed, "--url", Address.ToString()], output, error);
        Assert.True(exit == 0, $"seed failed ({exit}): {error}");
        var seeded = SeedOutput.Parse(output.ToString());
        WorkshopId = seeded.WorkshopId;
        Codes = seeded.Codes;
        FacilitatorToken = seeded.FacilitatorToken;
    }

    /// <summary>
    /// A new browser context (a person's device) that opens the join link of <paramref name="role"/> and joins with the
    /// form; answers once the page is connected. <paramref name="query"/> (e.g. <c>protocol=json</c>) goes into the page's address.
    /// </summary>
    public async Task<IPage> JoinAsync(string role, string name, string? delegation, string language, bool phone = false, string? query = null)
    {
        var page = await NewPageAsync(name, language, phone);
        await JoinWithTheFormAsync(page, Codes[role], name, delegation, language, query);
        return page;
    }

    /// <summary>Opens the join link of <paramref name="code"/> on <paramref name="page"/> and joins with the form.</summary>
    internal static async Task JoinWithTheFormAsync(IPage page, string code, string name, string? delegation, string language, string? query = null)
    {
        await page.GotoAsync((query is null ? "/" : "/?" + query) + "#join=" + code);
        await page.Locator("input[name=displayName]").FillAsync(name);
        if (delegation is not null)
        {
            // Offered from the workshop's delegations once the code is known (GET /api/join/{code}).
            await page.Locator("select[name=delegation]").SelectOptionAsync(new SelectOptionValue { Label = delegation });
        }

        await page.Locator("select[name=language]").SelectOptionAsync(language);
        await page.Locator("form.join button[type=submit]").ClickAsync();
        await Assertions.Expect(page.GetByTestId("connection")).ToHaveAttributeAsync("data-state", "online");
    }

    /// <summary>Another device (a phone) signing in again as someone with their personal rejoin key.</summary>
    public async Task<IPage> RejoinAsync(string role, string rejoinKey)
    {
        var page = await NewPageAsync("rejoin", "en", phone: true);
        await page.GotoAsync("/#join=" + Codes[role]);
        await page.Locator("form.join summary").ClickAsync();
        await page.Locator("input[name=rejoinKey]").FillAsync(rejoinKey);
        await page.Locator("form.join button[type=submit]").ClickAsync();
        await Assertions.Expect(page.GetByTestId("connection")).ToHaveAttributeAsync("data-state", "online");
        return page;
    }

    /// <summary>A new browser context (a device) with one blank page, in <paramref name="language"/>.</summary>
    public async Task<IPage> NewPageAsync(string name, string language, bool phone = false)
    {
        var context = await Browser.NewContextAsync(new()
        {
            BaseURL = Address.ToString(),
            Locale = language == "fr" ? "fr-FR" : "en-GB",
            ViewportSize = phone ? new() { Width = 390, Height = 844 } : new() { Width = 1366, Height = 900 },
        });
        _contexts.Add(context);
        var page = await context.NewPageAsync();
        page.Console += (_, message) => Log($"[{name}] console.{message.Type}: {message.Text}");
        page.PageError += (_, error) => Log($"[{name}] page error: {error}");
        return page;
    }

    /// <summary>The participant id the page signed in as (its stored identity).</summary>
    public static Task<string> ParticipantIdAsync(IPage page) =>
        page.EvaluateAsync<string>("() => JSON.parse(localStorage.getItem('collab.identity')).participant.id");

    /// <summary>
    /// A call to the workshop's API (<paramref name="path"/> below <c>/api/workshops/{id}</c>) as its facilitator, to set
    /// the scene as the console would; answers the JSON body (default when empty), failing on a refusal.
    /// </summary>
    public async Task<JsonElement> FacilitatorAsync(HttpMethod method, string path, object? body = null)
    {
        using var http = new HttpClient { BaseAddress = Address };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", FacilitatorToken);
        using var request = new HttpRequestMessage(method, $"/api/workshops/{WorkshopId}{path}");
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{method} {path} answered {(int)response.StatusCode}: {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>A document's text as the server holds it now.</summary>
    public async Task<string> ServerTextAsync(string docId)
    {
        using var http = new HttpClient { BaseAddress = Address };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", FacilitatorToken);
        var body = await http.GetFromJsonAsync<JsonElement>($"/api/documents/{docId}/text");
        return body.GetProperty("text").GetString()!;
    }

    private readonly List<string> _log = [];

    /// <summary>The pages' console messages and errors, written to <c>screenshots/browser-console.log</c> at the end.</summary>
    private void Log(string line)
    {
        lock (_log)
        {
            _log.Add(line);
        }
    }

    public static async Task<string> ScreenshotAsync(IPage page, string name)
    {
        Directory.CreateDirectory(ScreenshotFolder);
        var path = Path.Combine(ScreenshotFolder, name + ".png");
        await page.ScreenshotAsync(new() { Path = path, FullPage = true });
        return path;
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
        await _node.DisposeAsync();
        Directory.CreateDirectory(ScreenshotFolder);
        lock (_log)
        {
            File.AppendAllLines(Path.Combine(ScreenshotFolder, "browser-console.log"), _log);
        }
    }
}

/// <summary>The embedded node with its grain calls going through <see cref="GrainCallFaults"/> (which lets every call through until armed).</summary>
internal sealed class FaultableNode : EmbeddedKestrelNode
{
    public GrainCallFaults Faults { get; } = new();

    protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services => services.AddSingleton<Orleans.IOutgoingGrainCallFilter>(Faults));
    }
}
