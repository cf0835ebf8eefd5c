using System.Globalization;
using System.Text;
using System.Text.Json;
using Collab.Errors;
using Collab.Text;
using CsCheck;

namespace Collab.Tests.Text;

/// <summary>
/// The OT engine under hostile input (issue 13): counts near and past 2^31, counts that wrap around a 32-bit sum,
/// boundary values of the engine's ceiling, malformed components and JSON numbers in every spelling. Every function
/// answers with a result or a typed <see cref="ValidationFailedException"/>, and whatever applies is exactly consistent.
/// </summary>
public sealed class TextOtHostileInputTests
{
    private static readonly HashSet<string> Codes =
        ["op.malformed", "op.base_length_mismatch", "op.too_large", "op.splits_surrogate_pair", "document.too_large"];

    private static readonly int[] Boundaries =
    [
        0, -1, 1, 2, int.MaxValue, int.MaxValue - 1, int.MinValue, int.MinValue + 1, TextOt.MaxLength - 1, TextOt.MaxLength,
        TextOt.MaxLength + 1, 1 << 30, (1 << 30) + 1, 65_536, 65_537, 1_048_576, 1_048_577,
    ];

    private static readonly string[] Pieces = ["a", "b", " ", "é", "e\u0301", "中", "😀", "🇹🇬", "\n"];

    private static readonly Gen<string> Text = Gen.OneOfConst(Pieces).Array[0, 8].Select(string.Concat);

    private static readonly Gen<int> Count = Gen.Frequency((4, Gen.Int[1, 12]), (3, Gen.OneOfConst(Boundaries)), (2, Gen.Int));

    private static readonly Gen<OpComponent> Component = Gen.Frequency(
        (4, Count.Select(n => new OpComponent(OpKind.Retain, n, null))),
        (3, Count.Select(n => new OpComponent(OpKind.Delete, n, null))),
        (3, Gen.OneOfConst("x", "é", "😀", "中文", "\ud83d").Select(OpComponent.Insert)),
        (1, Gen.OneOfConst(new OpComponent(OpKind.Insert, 3, "x"), new OpComponent(OpKind.Insert, 0, null), new OpComponent((OpKind)9, 1, null))));

    /// <summary>Three retains or deletes summing to exactly 2^32: invisible to a sum taken in an int.</summary>
    private static readonly Gen<OpComponent[]> Wrapping = Gen.Select(Gen.Int[2, int.MaxValue], Gen.Bool, Gen.Bool, Gen.Bool, (k, first, second, third) =>
    {
        static OpComponent Part(bool retain, long count) => retain ? OpComponent.Retain((int)count) : OpComponent.Delete((int)count);
        return new[] { Part(first, k), Part(second, int.MaxValue), Part(third, (1L << 31) + 1 - k) };
    });

    /// <summary>An op on <paramref name="text"/> that is honest, honest with a wrapping triple spliced in, or random components.</summary>
    private static Gen<TextOperation> OpOn(string text) => Gen.Frequency(
        (2, Gen.Int.Select(seed => HonestOp(new Random(seed), text))),
        (3, Gen.Select(Gen.Int, Wrapping, Gen.Int[0, 16], (seed, parts, at) =>
        {
            var honest = HonestOp(new Random(seed), text).Components;
            var index = Math.Min(at, honest.Length);
            return new TextOperation([.. honest[..index], .. parts, .. honest[index..]]);
        })),
        (2, Component.Array[0, 6].Select(components => new TextOperation([.. components]))));

    private static readonly Gen<(string Text, TextOperation A, TextOperation B, int Position, bool After)> Cases =
        Text.SelectMany(text => Gen.Select(OpOn(text), OpOn(text), Gen.Frequency((2, Gen.Int[-2, 40]), (1, Gen.OneOfConst(Boundaries))), Gen.Bool,
            (a, b, position, after) => (text, a, b, position, after)));

    /// <summary>A valid op on <paramref name="text"/> whose boundaries fall between code points.</summary>
    private static TextOperation HonestOp(Random random, string text)
    {
        var components = new List<OpComponent>();
        var i = 0;
        while (i < text.Length)
        {
            var length = char.IsHighSurrogate(text[i]) ? 2 : 1;
            switch (random.Next(4))
            {
                case 0:
                    components.Add(OpComponent.Delete(length));
                    break;
                case 1:
                    components.Add(OpComponent.Insert("ß"));
                    components.Add(OpComponent.Retain(length));
                    break;
                default:
                    components.Add(OpComponent.Retain(length));
                    break;
            }

            i += length;
        }

        if (random.Next(3) == 0)
        {
            components.Add(OpComponent.Insert("!"));
        }

        return new TextOperation([.. components]);
    }

    /// <summary>Runs <paramref name="call"/>: a result, or a refusal with one of the spec's codes; anything else fails.</summary>
    private static T? Typed<T>(Func<T> call)
    {
        try
        {
            return call();
        }
        catch (ValidationFailedException e)
        {
            Assert.Contains(e.Code, Codes);
            return default;
        }
    }

    [Fact]
    public void EveryFunctionAnswersHostileOpsWithAResultOrATypedCode()
    {
        Cases.Sample(c =>
        {
            var affinity = c.After ? Affinity.After : Affinity.Before;
            Typed(() => TextOt.Apply(c.Text, c.A));
            Typed(() => TextOt.Invert(c.A, c.Text));
            Typed(() => TextOt.Normalize(c.A));
            Typed(() => TextOt.TransformPosition(c.Position, c.A, affinity));
            Typed(() => TextOt.Compose(c.A, c.B));
            Typed(() => TextOt.Transform(c.A, c.B));
            Typed(() =>
            {
                TextOt.Validate(c.A);
                return true;
            });
        }, iter: 20_000);
    }

    [Fact]
    public void WhateverAppliesSpansTheTextAndIsUndoneTransformedAndComposedExactly()
    {
        Cases.Sample(c =>
        {
            if (Typed(() => TextOt.Apply(c.Text, c.A)) is not { } afterA)
            {
                return;
            }

            // Lengths taken in 64 bits: an op that applies spans exactly the text, whatever its counts.
            Assert.Equal(c.Text.Length, c.A.BaseLength);
            Assert.Equal(afterA.Length, c.A.TargetLength);
            Assert.Equal(c.Text, TextOt.Apply(afterA, TextOt.Invert(c.A, c.Text)));
            var moved = TextOt.TransformPosition(c.Position, c.A, c.After ? Affinity.After : Affinity.Before);
            Assert.InRange(moved, 0, afterA.Length);
            if (Typed(() => TextOt.Apply(c.Text, c.B)) is not { } afterB)
            {
                return;
            }

            var (aPrime, bPrime) = TextOt.Transform(c.A, c.B);
            var both = TextOt.Apply(afterA, bPrime);
            Assert.Equal(both, TextOt.Apply(afterB, aPrime));
            Assert.Equal(both, TextOt.Apply(c.Text, TextOt.Compose(c.A, bPrime)));
            Assert.Equal(both, TextOt.Apply(c.Text, TextOt.Compose(c.B, aPrime)));
        }, iter: 20_000);
    }

    private static readonly string[] NumberSpellings =
    [
        "0", "-0", "0.0", "1", "-1", "3.0", "1e1", "1.1E1", "-2E0", "1.5", "-1.5", "1e-300", "1e300", "-1e300", "1e400", "-1e400",
        "2147483647", "-2147483647", "2147483648", "-2147483648", "2147483647.0", "2147483646.5", "4294967296", "4294967297",
        "9007199254740993", "-9007199254740993", "536870912", "536870913", "0.5e1", "12345678901234567890",
    ];

    private static readonly Gen<string> Spelling = Gen.Frequency(
        (3, Gen.OneOfConst(NumberSpellings)),
        (2, Gen.Int.Select(n => n.ToString(CultureInfo.InvariantCulture))),
        (1, Gen.Long.Select(n => n.ToString(CultureInfo.InvariantCulture))),
        (1, Gen.Double.Select(d => double.IsFinite(d) ? d.ToString("R", CultureInfo.InvariantCulture) : "1")),
        (1, Gen.Int.Select(n => n.ToString(CultureInfo.InvariantCulture) + ".0")));

    /// <summary>A JSON component: a number in some spelling, an insert, or a value of the wrong type holding a secret.</summary>
    private static readonly Gen<string> JsonComponent = Gen.Frequency(
        (5, Spelling),
        (2, Gen.OneOfConst("\"x\"", "\"é😀\"", "\"\"")),
        (2, Gen.OneOfConst("[\"SECRET\"]", "{\"x\":\"SECRET\"}", "{\"SECRET\":1}", "[[1,\"SECRET\"]]", "true", "false", "null", "[]", "{}")));

    [Fact]
    public void JsonNumbersAreReadByTheirValueAsJavaScriptReadsThemAndRefusalsNeverEchoContent()
    {
        JsonComponent.Array[0, 6].Sample(components =>
        {
            using var json = JsonDocument.Parse("[" + string.Join(",", components) + "]");

            var parsed = TextOperationJson.TryParse(json.RootElement, out var op, out var code, out var error);

            if (!parsed)
            {
                Assert.Equal("op.malformed", code);
                Assert.DoesNotContain("SECRET", error, StringComparison.Ordinal);
                Assert.Matches(@"^Component \d+ ", error);
                return;
            }

            // What JSON.parse makes of each number (a double) is the count: both engines read the same op.
            Assert.Equal(components.Length, op.Components.Length);
            for (var i = 0; i < components.Length; i++)
            {
                var component = op.Components[i];
                if (component.Kind == OpKind.Insert)
                {
                    continue;
                }

                var value = double.Parse(components[i], NumberStyles.Float, CultureInfo.InvariantCulture);
                Assert.Equal(value, component.Kind == OpKind.Retain ? component.Count : -component.Count);
                Assert.InRange(component.Count, 1, int.MaxValue);
            }
        }, iter: 20_000);
    }

    [Fact]
    public void MalformedOpMessagesNameTheKindOfValueButNeverItsContent()
    {
        var huge = new StringBuilder("SECRET").Append('x', 400 * 1024).ToString();
        string[] ops =
        [
            """[1,["SECRET"]]""", """[{"x":"SECRET"}]""", """[1,{"SECRET":1}]""", """[1,true]""", """[1,2.5]""", """[1,1e300]""",
            """{"op":"SECRET"}""", "\"SECRET\"", $"[1,[\"{huge}\"]]", $"{{\"x\":\"{huge}\"}}", $"[1,{{\"{huge}\":1}}]",
        ];

        foreach (var text in ops)
        {
            using var json = JsonDocument.Parse(text);

            Assert.False(TextOperationJson.TryParse(json.RootElement, out _, out var code, out var error));

            Assert.Equal("op.malformed", code);
            Assert.DoesNotContain("SECRET", error, StringComparison.Ordinal);
            Assert.True(error.Length < 200, $"A {error.Length}-character message for a malformed op.");
            Assert.Matches(@"^(Component \d+ is (an array|an object|a boolean|a number with a fraction|an integer beyond ±2147483647),|An operation is a JSON array of components, not (an object|a string)\.)", error);
        }
    }
}
