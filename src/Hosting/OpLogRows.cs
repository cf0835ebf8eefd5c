using System.Data.Common;
using System.Text.Json;
using Collab.Documents;
using Collab.Text;

namespace Collab.Hosting;

/// <summary>
/// The row shape both op logs share (SQLite <c>op_log</c>, PostgreSQL <c>collab_op_log</c>): the columns in the order
/// <see cref="ReadAsync"/> expects, and the op in its JSON wire form. Only how an instant is stored differs.
/// </summary>
internal static class OpLogRows
{
    public const string Columns = "revision, op, client_id, client_seq, author_id, author_name, client_time, committed_at";

    public static string Serialize(TextOperation op) => JsonSerializer.Serialize(op);

    /// <summary>Runs <paramref name="command"/> (selecting <see cref="Columns"/>) and maps every row.</summary>
    public static async Task<IReadOnlyList<CommittedOp>> ReadAsync(
        DbCommand command, Func<DbDataReader, int, DateTimeOffset> instant, CancellationToken cancellationToken)
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
                instant(reader, 7),
                reader.IsDBNull(6) ? null : instant(reader, 6)));
        }

        return ops;
    }
}
