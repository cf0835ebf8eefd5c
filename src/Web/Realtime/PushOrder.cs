using Collab.Documents;

namespace Collab.Web.Realtime;

/// <summary>
/// One document's pushes on one web node (<see cref="DocumentFanout"/>): the next revision to forward, the batches that
/// arrived ahead of it, and the outbox of ops ready to go while a send is under way, which leave together in the next
/// push. Not thread-safe: the fan-out locks the instance.
/// </summary>
public sealed class PushOrder
{
    private readonly SortedDictionary<int, (OpsCommitted Batch, DateTime HeldSince)> _held = [];
    private readonly List<CommittedOp> _outbox = [];
    private int _next = -1;
    private bool _sending;

    public bool HasHeld => _held.Count > 0;

    /// <summary>Puts ready batches in the outbox; true when the caller must send them (no send is under way).</summary>
    public bool Enqueue(List<OpsCommitted> ready)
    {
        foreach (var batch in ready)
        {
            _outbox.AddRange(batch.Ops);
        }

        if (_sending || _outbox.Count == 0)
        {
            return false;
        }

        _sending = true;
        return true;
    }

    /// <summary>Everything in the outbox as one push, in revision order; null (and no longer sending) when empty.</summary>
    public OpsCommitted? TakeOutbox(string docId)
    {
        if (_outbox.Count == 0)
        {
            _sending = false;
            return null;
        }

        var ops = _outbox.ToArray();
        _outbox.Clear();
        return new OpsCommitted(docId, ops);
    }

    /// <summary>A send failed: the next notification sends what is left.</summary>
    public void SendFailed() => _sending = false;

    /// <summary>What may be sent now, in order; <paramref name="batch"/> may be null to release overdue ones only.</summary>
    public List<OpsCommitted> Accept(OpsCommitted? batch, DateTime now, TimeSpan window)
    {
        var ready = new List<OpsCommitted>();
        if (batch is { Ops.Count: > 0 })
        {
            var first = batch.Ops[0].Revision;
            if (_next < 0 || first <= _next)
            {
                ready.Add(batch);
                _next = Math.Max(_next, batch.Ops[^1].Revision + 1);
            }
            else
            {
                _held[first] = (batch, now);
            }
        }

        // Release what became contiguous, and anything held longer than the window (its predecessor is lost).
        while (_held.Count > 0)
        {
            var (first, (held, since)) = _held.First();
            if (first > _next && now - since < window)
            {
                break;
            }

            _held.Remove(first);
            ready.Add(held);
            _next = Math.Max(_next, held.Ops[^1].Revision + 1);
        }

        return ready;
    }
}
