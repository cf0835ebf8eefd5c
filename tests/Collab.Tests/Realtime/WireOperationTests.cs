using System.Text.Json;
using Collab.Errors;
using Collab.Text;
using Collab.Web.Realtime;
using CsCheck;

namespace Collab.Tests.Realtime;

/// <summary>
/// The hub binds a <c>SubmitOp</c>'s op in one pass over the JSON reader (<see cref="WireOperationJsonConverter"/>);
/// the strict parser over a JSON document (<see cref="TextOperationJson.TryParse"/>) is its oracle: for any value,
/// the same operation, or the same refusal code and, for a component, the same message.
/// </summary>
public sealed class WireOperationTests
{
    private static readonly string[] Components =
    [
        "1", "5", "-3", "3.0", "1e1", "-2e0", "0", "-0", "0.5", "1e300", "1e400", "2147483647", "-2147483647", "2147483648",
        "-2147483648", "9007199254740993", "123456789012345678901234567890", "\"x\"", "\"é😀\"", "\"\"", "\"\\ud83d\"",
        "\"\\ude00x\"", "\"SECRET\"", "true", "false", "null", "[]", "[1,[2]]", "{}", "{\"insert\":\"SECRET\"}",
    ];

    private static readonly Gen<string> Value = Gen.OneOf(
        Gen.Int[0, Components.Length - 1].Array[0, 8].Select(picks => "[" + string.Join(",", picks.Select(i => Components[i])) + "]"),
        Gen.Int[0, Components.Length - 1].Select(i => Components[i]));

    private static (TextOperation? Op, string? Code, string? Error) Bound(string json)
    {
        var wire = JsonSerializer.Deserialize<WireOperation>(json);
        if (wire.ShapeRefusal() is { } notAnArray)
        {
            return (null, notAnArray.Code, null);
        }

        try
        {
            return (wire.ToOperation(), null, null);
        }
        catch (ValidationFailedException refused)
        {
            return (null, refused.Code, refused.Message);
        }
    }

    [Fact]
    public void OnePassBindingReadsEveryValueAsTheStrictParserDoes()
    {
        Value.Sample(json =>
        {
            using var document = JsonDocument.Parse(json);
            var parsed = TextOperationJson.TryParse(document.RootElement, out var expected, out var code, out var error);

            var (op, boundCode, boundError) = Bound(json);

            if (parsed)
            {
                Assert.Equal(expected, op);
                return;
            }

            Assert.Null(op);
            Assert.Equal(code, boundCode);
            if (document.RootElement.ValueKind == JsonValueKind.Array)
            {
                Assert.Equal(error, boundError);
            }
        }, iter: 20_000);
    }

    [Fact]
    public void AMissingOpIsMalformedAndANonArrayIsRefusedBeforeItsComponents()
    {
        var missing = default(WireOperation);

        Assert.False(missing.IsArray);
        Assert.Equal("op.malformed", missing.ShapeRefusal()?.Code);
        Assert.Equal("op.malformed", Bound("""{"insert":"x"}""").Code);
        Assert.True(JsonSerializer.Deserialize<WireOperation>("""[1,""]""").IsArray);
        Assert.Null(JsonSerializer.Deserialize<WireOperation>("""[1,"\ud83d"]""").ShapeRefusal());
        Assert.Equal("op.splits_surrogate_pair", Bound("""[1,"\ud83d"]""").Code);
    }
}
