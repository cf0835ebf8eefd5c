using System.Collections.Concurrent;
using Collab.Documents;
using Collab.Hosting.Configuration;
using Collab.Hosting.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using static Collab.IntegrationTests.Storage.OpLogTestRows;

namespace Collab.IntegrationTests.Storage;

/// <summary>
/// The embedded op-log writer on a real SQLite file: appends of many documents that wait together share one
/// transaction, and a revision already taken fails only its own append, whether the batch is written at once or, after
/// a conflict, again document by document. A second connection holding the file's write lock makes appends wait.
/// </summary>
public sealed class SqliteOpLogWriterTests : IAsyncLifetime
{
    private readonly TempFolder _data = new();
    private readonly ConcurrentQueue<int> _transactions = new();
    private SqliteDatabase _database = null!;
    private SqliteOpLog _log = null!;

    public async Task InitializeAsync()
    {
        _database = new SqliteDatabase(new CollabOptions { DataPath = _data.Path });
        await _database.MigrateAsync();
        _log = new SqliteOpLog(_database, NullLogger<SqliteOpLog>.Instance) { TransactionCommitted = _transactions.Enqueue };
    }

    public async Task DisposeAsync()
    {
        await _log.DisposeAsync();
        SqliteConnection.ClearAllPools();
        _data.Dispose();
    }

    /// <summary>
    /// Holds the file's write lock until disposed: the writer's next transaction waits to begin, and every append made
    /// meanwhile joins the batch after it.
    /// </summary>
    private async Task<WriteLock> HoldWriteLockAsync()
    {
        var holder = await _database.OpenAsync();
        return new WriteLock(holder, holder.BeginTransaction(deferred: false));
    }

    private sealed class WriteLock(SqliteConnection connection, SqliteTransaction transaction) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await transaction.RollbackAsync();
            await transaction.DisposeAsync();
            await connection.DisposeAsync();
        }
    }

    [Fact]
    public async Task AppendsOfManyDocumentsWaitingTogetherCommitInOneTransactionAndReadBackInOrder()
    {
        const int Documents = 12;
        var docs = Enumerable.Range(0, Documents).Select(i => $"doc-{i}").ToArray();
        var written = docs.Select((_, i) => Ops(1, 1 + (i % 3))).ToArray();
        Task[] appends;
        await using (await HoldWriteLockAsync())
        {
            appends = [.. docs.Select((doc, i) => _log.AppendAsync(doc, written[i]))];
            Assert.DoesNotContain(appends, a => a.IsCompleted);
        }

        await Task.WhenAll(appends).WaitAsync(TimeSpan.FromSeconds(30));

        // The first append may have been taken alone before the lock was met; every later one waited and went together.
        Assert.Equal(Documents, _transactions.Sum());
        Assert.InRange(_transactions.Count, 1, 2);
        for (var i = 0; i < Documents; i++)
        {
            AssertSameOps(written[i], await _log.ReadAsync(docs[i], 0, 10));
        }
    }

    [Fact]
    public async Task ARevisionAlreadyTakenFailsOnlyItsOwnAppendInTheTransaction()
    {
        var others = Enumerable.Range(0, 5).Select(i => $"other-{i}").ToArray();
        await _log.AppendAsync("taken", Ops(1, 2, "first"));

        Task stale;
        Task[] racing;
        Task[] fine;
        await using (await HoldWriteLockAsync())
        {
            fine = [.. others.Take(2).Select(doc => _log.AppendAsync(doc, Ops(1, 3)))];
            stale = _log.AppendAsync("taken", Ops(2, 1, "stale"));
            racing = [_log.AppendAsync("raced", Ops(1, 2, "x")), _log.AppendAsync("raced", Ops(1, 1, "y"))];
            fine = [.. fine, .. others.Skip(2).Select(doc => _log.AppendAsync(doc, Ops(1, 3)))];
        }

        var conflict = Assert.IsType<OpLogConflictException>(await OutcomeAsync(stale));
        Assert.Contains("taken", conflict.Message, StringComparison.Ordinal);
        await Task.WhenAll(fine).WaitAsync(TimeSpan.FromSeconds(30));

        // Two activations of one document racing for revision 1: the first queued wins, and the log holds its ops only.
        Assert.Null(await OutcomeAsync(racing[0]));
        Assert.IsType<OpLogConflictException>(await OutcomeAsync(racing[1]));
        AssertSameOps(Ops(1, 2, "x"), await _log.ReadAsync("raced", 0, 10));
        AssertSameOps(Ops(1, 2, "first"), await _log.ReadAsync("taken", 0, 10));
        foreach (var doc in others)
        {
            AssertSameOps(Ops(1, 3), await _log.ReadAsync(doc, 0, 10));
        }

        // Eight appends after the first (the two refused included) in at most two transactions.
        Assert.Equal(1 + 8, _transactions.Sum());
        Assert.InRange(_transactions.Count, 2, 3);
    }
}
