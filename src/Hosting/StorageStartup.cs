using Collab.Hosting.Configuration;
using Collab.Hosting.Postgres;
using Collab.Hosting.Sqlite;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Collab.Hosting;

/// <summary>
/// Runs before Orleans starts (registered first, and works in <see cref="StartingAsync"/>): in embedded mode it takes
/// the data folder's lock and creates or upgrades the SQLite schema; in clustered mode it proves PostgreSQL is
/// reachable and migrated. Either failure stops the process with a message naming the setting at fault.
/// </summary>
internal sealed partial class StorageStartup(CollabOptions options, IServiceProvider services, ILogger<StorageStartup> logger)
    : IHostedLifecycleService, IDisposable
{
    private DataFolderLock? _lock;

    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        if (options.Storage == StorageKind.Sqlite)
        {
            _lock = DataFolderLock.Acquire(options.DataPath);
            var database = (SqliteDatabase)services.GetService(typeof(SqliteDatabase))!;
            var applied = await database.MigrateAsync(cancellationToken);
            LogEmbedded(logger, database.FilePath, SqliteDatabase.LatestVersion, applied.Count);
        }
        else
        {
            await PostgresSchema.EnsureReadyAsync(options.PostgresConnectionString!, cancellationToken);
            LogClustered(logger, PostgresSchema.Describe(options.PostgresConnectionString!), PostgresSchema.LatestVersion);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    // The lock is released last, after Orleans has stopped writing.
    public Task StoppedAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _lock?.Dispose();
        _lock = null;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Embedded storage: {File} (schema {Version}, {Applied} migrations applied now)")]
    private static partial void LogEmbedded(ILogger logger, string file, int version, int applied);

    [LoggerMessage(Level = LogLevel.Information, Message = "Clustered storage: PostgreSQL {Database} (schema {Version})")]
    private static partial void LogClustered(ILogger logger, string database, int version);
}
