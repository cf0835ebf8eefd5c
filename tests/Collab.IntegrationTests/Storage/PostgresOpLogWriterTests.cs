using System.Collections.Concurrent;
using Collab.Documents;
using Collab.Hosting.Postgres;
using Collab.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using static Collab.IntegrationTests.Storage.OpLogTestRows;

namespace Collab.IntegrationTests.Storage;

/// <summary>
/// The silo's one PostgreSQL op-log writer on a real server, behind a <see cref="DatabaseProxy"/> that can hold or cut
/// its connection: appends of many documents share a transaction, each caller learns the fate of its own append only
/// once that transaction has ended, and a transaction cut off fails exactly its appends and writes none of them.
/// </summary>
public sealed class PostgresOpLogWriterTests : IAsyncLifetime
{
    private readonly ConcurrentQueue<int> _transactions = new();
    private TestDatabase _database = null!;
    private DatabaseProxy _proxy = null!;
    private NpgsqlDataSource _throughProxy = null!;
    private NpgsqlDataSource _direct = null!;
    private PostgresOpLog _log = null!;

    public async Task InitializeAsync()
    {
        _database = await PostgresServer.CreateDatabaseAsync();
        _proxy = DatabaseProxy.For(_database.ConnectionString);
        _throughProxy = NpgsqlDataSource.Create(_proxy.ConnectionString);
        _direct = NpgsqlDataSource.Create(_database.ConnectionString);
        _log = new PostgresOpLog(_throughProxy, NullLogger<PostgresOpLog>.Instance) { TransactionCommitted = _transactions.Enqueue };
    }

    public async Task DisposeAsync()
    {
        await using (_database)
        {
            _proxy.EndStall();
            _proxy.EndOutage();
            await _log.DisposeAsync();
            await _throughProxy.DisposeAsync();
            await _direct.DisposeAsync();
            await _proxy.DisposeAsync();
        }
    }

    /// <summary>What the log holds, read around the proxy.</summary>
    private PostgresOpLog Reader() => new(_direct, NullLogger<PostgresOpLog>.Instance);

    [Fact]
    public async Task AppendsOfManyDocumentsWaitingTogetherCommitInOneTransactionAndReadBackInOrder()
    {
        const int Documents = 60;
        var docs = Enumerable.Range(0, Documents).Select(i => $"doc-{i}-{Guid.NewGuid():N}").ToArray();
        var written = docs.Select((_, i) => Ops(1, 1 + (i % 3))).ToArray();

        // Held by the proxy, the writer's transactions in flight cannot end: every other append waits for the next one.
        _proxy.BeginStall();
        var appends = docs.Select((doc, i) => _log.AppendAsync(doc, written[i])).ToArray();
        Assert.DoesNotContain(appends, a => a.IsCompleted);
        _proxy.EndStall();
        await Task.WhenAll(appends).WaitAsync(TimeSpan.FromSeconds(30));

        // Each connection in flight may have taken some before the rest gathered behind them.
        Assert.InRange(_transactions.Count, 1, PostgresOpLog.TransactionsInFlight + 1);
        Assert.Equal(Documents, _transactions.Sum());
        var reader = Reader();
        for (var i = 0; i < Documents; i++)
        {
            AssertSameOps(written[i], await reader.ReadAsync(docs[i], 0, 10));
        }

        // The next revisions of every document, appended concurrently without any hold: fewer transactions than appends.
        var before = _transactions.Count;
        var next = docs.Select((_, i) => Ops(written[i].Length + 1, 2)).ToArray();
        await Task.WhenAll(docs.Select((doc, i) => _log.AppendAsync(doc, next[i]))).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(2 * Documents, _transactions.Sum());
        Assert.True(_transactions.Count - before < Documents, $"{Documents} appends took {_transactions.Count - before} transactions");
        for (var i = 0; i < Documents; i++)
        {
            AssertSameOps([.. written[i], .. next[i]], await reader.ReadAsync(docs[i], 0, 10));
            Assert.Equal(next[i][^1].Revision, (await reader.FindAsync(docs[i], "c", next[i][^1].ClientSeq))?.Revision);
        }
    }

    [Fact]
    public async Task ARevisionAlreadyTakenFailsOnlyItsOwnAppendInTheTransaction()
    {
        var taken = "taken-" + Guid.NewGuid().ToString("N");
        var raced = "raced-" + Guid.NewGuid().ToString("N");
        var others = Enumerable.Range(0, 5).Select(i => $"other-{i}-{Guid.NewGuid():N}").ToArray();
        await _log.AppendAsync(taken, Ops(1, 2, "first"));

        _proxy.BeginStall();
        var stale = _log.AppendAsync(taken, Ops(2, 1, "stale"));
        var racing = new[] { _log.AppendAsync(raced, Ops(1, 2, "x")), _log.AppendAsync(raced, Ops(1, 1, "y")) };
        var fine = others.Select(doc => _log.AppendAsync(doc, Ops(1, 3))).ToArray();
        _proxy.EndStall();

        var conflict = await Assert.ThrowsAsync<OpLogConflictException>(() => stale.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains(taken, conflict.Message, StringComparison.Ordinal);
        await Task.WhenAll(fine).WaitAsync(TimeSpan.FromSeconds(30));

        // Two activations of one document racing for revision 1: exactly one wins, and the log holds the winner's ops only.
        var outcomes = await Task.WhenAll(racing.Select(OutcomeAsync));
        Assert.Single(outcomes, o => o is null);
        Assert.IsType<OpLogConflictException>(Assert.Single(outcomes, o => o is not null));
        var reader = Reader();
        AssertSameOps(outcomes[0] is null ? Ops(1, 2, "x") : Ops(1, 1, "y"), await reader.ReadAsync(raced, 0, 10));
        AssertSameOps(Ops(1, 2, "first"), await reader.ReadAsync(taken, 0, 10));
        foreach (var doc in others)
        {
            AssertSameOps(Ops(1, 3), await reader.ReadAsync(doc, 0, 10));
        }
    }

    [Fact]
    public async Task ATransactionCutOffByTheDatabaseFailsAllItsAppendsWritesNoneAndTheWriterGoesOn()
    {
        const int Documents = 20;
        var docs = Enumerable.Range(0, Documents).Select(i => $"cut-{i}-{Guid.NewGuid():N}").ToArray();
        var acknowledged = docs.ToDictionary(doc => doc, _ => Ops(1, 2, "before"));
        await Task.WhenAll(docs.Select(doc => _log.AppendAsync(doc, acknowledged[doc])));

        // The writer is mid-transaction (held by the proxy) when the database goes away: the connection is reset.
        _proxy.BeginStall();
        var cut = docs.Select(doc => _log.AppendAsync(doc, Ops(3, 2, "cut"))).ToArray();
        _proxy.BeginOutage();
        var outcomes = await Task.WhenAll(cut.Select(OutcomeAsync)).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.All(outcomes, o => Assert.True(o is NpgsqlException or TimeoutException, $"Expected the append to fail with the connection, got {o?.GetType().Name ?? "success"}: {o}"));
        _proxy.EndOutage();
        _proxy.EndStall();

        // Nothing of the cut transaction reached the log, and nothing acknowledged is missing.
        var reader = Reader();
        foreach (var doc in docs)
        {
            AssertSameOps(acknowledged[doc], await reader.ReadAsync(doc, 0, 10));
        }

        // The same revisions again (as reloaded grains would number them), at the first try: the writer is back on a fresh
        // connection, with no stray row in the way.
        var again = docs.ToDictionary(doc => doc, _ => Ops(3, 2, "again"));
        await Task.WhenAll(docs.Select(doc => _log.AppendAsync(doc, again[doc]))).WaitAsync(TimeSpan.FromSeconds(30));
        foreach (var doc in docs)
        {
            AssertSameOps([.. acknowledged[doc], .. again[doc]], await reader.ReadAsync(doc, 0, 10));
        }

        await using var count = _direct.CreateCommand("SELECT count(*) FROM collab_op_log;");
        Assert.Equal(Documents * 4L, await count.ExecuteScalarAsync());
    }
}
