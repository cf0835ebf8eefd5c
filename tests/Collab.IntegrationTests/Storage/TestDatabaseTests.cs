using Collab.IntegrationTests.Infrastructure;
using Npgsql;

namespace Collab.IntegrationTests.Storage;

/// <summary>
/// The tests' own databases do not pile up on a long-lived test server: each is dropped when its test is done, even
/// with connections still open to it, and nothing else is.
/// </summary>
public sealed class TestDatabaseTests
{
    private static Task<long> CountAsync(string name) =>
        PostgresServer.ScalarAsync<long>(PostgresServer.AdminConnectionString, $"SELECT count(*) FROM pg_database WHERE datname = '{name}';");

    [Fact]
    public async Task ADisposedTestDatabaseIsDroppedEvenWithConnectionsOpen()
    {
        var database = await PostgresServer.CreateDatabaseAsync();
        // One connection idle in this process's pool, one in use (as a silo that is still running would hold).
        Assert.Equal(1L, await PostgresServer.ScalarAsync<long>(database.ConnectionString, "SELECT count(*) FROM collab_schema_migrations WHERE version = 1;"));
        await using var held = new NpgsqlConnection(database.ConnectionString + ";Pooling=false");
        await held.OpenAsync();

        await database.DisposeAsync();

        Assert.Equal(0L, await CountAsync(database.Name));
    }

    [Fact]
    public async Task DisposingATestDatabaseThatIsAlreadyGoneSucceeds()
    {
        var database = await PostgresServer.CreateDatabaseAsync(migrate: false);
        await using (var admin = new NpgsqlConnection(PostgresServer.AdminConnectionString))
        {
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE {database.Name};", admin);
            await drop.ExecuteNonQueryAsync();
        }

        await database.DisposeAsync();
        await database.DisposeAsync();

        Assert.Equal(0L, await CountAsync(database.Name));
    }

    [Fact]
    public async Task DisposingATestDatabaseLeavesEveryOtherDatabase()
    {
        await using var other = await PostgresServer.CreateDatabaseAsync(migrate: false);
        var database = await PostgresServer.CreateDatabaseAsync(migrate: false);

        await database.DisposeAsync();

        Assert.Equal(1L, await CountAsync(other.Name));
        Assert.Equal(1L, await CountAsync(new NpgsqlConnectionStringBuilder(PostgresServer.AdminConnectionString).Database!));
    }
}
