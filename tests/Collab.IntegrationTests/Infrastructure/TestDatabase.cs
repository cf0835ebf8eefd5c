using Npgsql;

namespace Collab.IntegrationTests.Infrastructure;

/// <summary>
/// A database of one test or fixture on the test server (<see cref="PostgresServer.CreateDatabaseAsync"/>), dropped
/// when disposed: the server outlives the tests (a developer's long-lived one as much as <c>./build.sh test</c>'s), so
/// a database left behind stays there. Dispose it after everything that uses it (hosts, processes, proxies).
/// </summary>
internal sealed class TestDatabase : IAsyncDisposable
{
    /// <summary>Every name starts so; nothing else is ever dropped.</summary>
    public const string Prefix = "collab_t_";

    private int _disposed;

    private TestDatabase(string name)
    {
        Name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(PostgresServer.AdminConnectionString) { Database = name }.ConnectionString;
    }

    public string Name { get; }

    /// <summary>The server of <c>COLLAB_TEST_POSTGRES</c>, this database.</summary>
    public string ConnectionString { get; }

    /// <summary>A new, empty database with a fresh name.</summary>
    public static async Task<TestDatabase> CreateAsync()
    {
        var database = new TestDatabase(Prefix + Guid.NewGuid().ToString("N")[..12]);
        await using var connection = new NpgsqlConnection(PostgresServer.AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE {database.Name};", connection);
        await command.ExecuteNonQueryAsync();
        return database;
    }

    /// <summary>
    /// Drops the database, ending whatever still uses it; a database already gone is fine. A drop that fails is reported
    /// on stderr, never thrown: thrown from a <c>finally</c> or an <c>await using</c>, it would replace the failure of
    /// the test that used the database, and that failure is what its author needs to see.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        // This process's idle connections to it go first (only this pool: clearing every pool would cost tests running
        // in parallel their idle connections); FORCE ends the others (proxied connection strings, child processes).
        await using (var pooled = new NpgsqlConnection(ConnectionString))
        {
            NpgsqlConnection.ClearPool(pooled);
        }

        try
        {
            await using var connection = new NpgsqlConnection(PostgresServer.AdminConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {Name} WITH (FORCE);", connection);
            await command.ExecuteNonQueryAsync();
        }
        catch (NpgsqlException e)
        {
            await Console.Error.WriteLineAsync($"Test database {Name} was not dropped ({e.Message}); drop it by hand: DROP DATABASE {Name} WITH (FORCE);");
        }
    }

    public override string ToString() => Name;
}
