using Collab.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace Collab.IntegrationTests.Infrastructure;

/// <summary>
/// A Collab silo hosted inside the test process, configured exactly as the programs configure it
/// (<see cref="CollabHosting"/>): embedded on a SQLite folder, or a member of a PostgreSQL-backed cluster.
/// </summary>
internal static class InProcessNode
{
    public static IHost BuildEmbedded(string dataPath) => Build(new()
    {
        ["Collab:Storage"] = "Sqlite",
        ["Collab:DataPath"] = dataPath,
    }, embedded: true);

    public static IHost BuildClustered(string connectionString, string clusterId) => Build(new()
    {
        ["Collab:Storage"] = "Postgres",
        ["ConnectionStrings:Collab"] = connectionString,
        ["Collab:ClusterId"] = clusterId,
    }, embedded: false);

    private static IHost Build(Dictionary<string, string?> settings, bool embedded)
    {
        settings["Collab:Silo:Port"] = FreePorts.Next().ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Collab:Silo:GatewayPort"] = FreePorts.Next().ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Logging:LogLevel:Default"] = "Warning";
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            DisableDefaults = true,
            EnvironmentName = "Testing",
        });
        builder.Configuration.AddInMemoryCollection(settings);
        if (embedded)
        {
            builder.AddCollabWebNode();
        }
        else
        {
            builder.AddCollabSilo();
        }

        return builder.Build();
    }
}
