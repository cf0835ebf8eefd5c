using Collab.Text;

namespace Collab.Documents;

/// <summary>
/// An anchored range [<see cref="Start"/>, <see cref="End"/>) that follows edits like a selection: text inserted exactly
/// at its start or at its end stays outside it, text inserted strictly inside grows it, deletions shrink it. Once it
/// covers nothing (everything it covered was deleted, or it was anchored empty) it is a point and moves as one, staying
/// before text later inserted at its place, so it never grows again.
/// </summary>
internal readonly record struct AnchorRange(int Start, int End)
{
    public bool Collapsed => Start == End;

    /// <summary>The range in the text after <paramref name="op"/>, given it was a range of the text before it.</summary>
    public AnchorRange Through(TextOperation op)
    {
        if (Collapsed)
        {
            var at = TextOt.TransformPosition(Start, op, Affinity.Before);
            return new AnchorRange(at, at);
        }

        var start = TextOt.TransformPosition(Start, op, Affinity.After);
        var end = TextOt.TransformPosition(End, op, Affinity.Before);

        // Both transforms are monotone, so a non-empty range cannot turn inside out; the guard keeps start <= end anyway.
        return new AnchorRange(Math.Min(start, end), end);
    }
}
