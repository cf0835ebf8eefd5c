using System.Text.Json;
using Collab.Documents;
using Collab.Text;
using Npgsql;
using NpgsqlTypes;

namespace Collab.Hosting.Postgres;

/// <summary>
/// The op log in PostgreSQL (<c>collab_op_log</c>). A document's batch is one multi-row INSERT (one round trip, one
/// commit); the primary key (doc_id, revision) rejects a second writer of the same revision.
/// </summary>
public sealed class PostgresOpLog(NpgsqlDataSource dataSource) : IOpLog
{
    public async Task AppendAsync(string docId, IReadOnlyList<CommittedOp> ops, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ops);
        if (ops.Count == 0)
        {
            return;
        }

        await using var command = dataSource.CreateCommand(
            "INSERT INTO collab_op_log (doc_id, revision, op, client_id, client_seq, author_id, author_name, client_time, committed_at) " +
            "SELECT @doc, r.* FROM unnest(@revisions, @ops, @clients, @seqs, @authors, @names, @clientTimes, @committedAt) AS r;");
        command.Parameters.AddWithValue("doc", docId);
        command.Parameters.Add(new NpgsqlParameter<int[]>("revisions", ops.Select(o => o.Revision).ToArray()));
        command.Parameters.Add(new NpgsqlParameter<string[]>("ops", ops.Select(o => OpLogRows.Serialize(o.Op)).ToArray()));
        command.Parameters.Add(new NpgsqlParameter<string[]>("clients", ops.Select(o => o.ClientId).ToArray()));
        command.Parameters.Add(new NpgsqlParameter<long[]>("seqs", ops.Select(o => o.ClientSeq).ToArray()));
        command.Parameters.Add(new NpgsqlParameter<string[]>("authors", ops.Select(o => o.AuthorId).ToArray()));
        command.Parameters.Add(new NpgsqlParameter<string[]>("names", ops.Select(o => o.AuthorName).ToArray()));
        command.Parameters.Add(new NpgsqlParameter<DateTime?[]>("clientTimes", ops.Select(o => o.ClientTime?.UtcDateTime).ToArray())
        {
            NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz,
        });
        command.Parameters.Add(new NpgsqlParameter<DateTime[]>("committedAt", ops.Select(o => o.CommittedAt.UtcDateTime).ToArray())
        {
            NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz,
        });
        try
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            throw new OpLogConflictException(docId, ops[0].Revision, e);
        }
    }

    public async Task<IReadOnlyList<CommittedOp>> ReadAsync(string docId, int afterRevision, int toRevision, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            $"SELECT {OpLogRows.Columns} FROM collab_op_log WHERE doc_id = @doc AND revision > @after AND revision <= @to ORDER BY revision;");
        command.Parameters.AddWithValue("doc", docId);
        command.Parameters.AddWithValue("after", afterRevision);
        command.Parameters.AddWithValue("to", toRevision);
        return await ReadOpsAsync(command, cancellationToken);
    }

    public async Task<CommittedOp?> FindAsync(string docId, string clientId, long clientSeq, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            $"SELECT {OpLogRows.Columns} FROM collab_op_log WHERE doc_id = @doc AND client_id = @client AND client_seq = @seq;");
        command.Parameters.AddWithValue("doc", docId);
        command.Parameters.AddWithValue("client", clientId);
        command.Parameters.AddWithValue("seq", clientSeq);
        return (await ReadOpsAsync(command, cancellationToken)).FirstOrDefault();
    }

    public async Task<int?> RevisionAtAsync(string docId, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT max(revision) FROM collab_op_log WHERE doc_id = @doc AND committed_at <= @at;");
        command.Parameters.AddWithValue("doc", docId);
        command.Parameters.AddWithValue("at", at.UtcDateTime);
        return await command.ExecuteScalarAsync(cancellationToken) is int revision ? revision : null;
    }

    private static Task<IReadOnlyList<CommittedOp>> ReadOpsAsync(NpgsqlCommand command, CancellationToken cancellationToken) =>
        OpLogRows.ReadAsync(command, static (reader, column) => new DateTimeOffset(reader.GetFieldValue<DateTime>(column), TimeSpan.Zero), cancellationToken);
}
