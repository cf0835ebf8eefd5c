using System.Collections.Immutable;
using System.Text;
using Collab.Errors;

namespace Collab.Text;

/// <summary>Bounds on operations and texts; the defaults are the product's (docs/ot-spec.md).</summary>
public sealed record TextLimits
{
    public static TextLimits Default { get; } = new();

    public int MaxOpInsertLength { get; init; } = 65_536;

    public int MaxOpComponents { get; init; } = 10_000;

    public int MaxDocumentLength { get; init; } = 1_048_576;
}

/// <summary>Where a position goes when text is inserted exactly at it.</summary>
public enum Affinity
{
    /// <summary>Stay before the inserted text.</summary>
    Before,

    /// <summary>Move after the inserted text.</summary>
    After,
}

/// <summary>
/// The plain-text OT engine: apply, compose, transform, invert and position transform over UTF-16 code units, as
/// specified in docs/ot-spec.md and mirrored by src/Web/wwwroot/js/ot.js. Pure functions; every output is canonical.
/// Rejections are <see cref="ValidationFailedException"/>s with the spec's codes and field <c>op</c>.
/// </summary>
public static class TextOt
{
    /// <summary>
    /// The longest text an operation may span or produce: 2^29 code units, far above any document limit, and not
    /// configurable. Every operation the engine accepts or returns spans and produces at most this (checked in 64-bit
    /// arithmetic before any int sum is taken), so every count is at most 2^29 and every length or position the
    /// engine computes is a sum of at most three such lengths, below 2^31: no int arithmetic on them can overflow.
    /// </summary>
    public const int MaxLength = 1 << 29;

    private const string Field = "op";

    /// <summary>
    /// Checks the op's own shape and size (not its fit to a text), in this order: each component (<c>op.malformed</c>),
    /// the number of components, lone surrogates in inserted text, the inserted length (<c>op.too_large</c>), then the
    /// engine's ceiling (<see cref="MaxLength"/>): an op spanning more than any text is <c>op.base_length_mismatch</c>,
    /// one producing more is <c>op.too_large</c>.
    /// </summary>
    public static void Validate(TextOperation op, TextLimits? limits = null) => ValidateCore(op, limits ?? TextLimits.Default);

    private static (int Base, int Target) ValidateCore(TextOperation op, TextLimits limits)
    {
        CheckComponents(op);
        if (op.Components.Length > limits.MaxOpComponents)
        {
            throw Error("op.too_large", $"The operation has {op.Components.Length} components; at most {limits.MaxOpComponents} are allowed.");
        }

        foreach (var c in op.Components)
        {
            if (c.Kind == OpKind.Insert && HasLoneSurrogate(c.Text!))
            {
                throw Error("op.splits_surrogate_pair", "An inserted text contains half of a surrogate pair.");
            }
        }

        var inserted = op.InsertedLength;
        if (inserted > limits.MaxOpInsertLength)
        {
            throw Error("op.too_large", $"The operation inserts {inserted} code units; at most {limits.MaxOpInsertLength} are allowed.");
        }

        return CheckSpan(op);
    }

    /// <summary>Applies <paramref name="op"/> to <paramref name="text"/>, validating everything the spec lists.</summary>
    public static string Apply(string text, TextOperation op, TextLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        limits ??= TextLimits.Default;
        var (baseLength, target) = ValidateCore(op, limits);
        if (baseLength != text.Length)
        {
            throw Error("op.base_length_mismatch", $"The operation spans {baseLength} code units but the text has {text.Length}.");
        }

        if (target > limits.MaxDocumentLength)
        {
            throw Error("document.too_large", $"The text would have {target} code units; at most {limits.MaxDocumentLength} are allowed.");
        }

        // Every boundary an op places in the base text must fall between whole characters.
        var position = 0;
        foreach (var c in op.Components)
        {
            if (SplitsPair(text, position))
            {
                throw Error("op.splits_surrogate_pair", $"The operation cuts the text at {position}, inside a surrogate pair.");
            }

            if (c.Kind != OpKind.Insert)
            {
                position += c.Count;
            }
        }

        // The new text written once, straight into the string (a builder would copy every retained code unit twice).
        return string.Create(target, (text, op), static (result, state) =>
        {
            var (source, operation) = state;
            var from = 0;
            var written = 0;
            foreach (var c in operation.Components)
            {
                switch (c.Kind)
                {
                    case OpKind.Retain:
                        source.AsSpan(from, c.Count).CopyTo(result[written..]);
                        from += c.Count;
                        written += c.Count;
                        break;
                    case OpKind.Insert:
                        c.Text.AsSpan().CopyTo(result[written..]);
                        written += c.Count;
                        break;
                    case OpKind.Delete:
                        from += c.Count;
                        break;
                }
            }
        });
    }

    /// <summary>One operation with the effect of <paramref name="a"/> then <paramref name="b"/>.</summary>
    public static TextOperation Compose(TextOperation a, TextOperation b)
    {
        var (_, aTarget) = CheckShape(a);
        var (bBase, _) = CheckShape(b);
        if (aTarget != bBase)
        {
            throw Error("op.base_length_mismatch", $"Cannot compose: the first operation produces {aTarget} code units, the second spans {bBase}.");
        }

        var result = new OpBuilder();
        var left = new Cursor(a);
        var right = new Cursor(b);
        while (!left.Done || !right.Done)
        {
            // Deletes of a and inserts of b touch nothing of the other.
            if (left.Kind == OpKind.Delete)
            {
                result.Delete(left.Take(left.Remaining));
                continue;
            }

            if (right.Kind == OpKind.Insert)
            {
                result.Insert(right.TakeText(right.Remaining));
                continue;
            }

            var n = Math.Min(left.Remaining, right.Remaining);
            switch (left.Kind, right.Kind)
            {
                case (OpKind.Retain, OpKind.Retain):
                    result.Retain(n);
                    left.Take(n);
                    right.Take(n);
                    break;
                case (OpKind.Retain, OpKind.Delete):
                    result.Delete(n);
                    left.Take(n);
                    right.Take(n);
                    break;
                case (OpKind.Insert, OpKind.Retain):
                    result.Insert(left.TakeText(n));
                    right.Take(n);
                    break;
                case (OpKind.Insert, OpKind.Delete):
                    left.TakeText(n);
                    right.Take(n);
                    break;
                default:
                    throw new InvalidOperationException("Compose ran past the end of an operation.");
            }
        }

        return result.Build();
    }

    /// <summary>
    /// Rebases two concurrent operations on the same text over each other:
    /// <c>apply(apply(s, a), b') == apply(apply(s, b), a')</c>. On inserts at the same position, <paramref name="b"/>'s
    /// goes first: <paramref name="b"/> is the operation sequenced earlier.
    /// </summary>
    public static (TextOperation APrime, TextOperation BPrime) Transform(TextOperation a, TextOperation b)
    {
        var (aBase, _) = CheckShape(a);
        var (bBase, _) = CheckShape(b);
        if (aBase != bBase)
        {
            throw Error("op.base_length_mismatch", $"Cannot transform operations over {aBase} and {bBase} code units.");
        }

        var capacity = a.Components.Length + b.Components.Length;
        var aPrime = new OpBuilder(capacity);
        var bPrime = new OpBuilder(capacity);

        // Canonical inputs make the tie-break depend on positions only, not on how an op happened to be written.
        var left = new Cursor(Canonical(a));
        var right = new Cursor(Canonical(b));
        while (!left.Done || !right.Done)
        {
            if (right.Kind == OpKind.Insert)
            {
                var text = right.TakeText(right.Remaining);
                bPrime.Insert(text);
                aPrime.Retain(text.Length);
                continue;
            }

            if (left.Kind == OpKind.Insert)
            {
                var text = left.TakeText(left.Remaining);
                aPrime.Insert(text);
                bPrime.Retain(text.Length);
                continue;
            }

            var n = Math.Min(left.Remaining, right.Remaining);
            switch (left.Kind, right.Kind)
            {
                case (OpKind.Retain, OpKind.Retain):
                    aPrime.Retain(n);
                    bPrime.Retain(n);
                    break;
                case (OpKind.Delete, OpKind.Retain):
                    aPrime.Delete(n);
                    break;
                case (OpKind.Retain, OpKind.Delete):
                    bPrime.Delete(n);
                    break;
                case (OpKind.Delete, OpKind.Delete):
                    // Both removed the same text: nothing left to do for either.
                    break;
                default:
                    throw new InvalidOperationException("Transform ran past the end of an operation.");
            }

            left.Take(n);
            right.Take(n);
        }

        // The text both ops make together can pass the ceiling (each may insert up to it); it stays below 2^31.
        var (aResult, bResult) = (aPrime.Build(), bPrime.Build());
        if (aResult.TargetLength > MaxLength)
        {
            throw Error("document.too_large", $"Together the operations would make a text of {aResult.TargetLength} code units; no text may be longer than {MaxLength}.");
        }

        return (aResult, bResult);
    }

    /// <summary>The operation that undoes <paramref name="op"/>, given the text <paramref name="op"/> applied to.</summary>
    public static TextOperation Invert(TextOperation op, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var (baseLength, _) = CheckShape(op);
        if (baseLength != text.Length)
        {
            throw Error("op.base_length_mismatch", $"The operation spans {baseLength} code units but the text has {text.Length}.");
        }

        var inverse = new OpBuilder();
        var position = 0;
        foreach (var c in op.Components)
        {
            switch (c.Kind)
            {
                case OpKind.Retain:
                    inverse.Retain(c.Count);
                    position += c.Count;
                    break;
                case OpKind.Insert:
                    inverse.Delete(c.Count);
                    break;
                case OpKind.Delete:
                    inverse.Insert(text.Substring(position, c.Count));
                    position += c.Count;
                    break;
            }
        }

        return inverse.Build();
    }

    /// <summary>
    /// Moves a position of the base text through <paramref name="op"/>; a position outside [0, base length] is clamped
    /// into it first, so the result is within [0, target length].
    /// </summary>
    public static int TransformPosition(int position, TextOperation op, Affinity affinity)
    {
        var (baseLength, _) = CheckShape(op);
        op = Canonical(op);
        position = Math.Clamp(position, 0, baseLength);
        var moved = position;
        var index = 0;
        foreach (var c in op.Components)
        {
            if (index > position)
            {
                break;
            }

            switch (c.Kind)
            {
                case OpKind.Retain:
                    index += c.Count;
                    break;
                case OpKind.Insert when index < position || affinity == Affinity.After:
                    moved += c.Count;
                    break;
                case OpKind.Insert:
                    break;
                case OpKind.Delete:
                    moved -= Math.Min(c.Count, position - index);
                    index += c.Count;
                    break;
            }
        }

        return moved;
    }

    /// <summary>The canonical form of any sequence of components.</summary>
    public static TextOperation Normalize(TextOperation op)
    {
        CheckShape(op);
        var builder = new OpBuilder();
        foreach (var c in op.Components)
        {
            builder.Add(c);
        }

        return builder.Build();
    }

    /// <summary>The op itself when it is already canonical (what clients send), else its canonical form.</summary>
    private static TextOperation Canonical(TextOperation op)
    {
        if (IsCanonical(op.Components))
        {
            return op;
        }

        var builder = new OpBuilder(op.Components.Length);
        foreach (var c in op.Components)
        {
            builder.Add(c);
        }

        return builder.Build();
    }

    /// <summary>
    /// Whether <see cref="OpBuilder"/> would give back these components unchanged: none empty, no two neighbours of
    /// one kind, and no insert right after a delete (canonical order puts the insert first).
    /// </summary>
    private static bool IsCanonical(ImmutableArray<OpComponent> components)
    {
        for (var i = 0; i < components.Length; i++)
        {
            var c = components[i];
            if (c.Kind == OpKind.Insert ? string.IsNullOrEmpty(c.Text) : c.Count <= 0)
            {
                return false;
            }

            if (i > 0 && (components[i - 1].Kind == c.Kind || (components[i - 1].Kind == OpKind.Delete && c.Kind == OpKind.Insert)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// What every function checks of its operations: each component (<c>op.malformed</c>), then the ceiling. The limits
    /// (<see cref="TextLimits"/>) are checked only by <see cref="Validate"/> and <see cref="Apply"/>: compose, transform
    /// and invert are algebra over any well-formed ops, and must not refuse an op the server accepted under larger limits.
    /// </summary>
    private static (int Base, int Target) CheckShape(TextOperation op)
    {
        CheckComponents(op);
        return CheckSpan(op);
    }

    private static void CheckComponents(TextOperation op)
    {
        ArgumentNullException.ThrowIfNull(op);
        for (var i = 0; i < op.Components.Length; i++)
        {
            var c = op.Components[i];
            switch (c.Kind)
            {
                case OpKind.Retain or OpKind.Delete when c.Count <= 0:
                    throw Error("op.malformed", $"Component {i} is a {c.Kind.ToString().ToLowerInvariant()} of less than 1 code unit.");
                case OpKind.Insert when string.IsNullOrEmpty(c.Text) || c.Count != c.Text.Length:
                    throw Error("op.malformed", $"Component {i} is an insert whose text is empty or does not match its count.");
                case OpKind.Retain or OpKind.Delete or OpKind.Insert:
                    break;
                default:
                    throw Error("op.malformed", $"Component {i} is of an unknown kind.");
            }
        }
    }

    /// <summary>
    /// The op's base and target lengths, once they are known to be at most <see cref="MaxLength"/>. They are summed in
    /// 64 bits (no count exceeds 2^31 - 1 and no op has 2^31 components, so the sums stay below 2^62): counts that would
    /// wrap around a 32-bit sum cannot pass for a short op.
    /// </summary>
    private static (int Base, int Target) CheckSpan(TextOperation op)
    {
        var baseLength = op.BaseLength;
        if (baseLength > MaxLength)
        {
            throw Error("op.base_length_mismatch", $"The operation spans {baseLength} code units; no text is longer than {MaxLength}.");
        }

        var target = op.TargetLength;
        if (target > MaxLength)
        {
            throw Error("op.too_large", $"The operation would make a text of {target} code units; no text may be longer than {MaxLength}.");
        }

        return ((int)baseLength, (int)target);
    }

    private static bool SplitsPair(string text, int position) =>
        position > 0 && position < text.Length && char.IsHighSurrogate(text[position - 1]) && char.IsLowSurrogate(text[position]);

    private static bool HasLoneSurrogate(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]))
            {
                if (i + 1 >= text.Length || !char.IsLowSurrogate(text[i + 1]))
                {
                    return true;
                }

                i++;
            }
            else if (char.IsLowSurrogate(text[i]))
            {
                return true;
            }
        }

        return false;
    }

    private static ValidationFailedException Error(string code, string message) => new(code, message, Field);

    /// <summary>
    /// Reads an operation component by component, splitting components as callers take parts of them. Offsets never
    /// exceed a component's count, and callers line two cursors up only after checking both ops' lengths.
    /// </summary>
    private struct Cursor(TextOperation op)
    {
        private readonly ImmutableArray<OpComponent> _components = op.Components;
        private int _index;
        private int _offset;

        public readonly bool Done => _index >= _components.Length;

        /// <summary>Kind of the current component; after the end, a retain that never runs out.</summary>
        public readonly OpKind Kind => Done ? OpKind.Retain : _components[_index].Kind;

        public readonly int Remaining => Done ? int.MaxValue : _components[_index].Count - _offset;

        public int Take(int count)
        {
            if (Done)
            {
                throw new InvalidOperationException("The operations' lengths do not line up.");
            }

            _offset += count;
            if (_offset == _components[_index].Count)
            {
                _index++;
                _offset = 0;
            }

            return count;
        }

        public string TakeText(int count)
        {
            var text = _components[_index].Text!.Substring(_offset, count);
            Take(count);
            return text;
        }
    }
}

/// <summary>
/// Builds canonical operations: merges neighbours of a kind and keeps inserts before adjacent deletes. A merged count
/// is at most the length the built op spans or produces, and the engine only builds ops from inputs within
/// <see cref="TextOt.MaxLength"/> (at most three times it, below 2^31), so the sums here cannot overflow.
/// </summary>
internal sealed class OpBuilder(int capacity = 4)
{
    private readonly List<OpComponent> _components = new(capacity);

    public void Add(OpComponent component)
    {
        switch (component.Kind)
        {
            case OpKind.Retain:
                Retain(component.Count);
                break;
            case OpKind.Insert:
                Insert(component.Text!);
                break;
            default:
                Delete(component.Count);
                break;
        }
    }

    public void Retain(int count)
    {
        if (count == 0)
        {
            return;
        }

        if (_components.Count > 0 && _components[^1].Kind == OpKind.Retain)
        {
            _components[^1] = OpComponent.Retain(_components[^1].Count + count);
        }
        else
        {
            _components.Add(OpComponent.Retain(count));
        }
    }

    public void Delete(int count)
    {
        if (count == 0)
        {
            return;
        }

        if (_components.Count > 0 && _components[^1].Kind == OpKind.Delete)
        {
            _components[^1] = OpComponent.Delete(_components[^1].Count + count);
        }
        else
        {
            _components.Add(OpComponent.Delete(count));
        }
    }

    public void Insert(string text)
    {
        if (text.Length == 0)
        {
            return;
        }

        var last = _components.Count - 1;
        if (last >= 0 && _components[last].Kind == OpKind.Insert)
        {
            _components[last] = OpComponent.Insert(_components[last].Text + text);
        }
        else if (last >= 0 && _components[last].Kind == OpKind.Delete)
        {
            // Canonical order: the insert goes before the delete it touches (and joins an insert before that).
            if (last >= 1 && _components[last - 1].Kind == OpKind.Insert)
            {
                _components[last - 1] = OpComponent.Insert(_components[last - 1].Text + text);
            }
            else
            {
                _components.Insert(last, OpComponent.Insert(text));
            }
        }
        else
        {
            _components.Add(OpComponent.Insert(text));
        }
    }

    public TextOperation Build() => new(ImmutableArray.Create(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_components)));
}
