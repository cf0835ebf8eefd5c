using System.Text.Json;
using Collab.Documents;
using Collab.Text;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Collab.Hosting.Sqlite;

/// <summary>
/// The op log in the embedded SQLite file. SQLite has one writer at a time, so all documents' appends go through the
/// silo's <see cref="OpLogWriter"/>, which commits whatever is waiting in a single transaction (one fsync for many
/// documents). One document's conflict never fails another's append: a batch that meets one is rolled back and written
/// again with each document's rows under its own savepoint (as the PostgreSQL log does; savepoints on every batch cost
/// a statement prepared twice per document, a few per cent of the embedded server's CPU).
/// </summary>
public sealed partial class SqliteOpLog : IOpLog, IAsyncDisposable
{
    private readonly SqliteDatabase _database;
    private readonly ILogger<SqliteOpLog> _logger;
    private readonly OpLogWriter _writes;
    private Writer? _writer;

    public SqliteOpLog(SqliteDatabase database, ILogger<SqliteOpLog> logger)
    {
        _database = database;
        _logger = logger;
        // One transaction at a time: SQLite has one writer, and the writer's connection serves one command at a time.
        _writes = new OpLogWriter("SQLite", CommitAsync, transactionsInFlight: 1, logger);
    }

    /// <summary>For tests: called with the number of appends after each committed transaction.</summary>
    internal Action<int>? TransactionCommitted
    {
        get => _writes.Committed;
        set => _writes.Committed = value;
    }

    public Task AppendAsync(string docId, IReadOnlyList<CommittedOp> ops, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ops);
        return ops.Count == 0 ? Task.CompletedTask : _writes.AppendAsync(docId, ops, cancellationToken);
    }

    public async Task<IReadOnlyList<CommittedOp>> ReadAsync(string docId, int afterRevision, int toRevision, CancellationToken cancellationToken = default)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText =
            $"SELECT {OpLogRows.Columns} FROM op_log WHERE doc_id = $doc AND revision > $after AND revision <= $to ORDER BY revision;";
        command.Parameters.AddWithValue("$doc", docId);
        command.Parameters.AddWithValue("$after", afterRevision);
        command.Parameters.AddWithValue("$to", toRevision);
        return await ReadOpsAsync(command, cancellationToken);
    }

    public async Task<CommittedOp?> FindAsync(string docId, string clientId, long clientSeq, CancellationToken cancellationToken = default)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText =
            $"SELECT {OpLogRows.Columns} FROM op_log WHERE doc_id = $doc AND client_id = $client AND client_seq = $seq;";
        command.Parameters.AddWithValue("$doc", docId);
        command.Parameters.AddWithValue("$client", clientId);
        command.Parameters.AddWithValue("$seq", clientSeq);
        return (await ReadOpsAsync(command, cancellationToken)).FirstOrDefault();
    }

    public async Task<int?> RevisionAtAsync(string docId, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT max(revision) FROM op_log WHERE doc_id = $doc AND committed_at <= $at;";
        command.Parameters.AddWithValue("$doc", docId);
        command.Parameters.AddWithValue("$at", at.UtcTicks);
        return await command.ExecuteScalarAsync(cancellationToken) is long revision ? (int)revision : null;
    }

    public async ValueTask DisposeAsync()
    {
        await _writes.DisposeAsync();
        if (_writer is not null)
        {
            await _writer.DisposeAsync();
        }
    }

    /// <summary>Called by the writer loop only, one batch at a time.</summary>
    private async Task<Exception?[]> CommitAsync(IReadOnlyList<PendingAppend> batch)
    {
        try
        {
            // One connection and one prepared insert for the writer's life: no open or prepare per commit.
            _writer ??= await Writer.OpenAsync(_database);
            return await _writer.CommitAsync(batch);
        }
        catch (Exception) when (_writer is { } broken)
        {
            // Start the next batch on a fresh connection; closing the broken one may fail too.
            _writer = null;
            try
            {
                await broken.DisposeAsync();
            }
            catch (Exception closeError)
            {
                LogCloseFailed(_logger, closeError);
            }

            throw;
        }
    }

    /// <summary>The writer loop's connection with its insert statement prepared once.</summary>
    private sealed class Writer : IAsyncDisposable
    {
        private const int SqliteConstraint = 19;

        private readonly SqliteConnection _connection;
        private readonly SqliteCommand _insert;
        private readonly SqliteParameter _doc;
        private readonly SqliteParameter _revision;
        private readonly SqliteParameter _op;
        private readonly SqliteParameter _client;
        private readonly SqliteParameter _seq;
        private readonly SqliteParameter _author;
        private readonly SqliteParameter _name;
        private readonly SqliteParameter _clientTime;
        private readonly SqliteParameter _committedAt;

        private Writer(SqliteConnection connection)
        {
            _connection = connection;
            _insert = connection.CreateCommand();
            _insert.CommandText =
                "INSERT INTO op_log (doc_id, revision, op, client_id, client_seq, author_id, author_name, client_time, committed_at) " +
                "VALUES ($doc, $revision, $op, $client, $seq, $author, $name, $clientTime, $committedAt);";
            _doc = _insert.Parameters.Add("$doc", SqliteType.Text);
            _revision = _insert.Parameters.Add("$revision", SqliteType.Integer);
            _op = _insert.Parameters.Add("$op", SqliteType.Text);
            _client = _insert.Parameters.Add("$client", SqliteType.Text);
            _seq = _insert.Parameters.Add("$seq", SqliteType.Integer);
            _author = _insert.Parameters.Add("$author", SqliteType.Text);
            _name = _insert.Parameters.Add("$name", SqliteType.Text);
            _clientTime = _insert.Parameters.Add("$clientTime", SqliteType.Integer);
            _committedAt = _insert.Parameters.Add("$committedAt", SqliteType.Integer);
        }

        public static async Task<Writer> OpenAsync(SqliteDatabase database) => new(await database.OpenAsync());

        /// <summary>
        /// Every append in one transaction; when one of them meets a revision already taken (two activations of a
        /// document racing: rare), nothing is written and the batch goes again one document at a time.
        /// </summary>
        public async Task<Exception?[]> CommitAsync(IReadOnlyList<PendingAppend> batch)
        {
            await using (var transaction = (SqliteTransaction)await _connection.BeginTransactionAsync())
            {
                _insert.Transaction = transaction;
                try
                {
                    foreach (var append in batch)
                    {
                        await InsertAsync(append);
                    }

                    await transaction.CommitAsync();
                    return new Exception?[batch.Count];
                }
                catch (SqliteException e) when (e.SqliteErrorCode == SqliteConstraint && batch.Count == 1)
                {
                    return [new OpLogConflictException(batch[0].DocId, batch[0].Ops[0].Revision, e)];
                }
                catch (SqliteException e) when (e.SqliteErrorCode == SqliteConstraint)
                {
                    // Rolled back below, as the transaction is disposed uncommitted.
                }
                finally
                {
                    _insert.Transaction = null;
                }
            }

            return await CommitOneByOneAsync(batch);
        }

        /// <summary>
        /// The batch in one transaction again, each append under its own savepoint: a conflicting append is rolled back
        /// to its savepoint and fails with <see cref="OpLogConflictException"/>, the others commit.
        /// </summary>
        private async Task<Exception?[]> CommitOneByOneAsync(IReadOnlyList<PendingAppend> batch)
        {
            var outcomes = new Exception?[batch.Count];
            await using var transaction = (SqliteTransaction)await _connection.BeginTransactionAsync();
            _insert.Transaction = transaction;
            try
            {
                for (var i = 0; i < batch.Count; i++)
                {
                    await transaction.SaveAsync("doc");
                    try
                    {
                        await InsertAsync(batch[i]);
                        await transaction.ReleaseAsync("doc");
                    }
                    catch (SqliteException e) when (e.SqliteErrorCode == SqliteConstraint)
                    {
                        await transaction.RollbackAsync("doc");
                        await transaction.ReleaseAsync("doc");
                        outcomes[i] = new OpLogConflictException(batch[i].DocId, batch[i].Ops[0].Revision, e);
                    }
                }

                await transaction.CommitAsync();
                return outcomes;
            }
            finally
            {
                _insert.Transaction = null;
            }
        }

        private async Task InsertAsync(PendingAppend append)
        {
            foreach (var entry in append.Ops)
            {
                _doc.Value = append.DocId;
                _revision.Value = entry.Revision;
                _op.Value = OpLogRows.Serialize(entry.Op);
                _client.Value = entry.ClientId;
                _seq.Value = entry.ClientSeq;
                _author.Value = entry.AuthorId;
                _name.Value = entry.AuthorName;
                _clientTime.Value = entry.ClientTime is { } t ? t.UtcTicks : DBNull.Value;
                _committedAt.Value = entry.CommittedAt.UtcTicks;
                await _insert.ExecuteNonQueryAsync();
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _insert.DisposeAsync();
            await _connection.DisposeAsync();
        }
    }

    private static Task<IReadOnlyList<CommittedOp>> ReadOpsAsync(SqliteCommand command, CancellationToken cancellationToken) =>
        OpLogRows.ReadAsync(command, static (reader, column) => new DateTimeOffset(reader.GetInt64(column), TimeSpan.Zero), cancellationToken);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Closing the op-log writer's connection after a failed commit failed too")]
    private static partial void LogCloseFailed(ILogger logger, Exception error);
}
