using Collab.Errors;
using Collab.Text;

namespace Collab.Documents;

/// <summary>
/// The anchored ranges of one document at its committed revision, without Orleans and without I/O: the id rules and
/// the bound (<see cref="DocumentOptions.MaxAnchors"/>), lookups, the one anchor whose write is in flight (moved like the
/// others, found only once its write succeeded), moving every anchor through a committed batch, what to store, and
/// restoring what was stored.
/// </summary>
/// <remarks>
/// A batch moves every anchor in one sweep per op: both ends of every anchor are kept ordered by position, so one walk
/// over the op's components moves them all (no per-anchor transform, nothing allocated per anchor). The batch is not
/// composed into one op first: a composed op loses where a deleted position went relative to text a later op inserted
/// at the same place (delete "ab" around a point, then insert "x" where it was: in turn the point stays before "x",
/// through the composed "insert x, delete 2" it lands after it), so the result would differ from moving through the ops
/// in turn, which is what <see cref="AnchorRange.Through"/> defines.
/// </remarks>
internal sealed class AnchorBook(DocumentOptions options)
{
    // The anchors readers see, by id.
    private readonly Dictionary<string, Slot> _slots = new(StringComparer.Ordinal);

    // Both ends of every anchor, the one being written included, ordered by position before each sweep.
    private readonly List<End> _ends = [];

    // Ends were added in bulk (restore): a full sort before the next sweep instead of an insertion sort.
    private bool _unsorted;

    private (string Id, Slot Slot)? _beingWritten;

    /// <summary>Anchors readers see (not the one being written).</summary>
    public int Count => _slots.Count;

    /// <summary>An anchor is being written.</summary>
    public bool Writing => _beingWritten is not null;

    /// <summary>Refuses an id that is empty, too long, or has other characters than letters, digits, '.', '_', '-' or ':'.</summary>
    public void ValidateId(string? id)
    {
        if (string.IsNullOrEmpty(id) || id.Length > options.MaxAnchorIdLength || !DocumentSequencer.IdPattern().IsMatch(id))
        {
            throw new ValidationFailedException(
                "anchor.id_invalid", $"An anchor id has 1–{options.MaxAnchorIdLength} letters, digits, '.', '_', '-' or ':'.", "anchorId");
        }
    }

    /// <summary>Refuses a new anchor when the document already keeps <see cref="DocumentOptions.MaxAnchors"/>.</summary>
    public void EnsureRoom(string docId)
    {
        if (_slots.Count >= options.MaxAnchors)
        {
            throw new ConflictException("anchor.too_many", $"Document '{docId}' already has {options.MaxAnchors} anchors, the most it keeps.");
        }
    }

    public bool Contains(string id) => _slots.ContainsKey(id);

    public bool TryGet(string id, out AnchorRange range)
    {
        if (_slots.TryGetValue(id, out var slot))
        {
            range = slot.Range;
            return true;
        }

        range = default;
        return false;
    }

    /// <summary>The known anchors among <paramref name="ids"/>, each once, in the order asked.</summary>
    public List<(string Id, AnchorRange Range)> Find(IEnumerable<string> ids)
    {
        var found = new List<(string Id, AnchorRange Range)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var id in ids)
        {
            if (id is not null && seen.Add(id) && _slots.TryGetValue(id, out var slot))
            {
                found.Add((id, slot.Range));
            }
        }

        return found;
    }

    /// <summary>
    /// Starts writing a new anchor at the committed revision: from now on it moves with commits and is stored by
    /// <see cref="ToStored"/>, but readers find it only after <see cref="EndWrite"/> with <c>durable</c>.
    /// </summary>
    public void BeginWrite(string id, AnchorRange range)
    {
        if (_beingWritten is not null || _slots.ContainsKey(id))
        {
            throw new InvalidOperationException($"Anchor '{id}' cannot be written: it exists or another anchor is being written.");
        }

        var slot = new Slot(range);
        _beingWritten = (id, slot);
        AddEnds(slot);
    }

    /// <summary>The anchor being written becomes visible (its write succeeded) or is dropped (it failed).</summary>
    public void EndWrite(bool durable)
    {
        if (_beingWritten is not var (id, slot))
        {
            return;
        }

        _beingWritten = null;
        if (durable)
        {
            _slots[id] = slot;
        }
        else
        {
            _ends.RemoveAll(e => e.Slot == slot);
        }
    }

    /// <summary>Every anchor and the one being written, at <paramref name="revision"/> (the committed one).</summary>
    public List<AnchorState> ToStored(int revision)
    {
        var stored = new List<AnchorState>(_slots.Count + 1);
        foreach (var (id, slot) in _slots)
        {
            stored.Add(new AnchorState(id, slot.Start, slot.End, revision));
        }

        if (_beingWritten is var (newId, newSlot))
        {
            stored.Add(new AnchorState(newId, newSlot.Start, newSlot.End, revision));
        }

        return stored;
    }

    /// <summary>Moves every anchor, and the one being written, through ops that just became durable, in order.</summary>
    public void MoveThrough(IReadOnlyList<CommittedOp> ops)
    {
        if (_ends.Count == 0)
        {
            return;
        }

        foreach (var op in ops)
        {
            Sweep(op.Op);
        }
    }

    /// <summary>
    /// The anchors as stored (each at the revision it was written at), moved through <paramref name="history"/>: the
    /// committed ops after the oldest of them up to <paramref name="committedRevision"/>, in order.
    /// </summary>
    public static AnchorBook Restore(
        DocumentOptions options, string docId, IReadOnlyList<AnchorState> stored, IReadOnlyList<CommittedOp> history, int committedRevision)
    {
        var book = new AnchorBook(options);
        if (stored.Count == 0)
        {
            return book;
        }

        var byRevision = stored.OrderBy(a => a.Revision).ToList();
        var oldest = byRevision[0].Revision;
        if (byRevision[^1].Revision > committedRevision)
        {
            var late = byRevision[^1];
            throw new InvalidOperationException(
                $"Anchor '{late.AnchorId}' of '{docId}' is at revision {late.Revision}, after the op log's last revision {committedRevision}.");
        }

        var ops = history.Where(op => op.Revision > oldest).ToList();
        if (ops.Count != committedRevision - oldest || (ops.Count > 0 && (ops[0].Revision != oldest + 1 || ops[^1].Revision != committedRevision)))
        {
            throw new InvalidOperationException(
                $"Anchors of '{docId}' need the ops after revision {oldest} up to {committedRevision}; {ops.Count} were read.");
        }

        // Each anchor joins before the first op after its revision; from then on all move together.
        var next = 0;
        foreach (var op in ops)
        {
            next = book.AddStored(byRevision, next, op.Revision);
            book.Sweep(op.Op);
        }

        book.AddStored(byRevision, next, int.MaxValue);
        return book;
    }

    private int AddStored(List<AnchorState> byRevision, int next, int before)
    {
        for (; next < byRevision.Count && byRevision[next].Revision < before; next++)
        {
            var anchor = byRevision[next];
            var slot = new Slot(new AnchorRange(anchor.Start, anchor.End));
            if (_slots.Remove(anchor.AnchorId, out var replaced))
            {
                _ends.RemoveAll(e => e.Slot == replaced);
            }

            _slots[anchor.AnchorId] = slot;
            AddEnds(slot);
            _unsorted = true;
        }

        return next;
    }

    private void AddEnds(Slot slot)
    {
        _ends.Add(new End(slot, IsEnd: false));
        _ends.Add(new End(slot, IsEnd: true));
    }

    /// <summary>
    /// Moves every end through <paramref name="op"/> as <see cref="TextOt.TransformPosition"/> would, in one walk: a
    /// position p moves by the inserts before it (and the one at p when it keeps after inserted text) less what was
    /// deleted before it. Affinities are <see cref="AnchorRange.Through"/>'s, taken from the range before the op.
    /// </summary>
    private void Sweep(TextOperation op)
    {
        Order();
        var components = TextOt.Normalize(op).Components;
        var baseLength = (int)op.BaseLength;
        var k = 0;
        var index = 0;   // where components[k] starts in the text before the op
        var shift = 0;   // what components[..k] moved every position at or after index
        foreach (var end in _ends)
        {
            var slot = end.Slot;
            var position = Math.Clamp(end.IsEnd ? slot.End : slot.Start, 0, baseLength);
            var after = !end.IsEnd && slot.Start != slot.End;

            // Components that move this position and every later one alike: retains, inserts before it, deletes ending at it.
            while (k < components.Length)
            {
                var c = components[k];
                if (c.Kind == OpKind.Retain)
                {
                    index += c.Count;
                }
                else if (c.Kind == OpKind.Insert && index < position)
                {
                    shift += c.Count;
                }
                else if (c.Kind == OpKind.Delete && index + c.Count <= position)
                {
                    shift -= c.Count;
                    index += c.Count;
                }
                else
                {
                    break;
                }

                k++;
            }

            var moved = position + shift;
            if (k < components.Length)
            {
                var c = components[k];
                if (c.Kind == OpKind.Insert && index == position && after)
                {
                    moved += c.Count;
                }
                else if (c.Kind == OpKind.Delete && index < position)
                {
                    moved -= position - index;
                }
            }

            if (end.IsEnd)
            {
                slot.NextEnd = moved;
            }
            else
            {
                slot.NextStart = moved;
            }
        }

        foreach (var end in _ends)
        {
            if (!end.IsEnd)
            {
                end.Slot.Range = new AnchorRange(Math.Min(end.Slot.NextStart, end.Slot.NextEnd), end.Slot.NextEnd);
            }
        }
    }

    /// <summary>Orders the ends by position: a full sort after a restore, else an insertion sort (a sweep keeps them ordered
    /// but for ends that were at one position, and an anchor added since).</summary>
    private void Order()
    {
        if (_unsorted)
        {
            _ends.Sort(static (a, b) => a.Position.CompareTo(b.Position));
            _unsorted = false;
            return;
        }

        for (var i = 1; i < _ends.Count; i++)
        {
            var current = _ends[i];
            var j = i - 1;
            while (j >= 0 && _ends[j].Position > current.Position)
            {
                _ends[j + 1] = _ends[j];
                j--;
            }

            _ends[j + 1] = current;
        }
    }

    /// <summary>One anchor's range, moved in place.</summary>
    private sealed class Slot(AnchorRange range)
    {
        public AnchorRange Range { get; set; } = range;

        public int Start => Range.Start;

        public int End => Range.End;

        // Where the sweep under way moves the ends (the range keeps the positions before the op until it is done).
        public int NextStart { get; set; }

        public int NextEnd { get; set; }
    }

    private readonly record struct End(Slot Slot, bool IsEnd)
    {
        public int Position => IsEnd ? Slot.End : Slot.Start;
    }
}
