using System.Text.Json;
using Collab.Documents;
using Collab.Text;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace Collab.Hosting.Postgres;

/// <summary>
/// The op log in PostgreSQL (<c>collab_op_log</c>). All documents' appends on this silo go through one
/// <see cref="OpLogWriter"/>: whatever is waiting is written by one INSERT over unnest()ed arrays, which is one round
/// trip and one transaction (one WAL flush) for many documents, with up to <see cref="TransactionsInFlight"/> such
/// transactions at a time. The primary key (doc_id, revision) rejects a second
/// writer of the same revision: then nothing of that statement was written, and the batch is written again one
/// document per savepoint, so that only the conflicting document's append fails.
/// </summary>
public sealed partial class PostgresOpLog : IOpLog, IAsyncDisposable
{
    // Each array holds one column of every row of the transaction; the document id is repeated per row.
    private const string InsertSql =
        "INSERT INTO collab_op_log (doc_id, revision, op, client_id, client_seq, author_id, author_name, client_time, committed_at) " +
        "SELECT * FROM unnest(@docs, @revisions, @ops, @clients, @seqs, @authors, @names, @clientTimes, @committedAt);";

    /// <summary>
    /// Transactions the writer keeps in flight, each on its own pooled connection: while one waits for its round trip
    /// and WAL flush, the next gathers what arrived meanwhile and goes. Measured here (docs/performance.md, "Durable
    /// writes"): 20 documents appending in a loop reached 690 appends/s with 1, 1,580 with 2, 1,980 with 4 and 1,390
    /// with 8; the old one-statement-per-append log reached 790.
    /// </summary>
    internal const int TransactionsInFlight = 4;

    private readonly NpgsqlDataSource _dataSource;
    private readonly OpLogWriter _writes;

    public PostgresOpLog(NpgsqlDataSource dataSource, ILogger<PostgresOpLog> logger)
    {
        _dataSource = dataSource;
        _writes = new OpLogWriter("PostgreSQL", CommitAsync, TransactionsInFlight, logger);
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
        await using var command = _dataSource.CreateCommand(
            $"SELECT {OpLogRows.Columns} FROM collab_op_log WHERE doc_id = @doc AND revision > @after AND revision <= @to ORDER BY revision;");
        command.Parameters.AddWithValue("doc", docId);
        command.Parameters.AddWithValue("after", afterRevision);
        command.Parameters.AddWithValue("to", toRevision);
        return await ReadOpsAsync(command, cancellationToken);
    }

    public async Task<CommittedOp?> FindAsync(string docId, string clientId, long clientSeq, CancellationToken cancellationToken = default)
    {
        await using var command = _dataSource.CreateCommand(
            $"SELECT {OpLogRows.Columns} FROM collab_op_log WHERE doc_id = @doc AND client_id = @client AND client_seq = @seq;");
        command.Parameters.AddWithValue("doc", docId);
        command.Parameters.AddWithValue("client", clientId);
        command.Parameters.AddWithValue("seq", clientSeq);
        return (await ReadOpsAsync(command, cancellationToken)).FirstOrDefault();
    }

    public async Task<int?> RevisionAtAsync(string docId, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        await using var command = _dataSource.CreateCommand(
            "SELECT max(revision) FROM collab_op_log WHERE doc_id = @doc AND committed_at <= @at;");
        command.Parameters.AddWithValue("doc", docId);
        command.Parameters.AddWithValue("at", at.UtcDateTime);
        return await command.ExecuteScalarAsync(cancellationToken) is int revision ? revision : null;
    }

    public ValueTask DisposeAsync() => _writes.DisposeAsync();

    /// <summary>Called by the writer loop only, one batch at a time.</summary>
    private async Task<Exception?[]> CommitAsync(IReadOnlyList<PendingAppend> batch)
    {
        // From the pool: a connection broken by a failed batch is discarded, and the statement stays prepared on the others.
        await using var connection = await _dataSource.OpenConnectionAsync();
        try
        {
            // A single statement outside a transaction block is its own transaction: atomic, committed when it returns.
            await InsertAsync(connection, null, batch);
            return new Exception?[batch.Count];
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation && batch.Count == 1)
        {
            return [new OpLogConflictException(batch[0].DocId, batch[0].Ops[0].Revision, e)];
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            // Nothing was written. Rare (two activations of a document racing): sort the documents out one by one.
            return await CommitOneByOneAsync(connection, batch);
        }
        catch (NpgsqlException e) when (e is not PostgresException)
        {
            // The connection broke (the server restarted, the network dropped it): the pool's idle connections are most
            // likely broken too, and each would fail one more batch. Drop them; the next batch opens a fresh one.
            _dataSource.Clear();
            throw;
        }
    }

    /// <summary>
    /// The batch in one transaction again, each append under its own savepoint (as the SQLite log does): a conflicting
    /// append is rolled back to its savepoint and fails with <see cref="OpLogConflictException"/>, the others commit.
    /// </summary>
    private static async Task<Exception?[]> CommitOneByOneAsync(NpgsqlConnection connection, IReadOnlyList<PendingAppend> batch)
    {
        var outcomes = new Exception?[batch.Count];
        await using var transaction = await connection.BeginTransactionAsync();
        for (var i = 0; i < batch.Count; i++)
        {
            await transaction.SaveAsync("doc");
            try
            {
                await InsertAsync(connection, transaction, [batch[i]]);
                await transaction.ReleaseAsync("doc");
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
            {
                await transaction.RollbackAsync("doc");
                outcomes[i] = new OpLogConflictException(batch[i].DocId, batch[i].Ops[0].Revision, e);
            }
        }

        await transaction.CommitAsync();
        return outcomes;
    }

    private static async Task InsertAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, IReadOnlyList<PendingAppend> appends)
    {
        var rows = 0;
        foreach (var append in appends)
        {
            rows += append.Ops.Count;
        }

        var docs = new string[rows];
        var revisions = new int[rows];
        var ops = new string[rows];
        var clients = new string[rows];
        var seqs = new long[rows];
        var authors = new string[rows];
        var names = new string[rows];
        var clientTimes = new DateTime?[rows];
        var committedAt = new DateTime[rows];
        var row = 0;
        foreach (var append in appends)
        {
            foreach (var entry in append.Ops)
            {
                docs[row] = append.DocId;
                revisions[row] = entry.Revision;
                ops[row] = OpLogRows.Serialize(entry.Op);
                clients[row] = entry.ClientId;
                seqs[row] = entry.ClientSeq;
                authors[row] = entry.AuthorId;
                names[row] = entry.AuthorName;
                clientTimes[row] = entry.ClientTime?.UtcDateTime;
                committedAt[row] = entry.CommittedAt.UtcDateTime;
                row++;
            }
        }

        await using var command = new NpgsqlCommand(InsertSql, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<string[]>("docs", docs));
        command.Parameters.Add(new NpgsqlParameter<int[]>("revisions", revisions));
        command.Parameters.Add(new NpgsqlParameter<string[]>("ops", ops));
        command.Parameters.Add(new NpgsqlParameter<string[]>("clients", clients));
        command.Parameters.Add(new NpgsqlParameter<long[]>("seqs", seqs));
        command.Parameters.Add(new NpgsqlParameter<string[]>("authors", authors));
        command.Parameters.Add(new NpgsqlParameter<string[]>("names", names));
        command.Parameters.Add(new NpgsqlParameter<DateTime?[]>("clientTimes", clientTimes)
        {
            NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz,
        });
        command.Parameters.Add(new NpgsqlParameter<DateTime[]>("committedAt", committedAt)
        {
            NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz,
        });

        // Prepared once per pooled connection (Npgsql keeps it across opens): later batches skip parsing and planning.
        await command.PrepareAsync();
        await command.ExecuteNonQueryAsync();
    }

    private static Task<IReadOnlyList<CommittedOp>> ReadOpsAsync(NpgsqlCommand command, CancellationToken cancellationToken) =>
        OpLogRows.ReadAsync(command, static (reader, column) => new DateTimeOffset(reader.GetFieldValue<DateTime>(column), TimeSpan.Zero), cancellationToken);
}
