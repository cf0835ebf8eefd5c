using Collab.Hosting.Postgres;
using Collab.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace Collab.IntegrationTests.Storage;

/// <summary>The migration step that <c>./build.sh test</c>, docker compose and operators run.</summary>
public sealed class PostgresSchemaTests
{
    // Every query the three ADO.NET providers load at start-up.
    private static readonly string[] ProviderQueryKeys =
    [
        "WriteToStorageKey", "ReadFromStorageKey", "ClearStorageKey",
        "InsertMembershipVersionKey", "InsertMembershipKey", "UpdateMembershipKey", "UpdateIAmAlivetimeKey",
        "MembershipReadRowKey", "MembershipReadAllKey", "GatewaysQueryKey", "DeleteMembershipTableEntriesKey",
        "CleanupDefunctSiloEntriesKey",
        "UpsertReminderRowKey", "ReadReminderRowsKey", "ReadReminderRowKey", "ReadRangeRows1Key", "ReadRangeRows2Key",
        "DeleteReminderRowKey", "DeleteReminderRowsKey",
    ];

    [Fact]
    public async Task MigratingAnEmptyDatabaseAppliesEveryScriptAndAgainAppliesNothing()
    {
        await using var database = await PostgresServer.CreateDatabaseAsync(migrate: false);

        var first = await PostgresSchema.MigrateAsync(database.ConnectionString, NullLogger.Instance);
        var second = await PostgresSchema.MigrateAsync(database.ConnectionString, NullLogger.Instance);

        Assert.Equal(PostgresSchema.LatestVersion, first[^1].Version);
        Assert.Empty(second);
        Assert.Equal(PostgresSchema.LatestVersion, await PostgresServer.ScalarAsync<int>(database.ConnectionString,
            "SELECT max(version) FROM collab_schema_migrations;"));
        await PostgresSchema.EnsureReadyAsync(database.ConnectionString);
    }

    [Fact]
    public async Task ConcurrentMigratorsApplyEachScriptOnce()
    {
        await using var database = await PostgresServer.CreateDatabaseAsync(migrate: false);

        var runs = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => PostgresSchema.MigrateAsync(database.ConnectionString, NullLogger.Instance)));

        Assert.Equal(PostgresSchema.LatestVersion, runs.Sum(r => r.Count));
        Assert.Equal((long)PostgresSchema.LatestVersion, await PostgresServer.ScalarAsync<long>(database.ConnectionString,
            "SELECT count(*) FROM collab_schema_migrations;"));
    }

    [Fact]
    public async Task EveryQueryTheProvidersLoadIsInstalled()
    {
        await using var database = await PostgresServer.CreateDatabaseAsync();

        foreach (var key in ProviderQueryKeys)
        {
            Assert.Equal(1L, await PostgresServer.ScalarAsync<long>(database.ConnectionString,
                $"SELECT count(*) FROM OrleansQuery WHERE QueryKey = '{key}' AND length(QueryText) > 0;"));
        }
    }
}
