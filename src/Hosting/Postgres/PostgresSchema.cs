using System.Globalization;
using Collab.Hosting.Configuration;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Collab.Hosting.Postgres;

/// <summary>
/// The clustered mode's PostgreSQL schema: Orleans' tables and query texts, and Collab's own tables, applied by an
/// explicit, idempotent, versioned migration (<c>dotnet run --project src/Silo -- migrate</c>). Processes check the
/// version at start and refuse to run against a database that was not migrated.
/// </summary>
public static partial class PostgresSchema
{
    private const string ScriptPrefix = "Collab.Schema.Postgres/";

    // Any constant works; it only has to be the same for every migrator so that two never interleave.
    private const long MigrationLockKey = 0x436F6C6C6162; // "Collab"

    /// <summary>The newest schema version this build knows.</summary>
    public static int LatestVersion => SchemaScript.Load(ScriptPrefix).Max(s => s.Version);

    /// <summary>Applies every script newer than the database's version, each in its own transaction; returns what it applied.</summary>
    public static async Task<IReadOnlyList<SchemaScript>> MigrateAsync(
        string connectionString, ILogger logger, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(connectionString, cancellationToken);
        await ExecuteAsync(connection, $"SELECT pg_advisory_lock({MigrationLockKey});", cancellationToken);
        try
        {
            await ExecuteAsync(connection,
                """
                CREATE TABLE IF NOT EXISTS collab_schema_migrations (
                    version    integer     PRIMARY KEY,
                    name       text        NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                );
                """, cancellationToken);

            var current = await CurrentVersionAsync(connection, cancellationToken) ?? 0;
            var applied = new List<SchemaScript>();
            foreach (var script in SchemaScript.Load(ScriptPrefix).Where(s => s.Version > current))
            {
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                await using (var command = new NpgsqlCommand(script.Sql, connection, transaction))
                {
                    await command.ExecuteNonQueryAsync(cancellationToken);
                }

                await using (var record = new NpgsqlCommand(
                    "INSERT INTO collab_schema_migrations (version, name) VALUES (@version, @name);", connection, transaction))
                {
                    record.Parameters.AddWithValue("version", script.Version);
                    record.Parameters.AddWithValue("name", script.Name);
                    await record.ExecuteNonQueryAsync(cancellationToken);
                }

                await transaction.CommitAsync(cancellationToken);
                LogApplied(logger, script.Version, script.Name);
                applied.Add(script);
            }

            LogAtVersion(logger, Math.Max(current, applied.LastOrDefault()?.Version ?? 0));
            return applied;
        }
        finally
        {
            await ExecuteAsync(connection, $"SELECT pg_advisory_unlock({MigrationLockKey});", CancellationToken.None);
        }
    }

    /// <summary>
    /// Fails with a message naming <c>ConnectionStrings:Collab</c> when the database cannot be reached, and with the
    /// command to run when its schema is older than this build.
    /// </summary>
    public static async Task EnsureReadyAsync(string connectionString, CancellationToken cancellationToken = default)
    {
        int? version;
        try
        {
            await using var connection = await OpenAsync(connectionString, cancellationToken);
            version = await CurrentVersionAsync(connection, cancellationToken);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or ArgumentException)
        {
            throw new CollabStartupException(
                $"Cannot connect to PostgreSQL with {CollabSettings.ConnectionStringKey} ({Describe(connectionString)}): {e.Message}", e);
        }

        if (version is null || version < LatestVersion)
        {
            throw new CollabStartupException(
                $"The PostgreSQL database ({Describe(connectionString)}) has schema version {version?.ToString(CultureInfo.InvariantCulture) ?? "none"}; " +
                $"this build needs {LatestVersion}. Apply the migrations first: dotnet run --project src/Silo -- migrate " +
                $"(with the same {CollabSettings.ConnectionStringKey}).");
        }

        if (version > LatestVersion)
        {
            throw new CollabStartupException(
                $"The PostgreSQL database ({Describe(connectionString)}) has schema version {version}, newer than this build knows ({LatestVersion}).");
        }
    }

    /// <summary>Host, port, database and user of a connection string: what an operator needs to see, never the password.</summary>
    public static string Describe(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        return $"Host={builder.Host};Port={builder.Port};Database={builder.Database};Username={builder.Username}";
    }

    private static async Task<NpgsqlConnection> OpenAsync(string connectionString, CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private static async Task<int?> CurrentVersionAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using (var exists = new NpgsqlCommand("SELECT to_regclass('collab_schema_migrations') IS NOT NULL;", connection))
        {
            if (await exists.ExecuteScalarAsync(cancellationToken) is not true)
            {
                return null;
            }
        }

        await using var command = new NpgsqlCommand("SELECT COALESCE(max(version), 0) FROM collab_schema_migrations;", connection);
        return await command.ExecuteScalarAsync(cancellationToken) is int version ? version : null;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied schema migration {Version} ({Name})")]
    private static partial void LogApplied(ILogger logger, int version, string name);

    [LoggerMessage(Level = LogLevel.Information, Message = "PostgreSQL schema is at version {Version}")]
    private static partial void LogAtVersion(ILogger logger, int version);
}
