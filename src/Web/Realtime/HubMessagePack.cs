using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Collab.Documents;
using Collab.Text;
using MessagePack;
using MessagePack.Formatters;

// Compiled into both the server (src/Web) and the .NET client (src/Client, linked): both ends of the MessagePack hub
// protocol must read and write one vocabulary.
namespace Collab.Wire;

/// <summary>
/// The MessagePack side of the hub protocol: the same messages as the JSON protocol, field for field (camelCase names,
/// enums as camelCase strings, ops as <c>[retain, "insert", -delete]</c>, times as ISO 8601 strings), in MessagePack's
/// types (maps, arrays, integers, strings). The hot messages (ops in, acks and commits out) have formatters of their
/// own; every other message goes through the JSON protocol's serializer options and is transcoded, so the two
/// protocols cannot drift apart and neither can the MessagePack one bind shapes the JSON one refuses.
/// </summary>
internal static class HubMessagePack
{
    /// <summary>
    /// MessagePack options for a hub protocol: <paramref name="json"/> are the JSON protocol's payload options (names,
    /// converters); <paramref name="formatters"/> take precedence for their types. Untrusted data: depth and hash-flooding
    /// limits on.
    /// </summary>
    public static MessagePackSerializerOptions Options(JsonSerializerOptions json, params IMessagePackFormatter[] formatters)
    {
        Dictionary<Type, IMessagePackFormatter> own = [];
        foreach (var formatter in (IMessagePackFormatter[])[TextOperationFormatter.Instance, SubmitResultFormatter.Instance, CommittedOpFormatter.Instance, OpsCommittedFormatter.Instance, .. formatters])
        {
            var type = formatter.GetType().GetInterfaces()
                .Single(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IMessagePackFormatter<>))
                .GetGenericArguments()[0];
            own[type] = formatter;
        }

        return MessagePackSerializerOptions.Standard
            .WithResolver(new HubResolver(json, own))
            .WithSecurity(MessagePackSecurity.UntrustedData);
    }

    internal static void WriteTime(ref MessagePackWriter writer, DateTimeOffset time) =>
        writer.Write(time.ToString("yyyy'-'MM'-'dd'T'HH':'mm':'ss.FFFFFFFzzz", CultureInfo.InvariantCulture));

    internal static DateTimeOffset ReadTime(ref MessagePackReader reader, string field)
    {
        if (reader.NextMessagePackType == MessagePackType.Extension)
        {
            return new DateTimeOffset(reader.ReadDateTime());
        }

        if (reader.NextMessagePackType == MessagePackType.String
            && DateTimeOffset.TryParse(reader.ReadString(), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var time))
        {
            return time;
        }

        throw new WireFieldException(field);
    }

    internal static string ReadString(ref MessagePackReader reader, string field) =>
        reader.NextMessagePackType == MessagePackType.String ? reader.ReadString()! : throw new WireFieldException(field);

    internal static int ReadInt32(ref MessagePackReader reader, string field)
    {
        if (reader.NextMessagePackType != MessagePackType.Integer || reader.NextCode == MessagePackCode.UInt64)
        {
            throw new WireFieldException(field);
        }

        var value = reader.ReadInt64();
        return value is >= int.MinValue and <= int.MaxValue ? (int)value : throw new WireFieldException(field);
    }

    internal static long ReadInt64(ref MessagePackReader reader, string field) =>
        reader.NextMessagePackType == MessagePackType.Integer && reader.NextCode != MessagePackCode.UInt64
            ? reader.ReadInt64()
            : throw new WireFieldException(field);

    /// <summary>
    /// Skips the next value, however deeply nested, without recursion (MessagePack's own <c>Skip</c> recurses once per
    /// level, and a message of 512 KB can nest half a million levels).
    /// </summary>
    internal static void Skip(ref MessagePackReader reader)
    {
        for (long pending = 1; pending > 0; pending--)
        {
            switch (reader.NextMessagePackType)
            {
                case MessagePackType.Array:
                    pending += reader.ReadArrayHeader();
                    break;
                case MessagePackType.Map:
                    pending += 2L * reader.ReadMapHeader();
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }
    }

    /// <summary>The key of the next map entry (names match as in the JSON protocol: ignoring case).</summary>
    internal static string ReadKey(ref MessagePackReader reader) =>
        reader.NextMessagePackType == MessagePackType.String ? reader.ReadString()! : throw new WireFieldException(null);
}

/// <summary>
/// A field of a MessagePack message that does not bind (missing, of the wrong type, out of range). The hub answers
/// <c>request.malformed</c> naming <see cref="Field"/> (null: the message is not an object of the expected shape).
/// </summary>
internal sealed class WireFieldException(string? field) : MessagePackSerializationException(
    field is null ? "The message is not an object of the expected shape." : $"The message's '{field}' is missing or of the wrong type, or out of range.")
{
    public string? Field { get; } = field;
}

/// <summary>Own formatters first; primitives as MessagePack has them; every other type through the JSON options.</summary>
internal sealed class HubResolver(JsonSerializerOptions json, IReadOnlyDictionary<Type, IMessagePackFormatter> own) : IFormatterResolver
{
    private readonly ConcurrentDictionary<Type, IMessagePackFormatter> _formatters = new(own);

    public IMessagePackFormatter<T>? GetFormatter<T>() =>
        (IMessagePackFormatter<T>)_formatters.GetOrAdd(typeof(T), static (type, resolver) => resolver.Create<T>(), this);

    private IMessagePackFormatter Create<T>()
    {
        var type = Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T);
        return (type.IsPrimitive || type == typeof(string)) && MessagePack.Resolvers.BuiltinResolver.Instance.GetFormatter<T>() is { } builtin
            ? builtin
            : new JsonBridgeFormatter<T>(json);
    }
}

/// <summary>
/// A message that has no formatter of its own: written by the JSON options then transcoded to MessagePack, read by
/// transcoding to JSON then binding with the JSON options (so a field that does not bind is named by its JSON path, as
/// in the JSON protocol). For the cold messages only (open, watch, enter, views, pushes other than commits).
/// </summary>
internal sealed class JsonBridgeFormatter<T>(JsonSerializerOptions json) : IMessagePackFormatter<T>
{
    public void Serialize(ref MessagePackWriter writer, T value, MessagePackSerializerOptions options) =>
        Write(ref writer, JsonSerializer.SerializeToElement(value, json));

    public T Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        // Read back at once by the JSON options, never shown: nothing needs escaping beyond what JSON requires.
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            Transcode(ref reader, writer, options);
        }

        return JsonSerializer.Deserialize<T>(buffer.WrittenSpan, json)!;
    }

    private static void Write(ref MessagePackWriter writer, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteMapHeader(element.GetPropertyCount());
                foreach (var property in element.EnumerateObject())
                {
                    writer.Write(property.Name);
                    Write(ref writer, property.Value);
                }

                break;
            case JsonValueKind.Array:
                writer.WriteArrayHeader(element.GetArrayLength());
                foreach (var item in element.EnumerateArray())
                {
                    Write(ref writer, item);
                }

                break;
            case JsonValueKind.String:
                writer.Write(element.GetString());
                break;
            case JsonValueKind.Number when element.TryGetInt64(out var integer):
                writer.Write(integer);
                break;
            case JsonValueKind.Number when element.TryGetUInt64(out var large):
                writer.Write(large);
                break;
            case JsonValueKind.Number:
                writer.Write(element.GetDouble());
                break;
            case JsonValueKind.True:
                writer.Write(true);
                break;
            case JsonValueKind.False:
                writer.Write(false);
                break;
            default:
                writer.WriteNil();
                break;
        }
    }

    private static void Transcode(ref MessagePackReader reader, Utf8JsonWriter writer, MessagePackSerializerOptions options)
    {
        switch (reader.NextMessagePackType)
        {
            case MessagePackType.Nil:
                reader.ReadNil();
                writer.WriteNullValue();
                break;
            case MessagePackType.Boolean:
                writer.WriteBooleanValue(reader.ReadBoolean());
                break;
            case MessagePackType.Integer when reader.NextCode == MessagePackCode.UInt64:
                writer.WriteNumberValue(reader.ReadUInt64());
                break;
            case MessagePackType.Integer:
                writer.WriteNumberValue(reader.ReadInt64());
                break;
            case MessagePackType.Float:
                var number = reader.ReadDouble();
                if (!double.IsFinite(number))
                {
                    throw new WireFieldException(null);
                }

                // A whole float stays a float ("3.0"): the JSON options refuse it where an integer goes, as they refuse 3.0 in JSON.
                if (double.IsInteger(number) && Math.Abs(number) < 1e15)
                {
                    writer.WriteRawValue(((long)number).ToString(CultureInfo.InvariantCulture) + ".0", skipInputValidation: true);
                }
                else
                {
                    writer.WriteNumberValue(number);
                }

                break;
            case MessagePackType.String:
                writer.WriteStringValue(reader.ReadString());
                break;
            case MessagePackType.Binary:
                writer.WriteBase64StringValue((reader.ReadBytes() ?? default).ToArray());
                break;
            case MessagePackType.Extension when IsTimestamp(reader):
                writer.WriteStringValue(new DateTimeOffset(reader.ReadDateTime()));
                break;
            case MessagePackType.Array:
                var count = reader.ReadArrayHeader();
                options.Security.DepthStep(ref reader);
                writer.WriteStartArray();
                for (var i = 0; i < count; i++)
                {
                    Transcode(ref reader, writer, options);
                }

                writer.WriteEndArray();
                reader.Depth--;
                break;
            case MessagePackType.Map:
                var entries = reader.ReadMapHeader();
                options.Security.DepthStep(ref reader);
                writer.WriteStartObject();
                for (var i = 0; i < entries; i++)
                {
                    writer.WritePropertyName(HubMessagePack.ReadKey(ref reader));
                    Transcode(ref reader, writer, options);
                }

                writer.WriteEndObject();
                reader.Depth--;
                break;
            default:
                throw new WireFieldException(null);
        }
    }

    private static bool IsTimestamp(MessagePackReader reader) => reader.ReadExtensionFormatHeader().TypeCode == ReservedMessagePackExtensionTypeCode.DateTime;
}

/// <summary>An operation as <c>[retain, "insert", -delete, …]</c>; read strictly (what a server sends is well formed).</summary>
internal sealed class TextOperationFormatter : IMessagePackFormatter<TextOperation>
{
    public static readonly TextOperationFormatter Instance = new();

    public void Serialize(ref MessagePackWriter writer, TextOperation value, MessagePackSerializerOptions options)
    {
        var components = value.Components;
        writer.WriteArrayHeader(components.Length);
        foreach (var c in components)
        {
            switch (c.Kind)
            {
                case OpKind.Retain:
                    writer.Write(c.Count);
                    break;
                case OpKind.Insert:
                    writer.Write(c.Text);
                    break;
                default:
                    writer.Write(-c.Count);
                    break;
            }
        }
    }

    public TextOperation Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        if (reader.NextMessagePackType != MessagePackType.Array)
        {
            throw new WireFieldException("op");
        }

        var length = reader.ReadArrayHeader();
        var components = System.Collections.Immutable.ImmutableArray.CreateBuilder<OpComponent>(Math.Min(length, 1024));
        for (var i = 0; i < length; i++)
        {
            if (reader.NextMessagePackType == MessagePackType.String)
            {
                var text = reader.ReadString();
                components.Add(string.IsNullOrEmpty(text) ? throw new WireFieldException("op") : OpComponent.Insert(text));
                continue;
            }

            var count = HubMessagePack.ReadInt32(ref reader, "op");
            components.Add(count switch
            {
                > 0 => OpComponent.Retain(count),
                < 0 and > int.MinValue => OpComponent.Delete(-count),
                _ => throw new WireFieldException("op"),
            });
        }

        return new TextOperation(components.DrainToImmutable());
    }
}

/// <summary>The ack: <c>{revision, op}</c>.</summary>
internal sealed class SubmitResultFormatter : IMessagePackFormatter<SubmitResult?>
{
    public static readonly SubmitResultFormatter Instance = new();

    public void Serialize(ref MessagePackWriter writer, SubmitResult? value, MessagePackSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNil();
            return;
        }

        writer.WriteMapHeader(2);
        writer.Write("revision");
        writer.Write(value.Revision);
        writer.Write("op");
        TextOperationFormatter.Instance.Serialize(ref writer, value.Op, options);
    }

    public SubmitResult? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        if (reader.TryReadNil())
        {
            return null;
        }

        int? revision = null;
        TextOperation? op = null;
        var entries = reader.NextMessagePackType == MessagePackType.Map ? reader.ReadMapHeader() : throw new WireFieldException(null);
        for (var i = 0; i < entries; i++)
        {
            switch (HubMessagePack.ReadKey(ref reader).ToUpperInvariant())
            {
                case "REVISION":
                    revision = HubMessagePack.ReadInt32(ref reader, "revision");
                    break;
                case "OP":
                    op = TextOperationFormatter.Instance.Deserialize(ref reader, options);
                    break;
                default:
                    HubMessagePack.Skip(ref reader);
                    break;
            }
        }

        return new SubmitResult(revision ?? throw new WireFieldException("revision"), op ?? throw new WireFieldException("op"));
    }
}

/// <summary>One committed op: <c>{revision, op, clientId, clientSeq, authorId, authorName, committedAt, clientTime}</c>.</summary>
internal sealed class CommittedOpFormatter : IMessagePackFormatter<CommittedOp?>
{
    public static readonly CommittedOpFormatter Instance = new();

    public void Serialize(ref MessagePackWriter writer, CommittedOp? value, MessagePackSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNil();
            return;
        }

        writer.WriteMapHeader(8);
        writer.Write("revision");
        writer.Write(value.Revision);
        writer.Write("op");
        TextOperationFormatter.Instance.Serialize(ref writer, value.Op, options);
        writer.Write("clientId");
        writer.Write(value.ClientId);
        writer.Write("clientSeq");
        writer.Write(value.ClientSeq);
        writer.Write("authorId");
        writer.Write(value.AuthorId);
        writer.Write("authorName");
        writer.Write(value.AuthorName);
        writer.Write("committedAt");
        HubMessagePack.WriteTime(ref writer, value.CommittedAt);
        writer.Write("clientTime");
        if (value.ClientTime is { } clientTime)
        {
            HubMessagePack.WriteTime(ref writer, clientTime);
        }
        else
        {
            writer.WriteNil();
        }
    }

    public CommittedOp? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        if (reader.TryReadNil())
        {
            return null;
        }

        int? revision = null;
        TextOperation? op = null;
        string clientId = "", authorId = "", authorName = "";
        long clientSeq = 0;
        DateTimeOffset committedAt = default;
        DateTimeOffset? clientTime = null;
        var entries = reader.NextMessagePackType == MessagePackType.Map ? reader.ReadMapHeader() : throw new WireFieldException(null);
        for (var i = 0; i < entries; i++)
        {
            switch (HubMessagePack.ReadKey(ref reader).ToUpperInvariant())
            {
                case "REVISION":
                    revision = HubMessagePack.ReadInt32(ref reader, "revision");
                    break;
                case "OP":
                    op = TextOperationFormatter.Instance.Deserialize(ref reader, options);
                    break;
                case "CLIENTID":
                    clientId = HubMessagePack.ReadString(ref reader, "clientId");
                    break;
                case "CLIENTSEQ":
                    clientSeq = HubMessagePack.ReadInt64(ref reader, "clientSeq");
                    break;
                case "AUTHORID":
                    authorId = HubMessagePack.ReadString(ref reader, "authorId");
                    break;
                case "AUTHORNAME":
                    authorName = HubMessagePack.ReadString(ref reader, "authorName");
                    break;
                case "COMMITTEDAT":
                    committedAt = HubMessagePack.ReadTime(ref reader, "committedAt");
                    break;
                case "CLIENTTIME":
                    clientTime = reader.TryReadNil() ? null : HubMessagePack.ReadTime(ref reader, "clientTime");
                    break;
                default:
                    HubMessagePack.Skip(ref reader);
                    break;
            }
        }

        return new CommittedOp(
            revision ?? throw new WireFieldException("revision"), op ?? throw new WireFieldException("op"),
            clientId, clientSeq, authorId, authorName, committedAt, clientTime);
    }
}

/// <summary>The commit push: <c>{docId, ops: [committed op, …]}</c>.</summary>
internal sealed class OpsCommittedFormatter : IMessagePackFormatter<OpsCommitted?>
{
    public static readonly OpsCommittedFormatter Instance = new();

    public void Serialize(ref MessagePackWriter writer, OpsCommitted? value, MessagePackSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNil();
            return;
        }

        writer.WriteMapHeader(2);
        writer.Write("docId");
        writer.Write(value.DocId);
        writer.Write("ops");
        writer.WriteArrayHeader(value.Ops.Count);
        foreach (var op in value.Ops)
        {
            CommittedOpFormatter.Instance.Serialize(ref writer, op, options);
        }
    }

    public OpsCommitted? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        if (reader.TryReadNil())
        {
            return null;
        }

        string? docId = null;
        List<CommittedOp> ops = [];
        var entries = reader.NextMessagePackType == MessagePackType.Map ? reader.ReadMapHeader() : throw new WireFieldException(null);
        for (var i = 0; i < entries; i++)
        {
            switch (HubMessagePack.ReadKey(ref reader).ToUpperInvariant())
            {
                case "DOCID":
                    docId = HubMessagePack.ReadString(ref reader, "docId");
                    break;
                case "OPS":
                    var count = reader.NextMessagePackType == MessagePackType.Array ? reader.ReadArrayHeader() : throw new WireFieldException("ops");
                    options.Security.DepthStep(ref reader);
                    for (var j = 0; j < count; j++)
                    {
                        ops.Add(CommittedOpFormatter.Instance.Deserialize(ref reader, options) ?? throw new WireFieldException("ops"));
                    }

                    reader.Depth--;
                    break;
                default:
                    HubMessagePack.Skip(ref reader);
                    break;
            }
        }

        return new OpsCommitted(docId ?? throw new WireFieldException("docId"), ops);
    }
}
