using System.Text.Json;
using Collab.Errors;
using Collab.Text;

namespace Collab.Tests.Text;

/// <summary>
/// The shared vectors (tests/vectors/ot.json) that the JavaScript engine also passes (tests/js/ot-vectors.test.mjs):
/// both sides of the wire compute the same texts, ops and positions.
/// </summary>
public sealed class SharedVectorTests
{
    private static readonly JsonElement Vectors = JsonDocument.Parse(
        File.ReadAllText(Path.Combine(RepoRoot.Path, "tests", "vectors", "ot.json"))).RootElement;

    public static TheoryData<string> Names(string section) => new(Vectors.GetProperty(section).EnumerateArray().Select(v => v.GetProperty("name").GetString()!));

    private static JsonElement Case(string section, string name) =>
        Vectors.GetProperty(section).EnumerateArray().Single(v => v.GetProperty("name").GetString() == name);

    private static TextOperation Op(JsonElement json) =>
        TextOperationJson.TryParse(json, out var op, out var code, out var error) ? op : throw new ValidationFailedException(code, error, "op");

    private static string? ExpectedError(JsonElement vector) =>
        vector.TryGetProperty("error", out var error) ? error.GetString() : null;

    private static void AssertOutcome(JsonElement vector, Func<object> run, Action<object> check)
    {
        if (ExpectedError(vector) is { } code)
        {
            var error = Assert.ThrowsAny<ValidationFailedException>(() => run());
            Assert.Equal(code, error.Code);
            return;
        }

        check(run());
    }

    private static TextLimits Limits(JsonElement vector)
    {
        var limits = TextLimits.Default;
        if (vector.TryGetProperty("limits", out var given))
        {
            if (given.TryGetProperty("maxOpInsertLength", out var insert))
            {
                limits = limits with { MaxOpInsertLength = insert.GetInt32() };
            }

            if (given.TryGetProperty("maxOpComponents", out var components))
            {
                limits = limits with { MaxOpComponents = components.GetInt32() };
            }

            if (given.TryGetProperty("maxDocumentLength", out var document))
            {
                limits = limits with { MaxDocumentLength = document.GetInt32() };
            }
        }

        return limits;
    }

    [Theory]
    [MemberData(nameof(Names), "apply")]
    public void Apply(string name)
    {
        var v = Case("apply", name);
        AssertOutcome(v,
            () => TextOt.Apply(v.GetProperty("text").GetString()!, Op(v.GetProperty("op")), Limits(v)),
            result => Assert.Equal(v.GetProperty("result").GetString(), result));
    }

    [Theory]
    [MemberData(nameof(Names), "compose")]
    public void Compose(string name)
    {
        var v = Case("compose", name);
        AssertOutcome(v,
            () => TextOt.Compose(Op(v.GetProperty("a")), Op(v.GetProperty("b"))),
            result => Assert.Equal(Op(v.GetProperty("result")), result));
    }

    [Theory]
    [MemberData(nameof(Names), "transform")]
    public void Transform(string name)
    {
        var v = Case("transform", name);
        AssertOutcome(v,
            () => TextOt.Transform(Op(v.GetProperty("a")), Op(v.GetProperty("b"))),
            result =>
            {
                var (aPrime, bPrime) = ((TextOperation, TextOperation))result;
                Assert.Equal(Op(v.GetProperty("aPrime")), aPrime);
                Assert.Equal(Op(v.GetProperty("bPrime")), bPrime);
            });
    }

    [Theory]
    [MemberData(nameof(Names), "invert")]
    public void Invert(string name)
    {
        var v = Case("invert", name);
        AssertOutcome(v,
            () => TextOt.Invert(Op(v.GetProperty("op")), v.GetProperty("text").GetString()!),
            result => Assert.Equal(Op(v.GetProperty("inverse")), result));
    }

    [Theory]
    [MemberData(nameof(Names), "transformPosition")]
    public void TransformPosition(string name)
    {
        var v = Case("transformPosition", name);
        var affinity = v.GetProperty("affinity").GetString() == "after" ? Affinity.After : Affinity.Before;
        AssertOutcome(v,
            () => TextOt.TransformPosition(v.GetProperty("position").GetInt32(), Op(v.GetProperty("op")), affinity),
            moved => Assert.Equal(v.GetProperty("result").GetInt32(), moved));
    }
}
