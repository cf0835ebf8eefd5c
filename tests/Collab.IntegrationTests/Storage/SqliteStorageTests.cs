using Collab.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Hosting;

namespace Collab.IntegrationTests.Storage;

public sealed class SqliteGrainStorageTests : GrainStorageContract
{
    private readonly TempFolder _data = new();

    protected override async Task<IHost> StartHostAsync()
    {
        var host = InProcessNode.BuildEmbedded(_data.Path);
        await host.StartAsync();
        return host;
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _data.Dispose();
    }
}

public sealed class SqliteReminderTableTests : ReminderTableContract, IDisposable
{
    private readonly TempFolder _data = new();

    protected override async Task<IHost> StartHostAsync()
    {
        var host = InProcessNode.BuildEmbedded(_data.Path);
        await host.StartAsync();
        return host;
    }

    public void Dispose() => _data.Dispose();
}
