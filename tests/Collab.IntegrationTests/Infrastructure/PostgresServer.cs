using Collab.Hosting.Postgres;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Collab.IntegrationTests.Infrastructure;

/// <summary>
/// The PostgreSQL server named in <c>COLLAB_TEST_POSTGRES</c>: the throwaway one <c>./build.sh test</c> starts, or a
/// developer's long-lived one. Without it these tests fail: a missing database is a failure, never a skip.
/// </summary>
internal static class PostgresServer
{
    public const string Variable = "COLLAB_TEST_POSTGRES";

    public static string AdminConnectionString =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{Variable} is not set. Run the tests with ./build.sh test, which starts a throwaway PostgreSQL and sets it.");

    /// <summary>
    /// A new, empty database on the test server, migrated to the current schema unless asked not to; dispose it (after
    /// whatever uses it) to drop it.
    /// </summary>
    public static async Task<TestDatabase> CreateDatabaseAsync(bool migrate = true)
    {
        var database = await TestDatabase.CreateAsync();
        if (migrate)
        {
            try
            {
                await PostgresSchema.MigrateAsync(database.ConnectionString, NullLogger.Instance);
            }
            catch
            {
                await database.DisposeAsync();
                throw;
            }
        }

        return database;
    }

    public static async Task<T> ScalarAsync<T>(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
