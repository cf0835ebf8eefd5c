using System.Globalization;

namespace Collab.IntegrationTests.Infrastructure;

/// <summary>Starts the real Collab programs (built DLLs) the way an operator would, on ports of their own.</summary>
internal static class Programs
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    /// <summary>The web node in embedded mode: silo and web in one process, state in <paramref name="dataPath"/>.</summary>
    public static async Task<(ChildProcess Process, Uri Url)> StartEmbeddedAsync(string dataPath, int? webPort = null)
    {
        var url = new Uri($"http://127.0.0.1:{webPort ?? FreePorts.Next()}");
        var process = ChildProcess.Start(Repo.WebDll, new Dictionary<string, string?>
        {
            ["Collab__Storage"] = "Sqlite",
            ["Collab__DataPath"] = dataPath,
            ["Collab__Silo__Port"] = Port(),
            ["Collab__Silo__GatewayPort"] = Port(),
            ["ASPNETCORE_URLS"] = url.ToString(),
        });
        await process.WaitForOutputAsync("is ready at", StartTimeout);
        return (process, url);
    }

    /// <summary>A silo of the PostgreSQL cluster; returns once it is Active.</summary>
    /// <remarks>A silo restarted on the same <paramref name="siloPort"/> declares its killed predecessor dead at once.</remarks>
    public static async Task<(ChildProcess Process, Uri HealthUrl)> StartSiloAsync(
        string connectionString, string clusterId, string name, int siloPort, int gatewayPort)
    {
        var url = new Uri($"http://127.0.0.1:{FreePorts.Next()}");
        var process = ChildProcess.Start(Repo.SiloDll, new Dictionary<string, string?>
        {
            ["Collab__Storage"] = "Postgres",
            ["ConnectionStrings__Collab"] = connectionString,
            ["Collab__ClusterId"] = clusterId,
            ["Collab__Silo__Name"] = name,
            ["Collab__Silo__Port"] = siloPort.ToString(CultureInfo.InvariantCulture),
            ["Collab__Silo__GatewayPort"] = gatewayPort.ToString(CultureInfo.InvariantCulture),
            ["ASPNETCORE_URLS"] = url.ToString(),
        });
        await process.WaitForOutputAsync("is ready at", StartTimeout);
        return (process, url);
    }

    /// <summary>
    /// A clustered web node (an Orleans client of the PostgreSQL cluster) as its own process; <paramref name="settings"/>
    /// adds or overrides environment settings (e.g. <c>Collab__Realtime__SubscriptionRenewalSeconds</c>).
    /// </summary>
    public static async Task<(ChildProcess Process, Uri Url)> StartWebNodeAsync(
        string connectionString, string clusterId, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var url = new Uri($"http://127.0.0.1:{FreePorts.Next()}");
        var environment = new Dictionary<string, string?>
        {
            ["Collab__Storage"] = "Postgres",
            ["ConnectionStrings__Collab"] = connectionString,
            ["Collab__ClusterId"] = clusterId,
            ["Collab__Auth__SigningKey"] = TestKeys.SigningKey,
            ["ASPNETCORE_URLS"] = url.ToString(),
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            environment[key] = value;
        }

        var process = ChildProcess.Start(Repo.WebDll, environment);
        await process.WaitForOutputAsync("is ready at", StartTimeout);
        return (process, url);
    }

    /// <summary>
    /// A web node that is also a silo of the PostgreSQL cluster (<c>Collab:Topology=CoHosted</c>), named
    /// <paramref name="name"/> in membership, on silo and gateway ports of its own.
    /// </summary>
    public static Task<(ChildProcess Process, Uri Url)> StartCoHostedWebNodeAsync(string connectionString, string clusterId, string name) =>
        StartWebNodeAsync(connectionString, clusterId, new Dictionary<string, string?>
        {
            ["Collab__Topology"] = "CoHosted",
            ["Collab__Silo__Name"] = name,
            ["Collab__Silo__Port"] = Port(),
            ["Collab__Silo__GatewayPort"] = Port(),
        });

    private static string Port() => FreePorts.Next().ToString(CultureInfo.InvariantCulture);
}
