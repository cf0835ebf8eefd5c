using System.Net;
using System.Net.Http.Json;
using Collab.IntegrationTests.Infrastructure;
using Collab.Workshops;

namespace Collab.IntegrationTests.Processes;

/// <summary>The default mode as a person runs it: one process, one data folder, nothing else installed.</summary>
public sealed class EmbeddedModeTests : IDisposable
{
    private static readonly object Conference = new
    {
        title = "Regional conference on cross-border cooperation",
        venue = "Lomé, Togo",
        startsOn = "2026-11-30",
        endsOn = "2026-12-01",
        languages = new[] { "en", "fr" },
        creator = new { name = "Facilitator" },
    };

    private readonly TempFolder _data = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };

    [Fact]
    public async Task StateSurvivesAKilledAndRestartedProcess()
    {
        var (first, url) = await Programs.StartEmbeddedAsync(_data.Path);
        WorkshopView created;
        TestWorkshop workshop;
        await using (first)
        {
            workshop = await TestWorkshop.CreateAsync(() => new HttpClient { BaseAddress = url }, Conference);
            created = await workshop.OkAsync<WorkshopView>(workshop.Facilitator.Token, HttpMethod.Get, $"/api/workshops/{workshop.Id}");
            await first.KillAsync();
        }

        var (second, url2) = await Programs.StartEmbeddedAsync(_data.Path);
        await using (second)
        {
            using var http = new HttpClient { BaseAddress = url2 };
            http.DefaultRequestHeaders.Authorization = new("Bearer", workshop.Facilitator.Token);
            var read = await http.GetFromJsonAsync<WorkshopView>($"/api/workshops/{created.Id}", TestWorkshop.Json);
            Assert.Equivalent(created, read, strict: true);
        }
    }

    [Fact]
    public async Task ReadyHealthAnswersOkWithStorageSiloAndCluster()
    {
        var (process, url) = await Programs.StartEmbeddedAsync(_data.Path);
        await using (process)
        {
            var live = await _http.GetAsync(new Uri(url, "/health/live"));
            var ready = await _http.GetAsync(new Uri(url, "/health/ready"));
            var body = await ready.Content.ReadAsStringAsync();

            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            Assert.Contains("\"storage\"", body, StringComparison.Ordinal);
            Assert.Contains("\"silo\"", body, StringComparison.Ordinal);
            Assert.Contains("\"cluster\"", body, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task SecondProcessOnTheSameDataFolderRefusesToStart()
    {
        var (first, url) = await Programs.StartEmbeddedAsync(_data.Path);
        await using (first)
        {
            await using var second = ChildProcess.Start(Repo.WebDll, new Dictionary<string, string?>
            {
                ["Collab__DataPath"] = _data.Path,
                ["Collab__Silo__Port"] = FreePorts.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Collab__Silo__GatewayPort"] = FreePorts.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{FreePorts.Next()}",
            });

            Assert.Equal(2, await second.WaitForExitAsync(Programs.StartTimeout));
            Assert.Contains("is in use by another Collab process", second.Output, StringComparison.Ordinal);
            Assert.Contains("Collab:DataPath", second.Output, StringComparison.Ordinal);

            // The first process is unharmed and its file still answers.
            var ready = await _http.GetAsync(new Uri(url, "/health/ready"));
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        }
    }

    public void Dispose()
    {
        _http.Dispose();
        _data.Dispose();
    }
}
