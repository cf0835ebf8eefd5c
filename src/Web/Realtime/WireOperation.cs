using System.Buffers;
using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Collab.Errors;
using Collab.Text;
using Collab.Wire;
using MessagePack;
using MessagePack.Formatters;

namespace Collab.Web.Realtime;

/// <summary>
/// The <c>op</c> of a <c>SubmitOp</c> request as the hub protocol bound it: read once from the wire form
/// (<c>[retain, "insert", -delete, …]</c>, in JSON or MessagePack) straight into a <see cref="TextOperation"/>, or, when
/// it is not one, the refusal to answer (<c>op.malformed</c> naming the component and the kind of value, never its
/// content; <c>op.splits_surrogate_pair</c>). Binding never fails on the op itself, so its refusal keeps its own code and
/// its place among the request's checks (shape first, then the document, then the op). The default value is an op that
/// was not sent. Sizes are the document grain's to judge (<c>op.too_large</c>), as for any other front door.
/// </summary>
[JsonConverter(typeof(WireOperationJsonConverter))]
public readonly struct WireOperation
{
    private readonly TextOperation? _op;
    private readonly string? _code;
    private readonly string? _error;
    private readonly bool _array;

    private WireOperation(bool array, TextOperation? op, string? code, string? error)
    {
        _array = array;
        _op = op;
        _code = code;
        _error = error;
    }

    /// <summary>True when the value sent was an array (of whatever components): its components are judged later.</summary>
    public bool IsArray => _array;

    public static WireOperation Of(TextOperation op) => new(true, op, null, null);

    /// <summary>An array with a component that is not one.</summary>
    internal static WireOperation Refused(string code, string error) => new(true, null, code, error);

    /// <summary>Not an array at all (or nothing): refused with the request's shape, before the document is looked at.</summary>
    internal static WireOperation NotAnArray(string kind) => new(false, null, "op.malformed", $"An operation is an array of components, not {kind}.");

    internal static WireOperation BadComponent(int index, string kind) =>
        Refused("op.malformed", $"Component {index} is {kind}, not a non-zero integer or a non-empty string.");

    /// <summary>The operation, or the refusal (<see cref="ValidationFailedException"/> on field <c>op</c>).</summary>
    public TextOperation ToOperation() => _op ?? throw Refusal();

    /// <summary>The refusal of an op that is not an array, or null.</summary>
    public ValidationFailedException? ShapeRefusal() => IsArray ? null : Refusal();

    private ValidationFailedException Refusal() => _code is null
        ? new ValidationFailedException("op.malformed", "An operation is an array of components; the request has none.", "op")
        : new ValidationFailedException(_code, _error!, "op");

    /// <summary>
    /// The count a number component stands for, read by its value as JSON.parse reads it in the web client: an integer
    /// from 1 to 2^31 - 1 or its negation, in any spelling (<c>3</c>, <c>3.0</c>, <c>3e0</c>); otherwise null.
    /// </summary>
    internal static int? CountOf(double value) =>
        double.IsInteger(value) && value != 0 && Math.Abs(value) <= int.MaxValue ? (int)value : null;

    internal static int? CountOf(long value) => value is 0 or < -int.MaxValue or > int.MaxValue ? null : (int)value;

    internal static OpComponent Component(int count) => count > 0 ? OpComponent.Retain(count) : OpComponent.Delete(-count);

    /// <summary>What kind of number a refused number component is, in words that reveal nothing of its value.</summary>
    internal static string NumberKind(double value)
    {
        if (!double.IsFinite(value))
        {
            return "a number too large to represent";
        }

        if (!double.IsInteger(value))
        {
            return "a number with a fraction";
        }

        return value == 0 ? "zero" : $"an integer beyond ±{int.MaxValue}";
    }
}

/// <summary>Reads a <see cref="WireOperation"/> from JSON in one pass over the reader (no document, no copy); writes the wire form.</summary>
public sealed class WireOperationJsonConverter : JsonConverter<WireOperation>
{
    public override WireOperation Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            var kind = KindOf(ref reader);
            reader.Skip();
            return WireOperation.NotAnArray(kind);
        }

        var components = ImmutableArray.CreateBuilder<OpComponent>();
        WireOperation? refused = null;
        var index = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (refused is null)
            {
                refused = Component(ref reader, index, components);
            }

            // A nested array or object is skipped whole, whether it was the first refusal or came after one.
            reader.Skip();
            index++;
        }

        return refused ?? WireOperation.Of(new TextOperation(components.DrainToImmutable()));
    }

    private static WireOperation? Component(ref Utf8JsonReader reader, int index, ImmutableArray<OpComponent>.Builder components)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Number:
                int? count = reader.TryGetInt32(out var n)
                    ? (n is 0 or int.MinValue ? null : n)
                    : reader.TryGetDouble(out var value) ? WireOperation.CountOf(value) : null;
                if (count is null)
                {
                    return WireOperation.BadComponent(index, KindOf(ref reader));
                }

                components.Add(WireOperation.Component(count.Value));
                return null;
            case JsonTokenType.String:
                string? text;
                try
                {
                    text = reader.GetString();
                }
                catch (InvalidOperationException)
                {
                    // A lone surrogate escape (\ud83d): .NET reads no such string from JSON.
                    return WireOperation.Refused("op.splits_surrogate_pair", $"Component {index} inserts half of a surrogate pair.");
                }

                if (string.IsNullOrEmpty(text))
                {
                    return WireOperation.Refused("op.malformed", $"Component {index} inserts an empty string.");
                }

                components.Add(OpComponent.Insert(text));
                return null;
            default:
                return WireOperation.BadComponent(index, KindOf(ref reader));
        }
    }

    public override void Write(Utf8JsonWriter writer, WireOperation value, JsonSerializerOptions options) =>
        JsonSerializer.Serialize(writer, value.ToOperation(), options);

    /// <summary>What kind of JSON value the reader is on, in words that reveal nothing of its content.</summary>
    private static string KindOf(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.StartArray => "an array",
        JsonTokenType.StartObject => "an object",
        JsonTokenType.String => "a string",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        JsonTokenType.Number => reader.TryGetDouble(out var value) ? WireOperation.NumberKind(value) : "a number too large to represent",
        _ => "missing",
    };
}

/// <summary>
/// Reads a <see cref="WireOperation"/> from MessagePack in one pass, with the JSON reader's rules: integers (of any
/// width) and floats by their value, strings as UTF-8 (a string that encodes half of a surrogate pair, as a JavaScript
/// encoder writes one, is <c>op.splits_surrogate_pair</c> as in JSON; other invalid UTF-8 is malformed).
/// </summary>
internal sealed class WireOperationFormatter : IMessagePackFormatter<WireOperation>
{
    public static readonly WireOperationFormatter Instance = new();

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public WireOperation Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        if (reader.NextMessagePackType != MessagePackType.Array)
        {
            var kind = KindOf(ref reader);
            HubMessagePack.Skip(ref reader);
            return WireOperation.NotAnArray(kind);
        }

        var length = reader.ReadArrayHeader();
        var components = ImmutableArray.CreateBuilder<OpComponent>(Math.Min(length, 1024));
        WireOperation? refused = null;
        for (var index = 0; index < length; index++)
        {
            if (refused is null)
            {
                refused = Component(ref reader, index, components);
            }
            else
            {
                HubMessagePack.Skip(ref reader);
            }
        }

        return refused ?? WireOperation.Of(new TextOperation(components.DrainToImmutable()));
    }

    private static WireOperation? Component(ref MessagePackReader reader, int index, ImmutableArray<OpComponent>.Builder components)
    {
        int? count;
        switch (reader.NextMessagePackType)
        {
            case MessagePackType.Integer:
                if (reader.NextCode == MessagePackCode.UInt64)
                {
                    var big = reader.ReadUInt64();
                    count = big <= int.MaxValue ? WireOperation.CountOf((long)big) : null;
                    if (count is null)
                    {
                        return WireOperation.BadComponent(index, big == 0 ? "zero" : $"an integer beyond ±{int.MaxValue}");
                    }
                }
                else
                {
                    var value = reader.ReadInt64();
                    count = WireOperation.CountOf(value);
                    if (count is null)
                    {
                        return WireOperation.BadComponent(index, value == 0 ? "zero" : $"an integer beyond ±{int.MaxValue}");
                    }
                }

                components.Add(WireOperation.Component(count.Value));
                return null;
            case MessagePackType.Float:
                var number = reader.ReadDouble();
                count = WireOperation.CountOf(number);
                if (count is null)
                {
                    return WireOperation.BadComponent(index, double.IsNaN(number) ? "not a number" : WireOperation.NumberKind(number));
                }

                components.Add(WireOperation.Component(count.Value));
                return null;
            case MessagePackType.String:
                var bytes = reader.ReadStringSequence() ?? default;
                if (bytes.IsEmpty)
                {
                    return WireOperation.Refused("op.malformed", $"Component {index} inserts an empty string.");
                }

                string text;
                try
                {
                    text = bytes.IsSingleSegment ? StrictUtf8.GetString(bytes.FirstSpan) : StrictUtf8.GetString(bytes.ToArray());
                }
                catch (DecoderFallbackException)
                {
                    return EncodesSurrogate(bytes)
                        ? WireOperation.Refused("op.splits_surrogate_pair", $"Component {index} inserts half of a surrogate pair.")
                        : WireOperation.Refused("op.malformed", $"Component {index} is a string that is not UTF-8.");
                }

                components.Add(OpComponent.Insert(text));
                return null;
            default:
                var kind = KindOf(ref reader);
                HubMessagePack.Skip(ref reader);
                return WireOperation.BadComponent(index, kind);
        }
    }

    /// <summary>True when the bytes hold a surrogate code point in UTF-8's three-byte form (ED A0..BF xx).</summary>
    private static bool EncodesSurrogate(ReadOnlySequence<byte> bytes)
    {
        var span = bytes.IsSingleSegment ? bytes.FirstSpan : bytes.ToArray();
        for (var i = 0; i + 1 < span.Length; i++)
        {
            if (span[i] == 0xED && span[i + 1] is >= 0xA0 and <= 0xBF)
            {
                return true;
            }
        }

        return false;
    }

    public void Serialize(ref MessagePackWriter writer, WireOperation value, MessagePackSerializerOptions options) =>
        TextOperationFormatter.Instance.Serialize(ref writer, value.ToOperation(), options);

    /// <summary>What kind of MessagePack value the reader is on, in words that reveal nothing of its content.</summary>
    private static string KindOf(ref MessagePackReader reader) => reader.NextMessagePackType switch
    {
        MessagePackType.Array => "an array",
        MessagePackType.Map => "an object",
        MessagePackType.String => "a string",
        MessagePackType.Boolean => "a boolean",
        MessagePackType.Nil => "null",
        MessagePackType.Binary => "binary data",
        MessagePackType.Extension => "an extension value",
        MessagePackType.Integer or MessagePackType.Float => "a number",
        _ => "of an unknown type",
    };
}
