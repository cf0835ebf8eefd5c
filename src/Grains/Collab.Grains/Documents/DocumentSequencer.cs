using System.Text.RegularExpressions;
using Collab.Errors;
using Collab.Text;

namespace Collab.Documents;

/// <summary>
/// The sequencer of one text, without Orleans and without I/O: the text and revision including sequenced ops that are
/// not durable yet, the committed revision, the recent window of ops, the exactly-once <see cref="ClientMarks"/>, and
/// the transform and apply of a submitted op. <see cref="DocumentGrain"/> owns the awaits (op-log reads and appends,
/// state writes) and calls in this order for a submission:
/// <list type="number">
/// <item><see cref="ValidateClient"/>, then <see cref="Recognise"/>: a resubmission is answered with its original ack
/// (from memory, from the pending batch, or from the op log when <see cref="Recognition.SearchLog"/> says so);</item>
/// <item><see cref="Admit"/> (op shape, base revision), then, while <see cref="Missing"/> names ops older than the
/// window, <see cref="Through"/> with those ops read from the log (re-<see cref="Recognise"/> after each await);</item>
/// <item><see cref="Sequence"/>, synchronously after the last <see cref="Recognise"/>: the op gets the next revision;</item>
/// <item><see cref="Committed"/> once its batch is durable.</item>
/// </list>
/// </summary>
internal sealed partial class DocumentSequencer
{
    private readonly string _docId;
    private readonly DocumentOptions _options;
    private readonly LinkedList<CommittedOp> _recent = new();

    // Sequenced but not yet durable, by (client, sequence number): a resubmission racing its original waits for it.
    private readonly Dictionary<(string ClientId, long ClientSeq), int> _pending = [];

    public DocumentSequencer(string docId, DocumentOptions options, string text = "", int revision = 0, ClientMarks? marks = null)
    {
        _docId = docId;
        _options = options;
        Text = text;
        Revision = revision;
        CommittedRevision = revision;
        CommittedLength = text.Length;
        Marks = marks ?? new ClientMarks(options.ClientMarksKept, options.ClientMarkSpan);
    }

    /// <summary>The text including sequenced ops that are not durable yet: what the next submission is transformed against.</summary>
    public string Text { get; private set; }

    /// <summary>The revision of <see cref="Text"/>.</summary>
    public int Revision { get; private set; }

    /// <summary>What is durable: the only revision anyone outside is told about.</summary>
    public int CommittedRevision { get; private set; }

    /// <summary>The text's length at <see cref="CommittedRevision"/>.</summary>
    public int CommittedLength { get; private set; }

    /// <summary>True when nothing sequenced awaits its commit (then <see cref="Text"/> is the committed text).</summary>
    public bool AllCommitted => Revision == CommittedRevision;

    public ClientMarks Marks { get; }

    /// <summary>
    /// The recent ops, oldest first: the last <see cref="DocumentOptions.RecentOpsKept"/> committed ones (more until the
    /// next op is sequenced) and every one not durable yet.
    /// </summary>
    public IReadOnlyCollection<CommittedOp> Window => _recent;

    /// <summary>The newest op sequenced, if the window holds any.</summary>
    public CommittedOp? Newest => _recent.Last?.Value;

    /// <summary>The oldest revision in the window, or null when it is empty.</summary>
    public int? OldestKept => _recent.First?.Value.Revision;

    /// <summary>Replays an op read from the log on activation (it is durable).</summary>
    public void Replay(CommittedOp op)
    {
        if (op.Revision != Revision + 1)
        {
            throw new InvalidOperationException($"Op log of '{_docId}' jumps from revision {Revision} to {op.Revision}.");
        }

        Text = TextOt.Apply(Text, op.Op, _options.Limits);
        Revision = CommittedRevision = op.Revision;
        CommittedLength = Text.Length;
        Marks.Committed(op.ClientId, op.ClientSeq, op.Revision);
        Remember(op);
    }

    /// <summary>Drops the marks the rule no longer keeps (after a replay; commits prune by themselves).</summary>
    public void PruneMarks() => Marks.Prune(CommittedRevision);

    /// <summary>The client id and sequence are stored with the op and pushed to every reader: short, printable, counted from 1.</summary>
    public void ValidateClient(string clientId, long clientSeq)
    {
        if (string.IsNullOrEmpty(clientId) || clientId.Length > _options.MaxClientIdLength || !IdPattern().IsMatch(clientId))
        {
            throw new ValidationFailedException(
                "op.client_id_invalid", $"A client id has 1–{_options.MaxClientIdLength} letters, digits, '.', '_', '-' or ':' (e.g. a UUID).", "clientId");
        }

        if (clientSeq < 1)
        {
            throw new ValidationFailedException("op.client_seq_invalid", "A client's sequence numbers count from 1.", "clientSeq");
        }
    }

    /// <summary>
    /// Whether (<paramref name="clientId"/>, <paramref name="clientSeq"/>) was sent before. <paramref name="logSearchedUpTo"/>:
    /// after a <see cref="Recognition.SearchLog"/> without a reuse limit found nothing, the committed revision when the
    /// search was sent (it saw every op up to there; one committed since, whose mark was dropped since, needs another).
    /// </summary>
    public Recognition Recognise(string clientId, long clientSeq, int baseRevision, int? logSearchedUpTo)
    {
        if (_pending.TryGetValue((clientId, clientSeq), out var pending))
        {
            return Recognition.Pending(pending);
        }

        if (Marks.TryGet(clientId, out var mark))
        {
            if (clientSeq > mark.Seq)
            {
                return mark.Partial ? Unmarked() : Recognition.New;
            }

            if (clientSeq == mark.Seq && Find(mark.Revision) is { } recent && recent.ClientId == clientId && recent.ClientSeq == clientSeq)
            {
                return Recognition.Known(recent);
            }

            return Recognition.SearchLog(mark.Seq);
        }

        return Unmarked();

        // No mark that covers it: the client never committed it, or its mark was dropped; only in the second case can
        // the op be in the log, and then it was committed at or before CompleteAfter, after the base it was sent with.
        Recognition Unmarked() => baseRevision < Marks.CompleteAfter && !(logSearchedUpTo >= Marks.CompleteAfter)
            ? Recognition.SearchLog(null)
            : Recognition.New;
    }

    /// <summary>The refusal of a sequence number reused for another op.</summary>
    public static ValidationFailedException SequenceReused(string clientId, long upTo) =>
        new("op.sequence_reused", $"Client '{clientId}' already used sequence numbers up to {upTo}.", "clientSeq");

    /// <summary>Checks the op's shape and its base revision; the op still has to be rebased.</summary>
    public Rebase Admit(TextOperation op, int baseRevision)
    {
        TextOt.Validate(op, _options.Limits);
        if (baseRevision < 0 || baseRevision > CommittedRevision)
        {
            throw new ValidationFailedException(
                "revision.in_future", $"Base revision {baseRevision} is not a revision of '{_docId}' (latest is {CommittedRevision}).", "baseRevision");
        }

        if (Revision - baseRevision > _options.MaxTransformSpan)
        {
            throw new ValidationFailedException(
                "revision.too_old", $"Base revision {baseRevision} is more than {_options.MaxTransformSpan} revisions old; reopen the document.", "baseRevision");
        }

        return new Rebase(op, baseRevision);
    }

    /// <summary>The ops, older than the window, that <paramref name="rebase"/> must go through first (read them from the log).</summary>
    public (int AfterRevision, int ToRevision)? Missing(Rebase rebase)
    {
        var oldest = OldestKept ?? Revision + 1;
        return rebase.At + 1 < oldest ? (rebase.At, oldest - 1) : null;
    }

    /// <summary>Transforms <paramref name="rebase"/> through ops read from the log, which must reach <paramref name="toRevision"/>.</summary>
    public void Through(Rebase rebase, IReadOnlyList<CommittedOp> older, int toRevision)
    {
        foreach (var op in older)
        {
            if (op.Revision <= rebase.At)
            {
                continue;
            }

            if (op.Revision != rebase.At + 1)
            {
                break;
            }

            rebase.Op = TextOt.Transform(rebase.Op, op.Op).APrime;
            rebase.At = op.Revision;
        }

        if (rebase.At < toRevision)
        {
            throw new InvalidOperationException($"Op log of '{_docId}' has no revision {rebase.At + 1} (asked up to {toRevision}).");
        }
    }

    /// <summary>
    /// Transforms the op through the window's ops after its base, applies it and gives it the next revision. Call it
    /// synchronously after a <see cref="Recognise"/> that said <see cref="RecognitionKind.New"/> and with nothing
    /// <see cref="Missing"/>.
    /// </summary>
    public CommittedOp Sequence(
        Rebase rebase, string clientId, long clientSeq, string authorId, string authorName, DateTimeOffset at, DateTimeOffset? clientTime)
    {
        if (Missing(rebase) is { } missing)
        {
            throw new InvalidOperationException($"Rebase the op through revisions {missing.AfterRevision + 1}–{missing.ToRevision} first.");
        }

        // Walk back from the newest op to the first one after the base, then transform forwards.
        var op = rebase.Op;
        var first = _recent.Last;
        while (first?.Previous is { } previous && previous.Value.Revision > rebase.At)
        {
            first = previous;
        }

        for (var node = first; node is not null; node = node.Next)
        {
            if (node.Value.Revision > rebase.At)
            {
                op = TextOt.Transform(op, node.Value.Op).APrime;
            }
        }

        var text = TextOt.Apply(Text, op, _options.Limits);
        var entry = new CommittedOp(Revision + 1, op, clientId, clientSeq, authorId, authorName, at, clientTime);
        Text = text;
        Revision = entry.Revision;
        Remember(entry);
        _pending[(clientId, clientSeq)] = entry.Revision;
        return entry;
    }

    /// <summary>A batch of sequenced ops, the next ones in order, is durable: they count as committed and mark their clients.</summary>
    public void Committed(IReadOnlyList<CommittedOp> batch)
    {
        foreach (var op in batch)
        {
            if (op.Revision != CommittedRevision + 1 || op.Revision > Revision)
            {
                throw new InvalidOperationException($"Revision {op.Revision} of '{_docId}' committed after {CommittedRevision} (sequenced up to {Revision}).");
            }

            CommittedRevision = op.Revision;
            CommittedLength = (int)op.Op.TargetLength;
            Marks.Committed(op.ClientId, op.ClientSeq, op.Revision);
            _pending.Remove((op.ClientId, op.ClientSeq));
        }

        Marks.Prune(CommittedRevision);
    }

    /// <summary>The op at <paramref name="revision"/> if the window holds it.</summary>
    public CommittedOp? Find(int revision)
    {
        for (var node = _recent.Last; node is not null; node = node.Previous)
        {
            if (node.Value.Revision == revision)
            {
                return node.Value;
            }

            if (node.Value.Revision < revision)
            {
                break;
            }
        }

        return null;
    }

    /// <summary>The ops in (<paramref name="afterRevision"/>, <paramref name="toRevision"/>] if the window holds them all.</summary>
    public bool TryGetOps(int afterRevision, int toRevision, out List<CommittedOp> ops)
    {
        ops = [];
        if (afterRevision + 1 < (OldestKept ?? int.MaxValue))
        {
            return false;
        }

        // Newest first: catch-ups ask for the last few ops.
        for (var node = _recent.Last; node is not null && node.Value.Revision > afterRevision; node = node.Previous)
        {
            if (node.Value.Revision <= toRevision)
            {
                ops.Add(node.Value);
            }
        }

        ops.Reverse();
        return true;
    }

    /// <summary>Client, document and anchor ids.</summary>
    [GeneratedRegex(@"^[A-Za-z0-9._:-]+\z", RegexOptions.CultureInvariant)]
    internal static partial Regex IdPattern();

    /// <summary>
    /// A selection in the text at <paramref name="fromRevision"/> moved to <paramref name="toRevision"/> through the
    /// window; null when the window no longer holds those ops (dropped rather than pointing at the wrong text).
    /// </summary>
    public Selection? MoveSelection(Selection selection, int fromRevision, int toRevision)
    {
        if (fromRevision < toRevision && fromRevision + 1 < (OldestKept ?? int.MaxValue))
        {
            return null;
        }

        var anchor = selection.Anchor;
        var head = selection.Head;
        foreach (var op in _recent)
        {
            if (op.Revision > fromRevision && op.Revision <= toRevision)
            {
                anchor = TextOt.TransformPosition(anchor, op.Op, Affinity.After);
                head = TextOt.TransformPosition(head, op.Op, Affinity.After);
            }
        }

        return new Selection(anchor, head);
    }

    private void Remember(CommittedOp op)
    {
        _recent.AddLast(op);
        while (_recent.Count > _options.RecentOpsKept && _recent.First!.Value.Revision <= CommittedRevision)
        {
            _recent.RemoveFirst();
        }
    }

    /// <summary>A submitted op on its way from its base revision to the newest: <see cref="Op"/> applies to the text at <see cref="At"/>.</summary>
    public sealed class Rebase(TextOperation op, int baseRevision)
    {
        public TextOperation Op { get; set; } = op;

        public int At { get; set; } = baseRevision;
    }
}

/// <summary>What <see cref="DocumentSequencer.Recognise"/> found.</summary>
internal enum RecognitionKind
{
    /// <summary>Never sent before (as far as memory tells): admit and sequence it.</summary>
    New,

    /// <summary>Committed, and the window holds it: answer with <see cref="Recognition.Original"/>.</summary>
    Known,

    /// <summary>Sequenced, its commit in flight: answer with the ack of <see cref="Recognition.PendingRevision"/>.</summary>
    Pending,

    /// <summary>
    /// Maybe committed long ago: ask the op log. Not found: refuse it as <c>op.sequence_reused</c> when
    /// <see cref="Recognition.ReusedUpTo"/> is set (its client committed later sequence numbers), else it is new.
    /// </summary>
    SearchLog,
}

internal readonly record struct Recognition(RecognitionKind Kind, CommittedOp? Original, int PendingRevision, long? ReusedUpTo)
{
    public static Recognition New => new(RecognitionKind.New, null, 0, null);

    public static Recognition Known(CommittedOp original) => new(RecognitionKind.Known, original, 0, null);

    public static Recognition Pending(int revision) => new(RecognitionKind.Pending, null, revision, null);

    public static Recognition SearchLog(long? reusedUpTo) => new(RecognitionKind.SearchLog, null, 0, reusedUpTo);
}
