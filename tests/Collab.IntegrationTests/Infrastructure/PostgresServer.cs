using Collab.Hosting.Postgres;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Collab.IntegrationTests.Infrastructure;

/// <summary>
/// The throwaway PostgreSQL server that <c>./build.sh test</c> starts and names in <c>COLLAB_TEST_POSTGRES</c>.
/// Without it these tests fail: a missing database is a failure, never a skip.
/// </summary>
internal static class PostgresServer
{
    public const string Variable = "COLLAB_TEST_POSTGRES";

    public static string AdminConnectionString =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{Variable} is not set. Run the tests with ./build.sh test, which starts a throwaway PostgreSQL and sets it.");

    /// <summary>A new, empty database on the test server; migrated to the current schema unless asked not to.</summary>
    public static async Task<string> CreateDatabaseAsync(bool migrate = true)
    {
        var name = "collab_t_" + Guid.NewGuid().ToString("N")[..12];
        await using (var connection = new NpgsqlConnection(AdminConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name};", connection);
            await command.ExecuteNonQueryAsync();
        }

        var connectionString = new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name }.ConnectionString;
        if (migrate)
        {
            await PostgresSchema.MigrateAsync(connectionString, NullLogger.Instance);
        }

        return connectionString;
    }

    public static async Task<T> ScalarAsync<T>(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
