using Collab.Text;

namespace Collab.Documents;

/// <summary>
/// Who is in one document and where their selections are, without Orleans and never persisted. Changes (an update, a
/// leave, selections moved through committed ops, an expiry) only mark it <see cref="Dirty"/>; the grain's timer takes
/// one <see cref="TakeBatch"/> per <see cref="DocumentOptions.PresenceInterval"/>, so a burst of changes costs one push.
/// </summary>
internal sealed class PresenceBatcher(TimeSpan expiry)
{
    private readonly Dictionary<string, Slot> _slots = [];

    // Connections whose presence changed since the last batch: a second update before it replaces the first.
    private readonly HashSet<string> _unsent = new(StringComparer.Ordinal);

    /// <summary>Something changed since the last batch.</summary>
    public bool Dirty { get; private set; }

    public int Count => _slots.Count;

    /// <summary>Sets a connection's presence; false when it replaced one of the same connection not pushed yet.</summary>
    public bool Update(PresenceEntry entry, DateTimeOffset now)
    {
        var first = _unsent.Add(entry.ConnectionId);
        _slots[entry.ConnectionId] = new Slot(entry, now);
        Dirty = true;
        return first;
    }

    public void Leave(string connectionId)
    {
        _unsent.Remove(connectionId);
        if (_slots.Remove(connectionId))
        {
            Dirty = true;
        }
    }

    /// <summary>Moves every selection through ops that just became durable, in one pass per selection.</summary>
    public void MoveThrough(IReadOnlyList<CommittedOp> ops)
    {
        foreach (var (connection, slot) in _slots.ToList())
        {
            if (slot.Entry.Selection is not { } s)
            {
                continue;
            }

            var anchor = s.Anchor;
            var head = s.Head;
            foreach (var op in ops)
            {
                anchor = TextOt.TransformPosition(anchor, op.Op, Affinity.After);
                head = TextOt.TransformPosition(head, op.Op, Affinity.After);
            }

            if (anchor != s.Anchor || head != s.Head)
            {
                // Re-announced (batched) so that late joiners and lagging clients get positions at a recent revision.
                _slots[connection] = slot with { Entry = slot.Entry with { Selection = new Selection(anchor, head) } };
                Dirty = true;
            }
        }
    }

    /// <summary>Drops connections not heard of for longer than the expiry; then, if anything changed, everyone present.</summary>
    public IReadOnlyList<PresenceEntry>? TakeBatch(DateTimeOffset now)
    {
        foreach (var (connection, slot) in _slots.ToList())
        {
            if (now - slot.SeenAt > expiry)
            {
                _slots.Remove(connection);
                Dirty = true;
            }
        }

        if (!Dirty)
        {
            return null;
        }

        Dirty = false;
        _unsent.Clear();
        return Entries();
    }

    /// <summary>Everyone present now.</summary>
    public List<PresenceEntry> Entries() => _slots.Values.Select(p => p.Entry).ToList();

    private sealed record Slot(PresenceEntry Entry, DateTimeOffset SeenAt);
}
