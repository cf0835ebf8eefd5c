using System.Text.Json;
using System.Threading.Channels;
using Collab.Documents;
using Collab.Text;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Collab.Hosting.Sqlite;

/// <summary>
/// The op log in the embedded SQLite file. SQLite has one writer at a time, so all documents' appends go through one
/// writer loop that commits whatever is waiting in a single transaction (one fsync for many documents), each
/// document's rows under its own savepoint so that one document's conflict never fails another's append.
/// </summary>
public sealed partial class SqliteOpLog(SqliteDatabase database, ILogger<SqliteOpLog> logger) : IOpLog, IAsyncDisposable
{
    private const int MaxAppendsPerTransaction = 512;

    private readonly Channel<PendingAppend> _appends = Channel.CreateUnbounded<PendingAppend>(new UnboundedChannelOptions { SingleReader = true });
    private readonly object _startLock = new();
    private Task? _writer;

    public async Task AppendAsync(string docId, IReadOnlyList<CommittedOp> ops, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ops);
        if (ops.Count == 0)
        {
            return;
        }

        EnsureWriter();
        var append = new PendingAppend(docId, ops, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        await _appends.Writer.WriteAsync(append, cancellationToken);
        await append.Done.Task;
    }

    public async Task<IReadOnlyList<CommittedOp>> ReadAsync(string docId, int afterRevision, int toRevision, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText =
            "SELECT revision, op, client_id, client_seq, author_id, author_name, client_time, committed_at FROM op_log " +
            "WHERE doc_id = $doc AND revision > $after AND revision <= $to ORDER BY revision;";
        command.Parameters.AddWithValue("$doc", docId);
        command.Parameters.AddWithValue("$after", afterRevision);
        command.Parameters.AddWithValue("$to", toRevision);
        return await ReadOpsAsync(command, cancellationToken);
    }

    public async Task<CommittedOp?> FindAsync(string docId, string clientId, long clientSeq, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText =
            "SELECT revision, op, client_id, client_seq, author_id, author_name, client_time, committed_at FROM op_log " +
            "WHERE doc_id = $doc AND client_id = $client AND client_seq = $seq;";
        command.Parameters.AddWithValue("$doc", docId);
        command.Parameters.AddWithValue("$client", clientId);
        command.Parameters.AddWithValue("$seq", clientSeq);
        return (await ReadOpsAsync(command, cancellationToken)).FirstOrDefault();
    }

    public async Task<int?> RevisionAtAsync(string docId, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT max(revision) FROM op_log WHERE doc_id = $doc AND committed_at <= $at;";
        command.Parameters.AddWithValue("$doc", docId);
        command.Parameters.AddWithValue("$at", at.UtcTicks);
        return await command.ExecuteScalarAsync(cancellationToken) is long revision ? (int)revision : null;
    }

    public async ValueTask DisposeAsync()
    {
        _appends.Writer.TryComplete();
        if (_writer is not null)
        {
            await _writer;
        }
    }

    private void EnsureWriter()
    {
        if (_writer is not null)
        {
            return;
        }

        lock (_startLock)
        {
            _writer ??= Task.Run(WriteLoopAsync);
        }
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<PendingAppend>();
        while (await _appends.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < MaxAppendsPerTransaction && _appends.Reader.TryRead(out var append))
            {
                batch.Add(append);
            }

            try
            {
                var outcomes = await CommitAsync(batch);
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
            catch (Exception e) when (e is SqliteException or IOException or InvalidOperationException)
            {
                LogCommitFailed(logger, e, batch.Count);
                foreach (var append in batch)
                {
                    append.Done.TrySetException(e);
                }
            }
        }
    }

    private async Task<Exception?[]> CommitAsync(List<PendingAppend> batch)
    {
        var outcomes = new Exception?[batch.Count];
        await using var connection = await database.OpenAsync();
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync();
        await using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText =
            "INSERT INTO op_log (doc_id, revision, op, client_id, client_seq, author_id, author_name, client_time, committed_at) " +
            "VALUES ($doc, $revision, $op, $client, $seq, $author, $name, $clientTime, $committedAt);";
        var doc = insert.Parameters.Add("$doc", SqliteType.Text);
        var revision = insert.Parameters.Add("$revision", SqliteType.Integer);
        var op = insert.Parameters.Add("$op", SqliteType.Text);
        var client = insert.Parameters.Add("$client", SqliteType.Text);
        var seq = insert.Parameters.Add("$seq", SqliteType.Integer);
        var author = insert.Parameters.Add("$author", SqliteType.Text);
        var name = insert.Parameters.Add("$name", SqliteType.Text);
        var clientTime = insert.Parameters.Add("$clientTime", SqliteType.Integer);
        var committedAt = insert.Parameters.Add("$committedAt", SqliteType.Integer);

        for (var i = 0; i < batch.Count; i++)
        {
            var append = batch[i];
            await transaction.SaveAsync("doc");
            try
            {
                foreach (var entry in append.Ops)
                {
                    doc.Value = append.DocId;
                    revision.Value = entry.Revision;
                    op.Value = JsonSerializer.Serialize(entry.Op);
                    client.Value = entry.ClientId;
                    seq.Value = entry.ClientSeq;
                    author.Value = entry.AuthorId;
                    name.Value = entry.AuthorName;
                    clientTime.Value = entry.ClientTime is { } t ? t.UtcTicks : DBNull.Value;
                    committedAt.Value = entry.CommittedAt.UtcTicks;
                    await insert.ExecuteNonQueryAsync();
                }

                await transaction.ReleaseAsync("doc");
            }
            catch (SqliteException e) when (e.SqliteErrorCode == 19 /* SQLITE_CONSTRAINT */)
            {
                await transaction.RollbackAsync("doc");
                await transaction.ReleaseAsync("doc");
                outcomes[i] = new OpLogConflictException(append.DocId, append.Ops[0].Revision, e);
            }
        }

        await transaction.CommitAsync();
        return outcomes;
    }

    private static async Task<IReadOnlyList<CommittedOp>> ReadOpsAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        var ops = new List<CommittedOp>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            ops.Add(new CommittedOp(
                reader.GetInt32(0),
                JsonSerializer.Deserialize<TextOperation>(reader.GetString(1))!,
                reader.GetString(2),
                reader.GetInt64(3),
                reader.GetString(4),
                reader.GetString(5),
                new DateTimeOffset(reader.GetInt64(7), TimeSpan.Zero),
                reader.IsDBNull(6) ? null : new DateTimeOffset(reader.GetInt64(6), TimeSpan.Zero)));
        }

        return ops;
    }

    private sealed record PendingAppend(string DocId, IReadOnlyList<CommittedOp> Ops, TaskCompletionSource Done);

    [LoggerMessage(Level = LogLevel.Error, Message = "Committing {Appends} op-log appends to SQLite failed")]
    private static partial void LogCommitFailed(ILogger logger, Exception error, int appends);
}
