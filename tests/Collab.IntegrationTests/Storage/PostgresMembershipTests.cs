using System.Net;
using Collab.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Collab.IntegrationTests.Storage;

/// <summary>
/// The ADO.NET membership table on our PostgreSQL query texts, driven directly: the paths a silo takes to join,
/// heartbeat, suspect, die and be cleaned up, with the table version guarding every change. (The gateway query is
/// exercised by the web node in <see cref="Processes.ClusteredModeTests"/>.)
/// </summary>
public sealed class PostgresMembershipTests : IAsyncLifetime
{
    private IHost _host = null!;
    private IMembershipTable _table = null!;
    private TestDatabase _database = null!;
    private readonly string _clusterId = "m-" + Guid.NewGuid().ToString("N")[..8];

    public async Task InitializeAsync()
    {
        // Built, not started: the table is driven by the test alone, no silo writes to it.
        _database = await PostgresServer.CreateDatabaseAsync();
        _host = InProcessNode.BuildClustered(_database.ConnectionString, _clusterId);
        _table = _host.Services.GetRequiredService<IMembershipTable>();
        await _table.InitializeMembershipTableAsync(tryInitTableVersion: true);
    }

    public async Task DisposeAsync()
    {
        await using (_database)
        {
            _host.Dispose();
        }
    }

    private static readonly DateTime Started = DateTime.UtcNow.AddHours(-3);

    private static MembershipEntry Entry(int port, SiloStatus status, DateTime? aliveAt = null) => new()
    {
        SiloAddress = SiloAddress.New(new IPEndPoint(IPAddress.Loopback, port), 7),
        Status = status,
        SiloName = $"silo-{port}",
        HostName = "test-host",
        ProxyPort = port + 1,
        StartTime = Started,
        IAmAliveTime = aliveAt ?? DateTime.UtcNow,
        SuspectTimes = [],
    };

    [Fact]
    public async Task JoiningSiloIsInsertedOnceAndTheVersionMoves()
    {
        var empty = await _table.ReadAllAsync();
        var entry = Entry(20001, SiloStatus.Joining);

        Assert.True(await _table.InsertRowAsync(entry, empty.Version.Next()));
        Assert.False(await _table.InsertRowAsync(entry, empty.Version.Next()));

        var all = await _table.ReadAllAsync();
        var (stored, _) = Assert.Single(all.Members);
        Assert.Equal(empty.Version.Version + 1, all.Version.Version);
        Assert.Equal(entry.SiloAddress, stored.SiloAddress);
        Assert.Equal("silo-20001", stored.SiloName);
        // PostgreSQL keeps microseconds.
        Assert.Equal(entry.StartTime.Ticks / 10, stored.StartTime.ToUniversalTime().Ticks / 10);
    }

    [Fact]
    public async Task UpdateWithAStaleETagOrVersionIsRejected()
    {
        var entry = Entry(20002, SiloStatus.Joining);
        await _table.InsertRowAsync(entry, (await _table.ReadAllAsync()).Version.Next());
        var read = await _table.ReadRowAsync(entry.SiloAddress);
        var (row, etag) = read.Members[0];

        row.Status = SiloStatus.Active;
        row.AddOrUpdateSuspector(SiloAddress.New(new IPEndPoint(IPAddress.Loopback, 20009), 3), DateTime.UtcNow, maxVotes: 2);
        Assert.True(await _table.UpdateRowAsync(row, etag, read.Version.Next()));

        row.Status = SiloStatus.Dead;
        Assert.False(await _table.UpdateRowAsync(row, etag, read.Version.Next()));

        var after = await _table.ReadRowAsync(entry.SiloAddress);
        Assert.Equal(SiloStatus.Active, after.Members[0].Item1.Status);
        Assert.Single(after.Members[0].Item1.SuspectTimes!);
    }

    [Fact]
    public async Task HeartbeatIsStored()
    {
        var entry = Entry(20003, SiloStatus.Active, aliveAt: DateTime.UtcNow.AddMinutes(-1));
        await _table.InsertRowAsync(entry, (await _table.ReadAllAsync()).Version.Next());
        var heartbeat = DateTime.UtcNow;
        entry.IAmAliveTime = heartbeat;

        await _table.UpdateIAmAliveAsync(entry);

        var stored = (await _table.ReadRowAsync(entry.SiloAddress)).Members[0].Item1;
        Assert.InRange(stored.IAmAliveTime.ToUniversalTime(), heartbeat.AddMilliseconds(-1), heartbeat.AddMilliseconds(1));
    }

    [Fact]
    public async Task DefunctSilosAreCleanedUpAndTheClusterCanBeDeleted()
    {
        var dead = Entry(20005, SiloStatus.Dead, aliveAt: DateTime.UtcNow.AddHours(-2));
        var alive = Entry(20006, SiloStatus.Active);
        await _table.InsertRowAsync(dead, (await _table.ReadAllAsync()).Version.Next());
        await _table.InsertRowAsync(alive, (await _table.ReadAllAsync()).Version.Next());

        await _table.CleanupDefunctSiloEntriesAsync(DateTimeOffset.UtcNow.AddHours(-1));

        var remaining = (await _table.ReadAllAsync()).Members.Select(m => m.Item1.SiloAddress).ToList();
        Assert.Equal([alive.SiloAddress], remaining);

        // Deleting a cluster removes its version row too (the provider then cannot read it at all): check the table.
        await _table.DeleteMembershipTableEntriesAsync(_clusterId);
        Assert.Equal(0L, await PostgresServer.ScalarAsync<long>(_database.ConnectionString,
            $"SELECT (SELECT count(*) FROM orleans_membership WHERE deployment_id = '{_clusterId}') + " +
            $"(SELECT count(*) FROM orleans_membership_version WHERE deployment_id = '{_clusterId}');"));
    }
}
