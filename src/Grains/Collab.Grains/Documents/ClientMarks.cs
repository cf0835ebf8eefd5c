namespace Collab.Documents;

/// <summary>
/// The exactly-once marks of one document: per client id, the highest sequence number it committed and the revision of
/// its latest commit. A submission whose sequence number is at or below its client's mark was sent before and is
/// answered with its original ack (found in memory or in the op log), never applied again.
/// <para>
/// The marks are bounded, so they do not grow with every client a document ever had (they are written into every
/// snapshot). The rule: only the <see cref="DocumentOptions.ClientMarksKept"/> clients that committed most recently keep
/// a mark, and a client whose latest commit is more than <see cref="DocumentOptions.ClientMarkSpan"/> revisions old
/// loses it. Dropping a client's mark raises <see cref="CompleteAfter"/> to that client's latest commit, so that every op
/// committed after <see cref="CompleteAfter"/> still has its client's mark here.
/// </para>
/// <para>
/// That keeps the guarantee: a client resubmits an op with a base revision it had seen, which (as its own op was not
/// among what it had seen) is below the revision the op was committed at. So if a client without a mark resubmits with a
/// base at or after <see cref="CompleteAfter"/>, its op was never committed (its commit would be after the base, hence
/// after <see cref="CompleteAfter"/>, and its mark would be here); if the base is before, the op log, which stores every
/// op with its client id and sequence number, is asked (<see cref="IOpLog.FindAsync"/>) before the op is sequenced.
/// The same holds for a client whose mark was started after marks had been dropped (<see cref="ClientMark.Partial"/>)
/// and who sends a sequence number above its mark: clients count up, but one that did not must not get an op applied twice.
/// </para>
/// </summary>
internal sealed class ClientMarks
{
    private readonly int _kept;
    private readonly int _span;

    // Oldest latest-commit first: pruning takes from the front, a commit moves its client to the back.
    private readonly LinkedList<(string ClientId, ClientMark Mark)> _byRecency = new();
    private readonly Dictionary<string, LinkedListNode<(string ClientId, ClientMark Mark)>> _byClient = new(StringComparer.Ordinal);

    public ClientMarks(int kept, int span)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(kept);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(span);
        _kept = kept;
        _span = span;
    }

    /// <summary>Every op committed after this revision has its client's mark here (0: no mark was ever dropped).</summary>
    public int CompleteAfter { get; private set; }

    public int Count => _byClient.Count;

    /// <summary>Marks as stored with a snapshot, oldest commit first; prune once the log's tail is replayed.</summary>
    public static ClientMarks Restore(IReadOnlyDictionary<string, ClientMark> stored, int completeAfter, int kept, int span)
    {
        var marks = new ClientMarks(kept, span) { CompleteAfter = completeAfter };
        foreach (var (client, mark) in stored.OrderBy(m => m.Value.Revision).ThenBy(m => m.Key, StringComparer.Ordinal))
        {
            marks._byClient[client] = marks._byRecency.AddLast((client, mark));
        }

        return marks;
    }

    public bool TryGet(string clientId, out ClientMark mark)
    {
        if (_byClient.TryGetValue(clientId, out var node))
        {
            mark = node.Value.Mark;
            return true;
        }

        mark = null!;
        return false;
    }

    /// <summary>Records a commit (revisions in increasing order). The mark's sequence number never goes down.</summary>
    public void Committed(string clientId, long clientSeq, int revision)
    {
        // A client new to the marks after some were dropped may be one whose mark was dropped: its earlier commits
        // may have higher sequence numbers than this one, so its mark does not prove a higher one new.
        var partial = CompleteAfter > 0;
        if (_byClient.Remove(clientId, out var node))
        {
            _byRecency.Remove(node);
            clientSeq = Math.Max(clientSeq, node.Value.Mark.Seq);
            partial = node.Value.Mark.Partial;
        }

        _byClient[clientId] = _byRecency.AddLast((clientId, new ClientMark(clientSeq, revision, partial)));
    }

    /// <summary>Drops the marks the rule no longer keeps at <paramref name="committedRevision"/>.</summary>
    public void Prune(int committedRevision)
    {
        while (_byRecency.First is { } oldest
            && (_byClient.Count > _kept || committedRevision - oldest.Value.Mark.Revision > _span))
        {
            _byRecency.RemoveFirst();
            _byClient.Remove(oldest.Value.ClientId);
            CompleteAfter = Math.Max(CompleteAfter, oldest.Value.Mark.Revision);
        }
    }

    /// <summary>A copy for a snapshot.</summary>
    public Dictionary<string, ClientMark> ToDictionary()
    {
        var copy = new Dictionary<string, ClientMark>(_byClient.Count, StringComparer.Ordinal);
        foreach (var (client, mark) in _byRecency)
        {
            copy[client] = mark;
        }

        return copy;
    }
}
