using Collab.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Hosting;

namespace Collab.IntegrationTests.Storage;

/// <summary>The ADO.NET grain storage running our own PostgreSQL query texts.</summary>
public sealed class PostgresGrainStorageTests : GrainStorageContract
{
    protected override async Task<IHost> StartHostAsync()
    {
        var host = InProcessNode.BuildClustered(await PostgresServer.CreateDatabaseAsync(), "storage-contract");
        await host.StartAsync();
        return host;
    }
}

/// <summary>The ADO.NET reminder table running our own PostgreSQL query texts.</summary>
public sealed class PostgresReminderTableTests : ReminderTableContract
{
    protected override async Task<IHost> StartHostAsync()
    {
        var host = InProcessNode.BuildClustered(await PostgresServer.CreateDatabaseAsync(), "reminder-contract");
        await host.StartAsync();
        return host;
    }
}
