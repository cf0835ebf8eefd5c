using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;
using Collab.Documents;
using Collab.Text;

namespace Collab.Bench;

/// <summary>
/// Readers for what every simulated client receives per remote op (the <c>OpsCommitted</c> push, the ack), so the load
/// generator does not cost more per delivered op than the server it measures. The library's own converters parse an op
/// through a <see cref="JsonDocument"/> and bind records by reflection; these read the tokens once, straight into the
/// same types. They go into this process's hub connections only (<see cref="AddTo"/>), ahead of the defaults, and
/// read the wire form of docs/protocol.md: a field they do not know is skipped.
/// </summary>
internal static class BenchJson
{
    public static void AddTo(JsonSerializerOptions options)
    {
        options.Converters.Insert(0, new OperationReader());
        options.Converters.Insert(0, new CommittedOpReader());
        options.Converters.Insert(0, new OpsCommittedReader());
        options.Converters.Insert(0, new SubmitResultReader());
    }

    private static TextOperation ReadOperation(ref Utf8JsonReader reader)
    {
        Expect(ref reader, JsonTokenType.StartArray);
        var components = ImmutableArray.CreateBuilder<OpComponent>(3);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            components.Add(reader.TokenType switch
            {
                JsonTokenType.Number when reader.GetInt32() is var n && n != 0 => n > 0 ? OpComponent.Retain(n) : OpComponent.Delete(-n),
                JsonTokenType.String when reader.GetString() is { Length: > 0 } text => OpComponent.Insert(text),
                _ => throw new JsonException($"An op component is a non-zero integer or a non-empty string, not {reader.TokenType}."),
            });
        }

        return new TextOperation(components.Count == components.Capacity ? components.MoveToImmutable() : components.ToImmutable());
    }

    private static CommittedOp ReadCommittedOp(ref Utf8JsonReader reader)
    {
        Expect(ref reader, JsonTokenType.StartObject);
        int revision = 0;
        long clientSeq = 0;
        TextOperation? op = null;
        string? clientId = null, authorId = null, authorName = null;
        DateTimeOffset committedAt = default;
        DateTimeOffset? clientTime = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            // ValueTextEquals also reads a name split over buffer segments (SignalR hands over a sequence).
            var field = reader.ValueTextEquals("revision"u8) ? 1 : reader.ValueTextEquals("op"u8) ? 2 : reader.ValueTextEquals("clientId"u8) ? 3
                : reader.ValueTextEquals("clientSeq"u8) ? 4 : reader.ValueTextEquals("authorId"u8) ? 5 : reader.ValueTextEquals("authorName"u8) ? 6
                : reader.ValueTextEquals("committedAt"u8) ? 7 : reader.ValueTextEquals("clientTime"u8) ? 8 : 0;
            reader.Read();
            switch (field)
            {
                case 1:
                    revision = reader.GetInt32();
                    break;
                case 2:
                    op = ReadOperation(ref reader);
                    break;
                case 3:
                    clientId = reader.GetString();
                    break;
                case 4:
                    clientSeq = reader.GetInt64();
                    break;
                case 5:
                    authorId = reader.GetString();
                    break;
                case 6:
                    authorName = reader.GetString();
                    break;
                case 7:
                    committedAt = reader.GetDateTimeOffset();
                    break;
                case 8:
                    clientTime = reader.TokenType == JsonTokenType.Null ? null : reader.GetDateTimeOffset();
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        return new CommittedOp(
            revision, op ?? throw new JsonException("A committed op has no 'op'."), clientId ?? "", clientSeq, authorId ?? "", authorName ?? "", committedAt, clientTime);
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType token)
    {
        if (reader.TokenType != token)
        {
            throw new JsonException($"Expected {token}, found {reader.TokenType}.");
        }
    }

    private static void Refuse() => throw new NotSupportedException("The bench's readers only read.");

    private sealed class OperationReader : JsonConverter<TextOperation>
    {
        public override TextOperation Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => ReadOperation(ref reader);

        // Writing stays the library's: the same wire form.
        public override void Write(Utf8JsonWriter writer, TextOperation value, JsonSerializerOptions options) =>
            new TextOperationJsonConverter().Write(writer, value, options);
    }

    private sealed class CommittedOpReader : JsonConverter<CommittedOp>
    {
        public override CommittedOp Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => ReadCommittedOp(ref reader);

        public override void Write(Utf8JsonWriter writer, CommittedOp value, JsonSerializerOptions options) => Refuse();
    }

    private sealed class OpsCommittedReader : JsonConverter<OpsCommitted>
    {
        public override OpsCommitted Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            Expect(ref reader, JsonTokenType.StartObject);
            string? docId = null;
            var ops = new List<CommittedOp>(1);
            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                var field = reader.ValueTextEquals("docId"u8) ? 1 : reader.ValueTextEquals("ops"u8) ? 2 : 0;
                reader.Read();
                if (field == 1)
                {
                    docId = reader.GetString();
                }
                else if (field == 2)
                {
                    Expect(ref reader, JsonTokenType.StartArray);
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        ops.Add(ReadCommittedOp(ref reader));
                    }
                }
                else
                {
                    reader.Skip();
                }
            }

            return new OpsCommitted(docId ?? throw new JsonException("OpsCommitted has no 'docId'."), ops);
        }

        public override void Write(Utf8JsonWriter writer, OpsCommitted value, JsonSerializerOptions options) => Refuse();
    }

    private sealed class SubmitResultReader : JsonConverter<SubmitResult>
    {
        public override SubmitResult Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            Expect(ref reader, JsonTokenType.StartObject);
            int revision = 0;
            TextOperation? op = null;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                var field = reader.ValueTextEquals("revision"u8) ? 1 : reader.ValueTextEquals("op"u8) ? 2 : 0;
                reader.Read();
                if (field == 1)
                {
                    revision = reader.GetInt32();
                }
                else if (field == 2)
                {
                    op = ReadOperation(ref reader);
                }
                else
                {
                    reader.Skip();
                }
            }

            return new SubmitResult(revision, op ?? TextOperation.Empty);
        }

        public override void Write(Utf8JsonWriter writer, SubmitResult value, JsonSerializerOptions options) => Refuse();
    }
}
