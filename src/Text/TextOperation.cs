using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Collab.Text;

/// <summary>What one component of a <see cref="TextOperation"/> does.</summary>
public enum OpKind : byte
{
    /// <summary>Keep <see cref="OpComponent.Count"/> code units.</summary>
    Retain = 0,

    /// <summary>Insert <see cref="OpComponent.Text"/>.</summary>
    Insert = 1,

    /// <summary>Remove <see cref="OpComponent.Count"/> code units.</summary>
    Delete = 2,
}

/// <summary>One step of an operation. Counts are in UTF-16 code units; for an insert, <c>Count</c> is the text's length.</summary>
[GenerateSerializer, Immutable, Alias("collab.OpComponent")]
public readonly record struct OpComponent(
    [property: Id(0)] OpKind Kind,
    [property: Id(1)] int Count,
    [property: Id(2)] string? Text)
{
    public static OpComponent Retain(int count) => new(OpKind.Retain, count, null);

    public static OpComponent Insert(string text) => new(OpKind.Insert, text.Length, text);

    public static OpComponent Delete(int count) => new(OpKind.Delete, count, null);
}

/// <summary>
/// An edit of a whole text: a sequence of retain / insert / delete over UTF-16 code units that spans the text it
/// applies to (see <c>docs/ot-spec.md</c>). Immutable. On the wire (JSON) it is an array: a positive integer retains,
/// a string inserts, a negative integer deletes.
/// </summary>
[GenerateSerializer, Immutable, Alias("collab.TextOperation")]
[JsonConverter(typeof(TextOperationJsonConverter))]
public sealed class TextOperation : IEquatable<TextOperation>
{
    public TextOperation(ImmutableArray<OpComponent> components)
    {
        Components = components.IsDefault ? [] : components;
    }

    /// <summary>The identity operation on the empty text.</summary>
    public static TextOperation Empty { get; } = new([]);

    [Id(0)]
    public ImmutableArray<OpComponent> Components { get; }

    /// <summary>
    /// Length of the text this operation applies to. Summed in 64 bits, so it cannot wrap around whatever the counts
    /// (an op that has not been validated may span far more than any text: see <c>TextOt.MaxLength</c>).
    /// </summary>
    public long BaseLength
    {
        get
        {
            var length = 0L;
            foreach (var c in Components)
            {
                length += c.Kind == OpKind.Insert ? 0 : c.Count;
            }

            return length;
        }
    }

    /// <summary>Length of the text this operation produces; summed in 64 bits like <see cref="BaseLength"/>.</summary>
    public long TargetLength
    {
        get
        {
            var length = 0L;
            foreach (var c in Components)
            {
                length += c.Kind == OpKind.Delete ? 0 : c.Count;
            }

            return length;
        }
    }

    /// <summary>True when the operation changes nothing (only retains).</summary>
    public bool IsNoop => Components.All(c => c.Kind == OpKind.Retain);

    /// <summary>Code units inserted in total; summed in 64 bits like <see cref="BaseLength"/>.</summary>
    public long InsertedLength
    {
        get
        {
            var length = 0L;
            foreach (var c in Components)
            {
                length += c.Kind == OpKind.Insert ? c.Count : 0;
            }

            return length;
        }
    }

    public static TextOperation Of(params OpComponent[] components) => new([.. components]);

    public bool Equals(TextOperation? other) =>
        other is not null && Components.SequenceEqual(other.Components);

    public override bool Equals(object? obj) => Equals(obj as TextOperation);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var c in Components)
        {
            hash.Add(c);
        }

        return hash.ToHashCode();
    }

    /// <summary>The wire form, e.g. <c>[5,"Bénin",-3,2]</c>.</summary>
    public override string ToString() => JsonSerializer.Serialize(this);
}

/// <summary>
/// Writes operations in the compact wire form and reads it strictly. Edges that need a typed <c>op.malformed</c>
/// error parse with <see cref="TextOperationJson.TryParse"/> instead of relying on the serializer.
/// </summary>
public sealed class TextOperationJsonConverter : JsonConverter<TextOperation>
{
    public override TextOperation Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        return TextOperationJson.TryParse(document.RootElement, out var op, out _, out var error)
            ? op
            : throw new JsonException(error);
    }

    public override void Write(Utf8JsonWriter writer, TextOperation value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        writer.WriteStartArray();
        foreach (var c in value.Components)
        {
            switch (c.Kind)
            {
                case OpKind.Retain:
                    writer.WriteNumberValue(c.Count);
                    break;
                case OpKind.Insert:
                    writer.WriteStringValue(c.Text);
                    break;
                default:
                    writer.WriteNumberValue(-c.Count);
                    break;
            }
        }

        writer.WriteEndArray();
    }
}

/// <summary>Strict parsing of the wire form.</summary>
public static class TextOperationJson
{
    /// <summary>
    /// Reads the wire form. A number component is read by its value, as JSON.parse reads it in the web client: an
    /// integer from 1 to 2^31 - 1 (or its negation) in any spelling (<c>3</c>, <c>3.0</c>, <c>3e0</c>); anything else
    /// (zero, a fraction, a larger magnitude) is malformed. On failure <paramref name="code"/> is <c>op.malformed</c>,
    /// or <c>op.splits_surrogate_pair</c> for a string holding half of a surrogate pair (which .NET strings read from
    /// JSON cannot represent). <paramref name="error"/> names the component and the kind of JSON value it was, never
    /// its content: errors are logged and sent back, and what people typed appears in neither.
    /// </summary>
    public static bool TryParse(JsonElement element, out TextOperation op, out string code, out string error)
    {
        op = TextOperation.Empty;
        code = "op.malformed";
        if (element.ValueKind != JsonValueKind.Array)
        {
            error = $"An operation is a JSON array of components, not {KindOf(element)}.";
            return false;
        }

        var components = ImmutableArray.CreateBuilder<OpComponent>(element.GetArrayLength());
        var index = 0;
        foreach (var item in element.EnumerateArray())
        {
            switch (item.ValueKind)
            {
                case JsonValueKind.Number when CountOf(item) is { } n:
                    components.Add(n > 0 ? OpComponent.Retain(n) : OpComponent.Delete(-n));
                    break;
                case JsonValueKind.String:
                    string? text;
                    try
                    {
                        text = item.GetString();
                    }
                    catch (InvalidOperationException)
                    {
                        code = "op.splits_surrogate_pair";
                        error = $"Component {index} inserts half of a surrogate pair.";
                        return false;
                    }

                    if (string.IsNullOrEmpty(text))
                    {
                        error = $"Component {index} inserts an empty string.";
                        return false;
                    }

                    components.Add(OpComponent.Insert(text));
                    break;
                default:
                    error = $"Component {index} is {KindOf(item)}, not a non-zero integer or a non-empty string.";
                    return false;
            }

            index++;
        }

        op = new TextOperation(components.MoveToImmutable());
        code = "";
        error = "";
        return true;
    }

    /// <summary>The count a number component stands for: a non-zero integer of magnitude at most 2^31 - 1, or null.</summary>
    private static int? CountOf(JsonElement number)
    {
        if (number.TryGetInt32(out var n))
        {
            return n is 0 or int.MinValue ? null : n;
        }

        // Other spellings of an integer (3.0, 1e1) are read by their value as a double, exactly like JSON.parse.
        return number.TryGetDouble(out var value) && double.IsInteger(value) && value != 0 && Math.Abs(value) <= int.MaxValue
            ? (int)value
            : null;
    }

    /// <summary>What kind of JSON value <paramref name="value"/> is, in words that reveal nothing of its content.</summary>
    private static string KindOf(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        JsonValueKind.String => "a string",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        JsonValueKind.Number => NumberKind(value),
        _ => "missing",
    };

    private static string NumberKind(JsonElement number)
    {
        if (!number.TryGetDouble(out var value) || !double.IsFinite(value))
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
