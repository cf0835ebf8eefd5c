using Collab.Hosting.Configuration;
using Microsoft.Data.Sqlite;

namespace Collab.Hosting.Sqlite;

/// <summary>
/// The embedded mode's SQLite file: opens connections with the pragmas durability needs and creates or upgrades
/// the schema at start. WAL journal with <c>synchronous=FULL</c>: a committed transaction survives a process
/// crash and a power cut.
/// </summary>
public sealed class SqliteDatabase
{
    private const string ScriptPrefix = "Collab.Schema.Sqlite/";

    public SqliteDatabase(CollabOptions options)
    {
        FilePath = options.SqliteFile;
        ConnectionString = new SqliteConnectionStringBuilder
        {
            DataSource = FilePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    public string FilePath { get; }

    public string ConnectionString { get; }

    /// <summary>The newest schema version this build knows.</summary>
    public static int LatestVersion => Scripts().Max(s => s.Version);

    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        var connection = new SqliteConnection(ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await using var pragmas = connection.CreateCommand();
            pragmas.CommandText = "PRAGMA synchronous = FULL; PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON;";
            await pragmas.ExecuteNonQueryAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Creates the file or brings its schema to <see cref="LatestVersion"/>; returns the versions applied.</summary>
    public async Task<IReadOnlyList<int>> MigrateAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using (var wal = connection.CreateCommand())
        {
            wal.CommandText = "PRAGMA journal_mode = WAL;";
            await wal.ExecuteNonQueryAsync(cancellationToken);
        }

        var current = await UserVersionAsync(connection, cancellationToken);
        if (current > LatestVersion)
        {
            throw new CollabStartupException(
                $"The data file '{FilePath}' has schema version {current}, newer than this build knows ({LatestVersion}). " +
                "Run a newer Collab, or point Collab:DataPath at another folder.");
        }

        var applied = new List<int>();
        foreach (var script in Scripts().Where(s => s.Version > current).OrderBy(s => s.Version))
        {
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = script.Sql + $"\nPRAGMA user_version = {script.Version};";
            await command.ExecuteNonQueryAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            applied.Add(script.Version);
        }

        return applied;
    }

    private static async Task<int> UserVersionAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA user_version;";
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static IEnumerable<SchemaScript> Scripts() => SchemaScript.Load(ScriptPrefix);
}
