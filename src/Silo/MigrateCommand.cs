using Collab.Hosting.Configuration;
using Collab.Hosting.Postgres;

namespace Collab.Silo;

/// <summary><c>dotnet run --project src/Silo -- migrate</c>: brings the PostgreSQL schema to this build's version.</summary>
internal static class MigrateCommand
{
    public static async Task<int> RunAsync(IConfiguration configuration)
    {
        var connectionString = CollabSettings.LoadPostgresConnectionString(configuration);
        using var loggers = LoggerFactory.Create(logging => logging.AddConfiguration(configuration.GetSection("Logging")).AddSimpleConsole());
        var logger = loggers.CreateLogger("Collab.Migrate");
        try
        {
            var applied = await PostgresSchema.MigrateAsync(connectionString, logger);
            Console.WriteLine($"migrate: {applied.Count} migration(s) applied; schema at version {PostgresSchema.LatestVersion} " +
                              $"({PostgresSchema.Describe(connectionString)}).");
            return 0;
        }
        catch (Npgsql.NpgsqlException e)
        {
            throw new CollabStartupException(
                $"Migration failed on {PostgresSchema.Describe(connectionString)} ({CollabSettings.ConnectionStringKey}): {e.Message}", e);
        }
    }
}
