using Collab.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Hosting;

namespace Collab.IntegrationTests.Storage;

/// <summary>The ADO.NET grain storage running our own PostgreSQL query texts.</summary>
public sealed class PostgresGrainStorageTests : GrainStorageContract
{
    private TestDatabase? _database;

    protected override async Task<IHost> StartHostAsync()
    {
        _database = await PostgresServer.CreateDatabaseAsync();
        var host = InProcessNode.BuildClustered(_database.ConnectionString, "storage-contract");
        await host.StartAsync();
        return host;
    }

    public override async Task DisposeAsync()
    {
        await using (_database)
        {
            await base.DisposeAsync();
        }
    }
}

/// <summary>The ADO.NET reminder table running our own PostgreSQL query texts.</summary>
public sealed class PostgresReminderTableTests : ReminderTableContract
{
    private TestDatabase? _database;

    protected override async Task<IHost> StartHostAsync()
    {
        _database = await PostgresServer.CreateDatabaseAsync();
        var host = InProcessNode.BuildClustered(_database.ConnectionString, "reminder-contract");
        await host.StartAsync();
        return host;
    }

    public override async Task DisposeAsync()
    {
        await using (_database)
        {
            await base.DisposeAsync();
        }
    }
}
