using System.Diagnostics;
using System.Threading.Channels;
using Collab.Documents;
using Microsoft.Extensions.Logging;

namespace Collab.Hosting;

/// <summary>One document's append waiting for the silo's op-log writer; <see cref="Done"/> completes once it is durable.</summary>
internal sealed record PendingAppend(string DocId, IReadOnlyList<CommittedOp> Ops, TaskCompletionSource Done);

/// <summary>
/// The silo's one op-log writer, shared by both storages: every document's append waits in one queue, and one loop
/// commits whatever is waiting in a single transaction (group commit across documents), then completes each caller's
/// task, so no append is acknowledged before the transaction that holds it has committed. A transaction that fails
/// fails every append in it, and only those; the loop goes on with the next batch. Up to
/// <c>transactionsInFlight</c> transactions run at once (SQLite: 1; PostgreSQL: a few, each on its own connection);
/// a document never has two appends in flight, so its revisions are never reordered across transactions.
/// </summary>
/// <remarks>
/// Bounds: each document activation has at most one append in flight (its commit loop awaits it), so the queue holds
/// at most one append per document committing on this silo; <see cref="QueueCapacity"/> makes callers beyond that wait
/// instead of growing memory without limit. A transaction takes at most <see cref="MaxAppendsPerTransaction"/> appends
/// and <see cref="MaxOpsPerTransaction"/> ops (at least one append, however large): a bigger one would hold its first
/// appends for longer than the round trips it saves, and one statement's parameters stay around a megabyte for typical ops.
/// </remarks>
internal sealed partial class OpLogWriter(
    string storage,
    Func<IReadOnlyList<PendingAppend>, Task<Exception?[]>> commit,
    int transactionsInFlight,
    ILogger logger) : IAsyncDisposable
{
    public const int QueueCapacity = 4_096;
    public const int MaxAppendsPerTransaction = 512;
    public const int MaxOpsPerTransaction = 4_096;

    private readonly Channel<PendingAppend> _appends = Channel.CreateBounded<PendingAppend>(
        new BoundedChannelOptions(QueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    private readonly SemaphoreSlim _slots = new(transactionsInFlight, transactionsInFlight);
    private readonly object _startLock = new();
    private Task? _loop;

    /// <summary>For tests: called with the number of appends after each committed transaction.</summary>
    public Action<int>? Committed { get; set; }

    /// <summary>Queues the append and completes once the transaction holding it has committed (or fails with it).</summary>
    public async Task AppendAsync(string docId, IReadOnlyList<CommittedOp> ops, CancellationToken cancellationToken)
    {
        EnsureLoop();
        var append = new PendingAppend(docId, ops, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        await _appends.Writer.WriteAsync(append, cancellationToken);

        // Not cancellable once queued: the append may already be in a transaction, and its caller must learn how it ended.
        await append.Done.Task;
    }

    public async ValueTask DisposeAsync()
    {
        _appends.Writer.TryComplete();
        if (_loop is not null)
        {
            await _loop;
        }
    }

    private void EnsureLoop()
    {
        if (_loop is not null)
        {
            return;
        }

        lock (_startLock)
        {
            _loop ??= Task.Run(WriteLoopAsync);
        }
    }

    private async Task WriteLoopAsync()
    {
        while (await _appends.Reader.WaitToReadAsync())
        {
            // A free slot first, then the batch: while every slot is busy, appends keep gathering for the next transaction.
            await _slots.WaitAsync();
            var batch = new List<PendingAppend>();
            var ops = 0;
            while (batch.Count < MaxAppendsPerTransaction
                && _appends.Reader.TryPeek(out var next)
                && (batch.Count == 0 || ops + next.Ops.Count <= MaxOpsPerTransaction)
                && _appends.Reader.TryRead(out next))
            {
                batch.Add(next);
                ops += next.Ops.Count;
            }

            if (batch.Count == 0)
            {
                _slots.Release();
                continue;
            }

            _ = CommitAsync(batch);
        }

        // Closed: wait for the transactions still in flight.
        for (var i = 0; i < transactionsInFlight; i++)
        {
            await _slots.WaitAsync();
        }
    }

    private async Task CommitAsync(List<PendingAppend> batch)
    {
        try
        {
            var started = Stopwatch.GetTimestamp();
            Exception?[] outcomes;
            try
            {
                outcomes = await commit(batch);
            }
            catch (Exception e)
            {
                // Whatever failed, this batch fails and the loop goes on with the next one: were the loop to end, every
                // later append would wait forever. The grains of these appends acknowledge nothing and reload.
                OpLogMetrics.TransactionFailed();
                LogCommitFailed(logger, e, batch.Count, storage);
                foreach (var append in batch)
                {
                    append.Done.TrySetException(e);
                }

                return;
            }

            OpLogMetrics.Committed(batch.Count, Stopwatch.GetElapsedTime(started));
            Committed?.Invoke(batch.Count);
            for (var i = 0; i < batch.Count; i++)
            {
                if (outcomes[i] is { } conflict)
                {
                    batch[i].Done.TrySetException(conflict);
                }
                else
                {
                    batch[i].Done.TrySetResult();
                }
            }
        }
        finally
        {
            _slots.Release();
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Committing {Appends} op-log appends to {Storage} failed")]
    private static partial void LogCommitFailed(ILogger logger, Exception error, int appends, string storage);
}
