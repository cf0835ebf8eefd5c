namespace Collab.Documents;

/// <summary>
/// Persisted part of <see cref="DocumentGrain"/>: metadata and the latest snapshot. The ops after the snapshot are in
/// the op log; activation replays them. Never renumber the ids.
/// </summary>
[GenerateSerializer, Alias("collab.DocumentState")]
internal sealed class DocumentState
{
    [Id(0)] public bool Created { get; set; }
    [Id(1)] public string? Title { get; set; }
    [Id(2)] public DateTimeOffset CreatedAt { get; set; }
    [Id(3)] public bool Locked { get; set; }
    [Id(4)] public int SnapshotRevision { get; set; }
    [Id(5)] public string SnapshotText { get; set; } = "";

    /// <summary>
    /// Per client id: the highest sequence number committed and the revision of the client's latest commit, as of the
    /// snapshot; only the clients <see cref="ClientMarks"/> keeps (bounded by count and age).
    /// </summary>
    [Id(6)] public Dictionary<string, ClientMark> Clients { get; set; } = [];

    /// <summary>The text at revision 0, for reading history from before the snapshot.</summary>
    [Id(7)] public string InitialText { get; set; } = "";

    /// <summary>The workshop the document belongs to: nobody of another workshop reads or writes it.</summary>
    [Id(8)] public string WorkshopId { get; set; } = "";

    /// <summary><c>plenary</c> or a breakout group's room.</summary>
    [Id(9)] public string Room { get; set; } = "";

    /// <summary>Participants who may edit besides facilitators and rapporteurs; null: every participant.</summary>
    [Id(10)] public List<string>? Editors { get; set; }

    /// <summary>
    /// Anchored ranges as versions before <see cref="DocumentAnchorsState"/> stored them, with every snapshot. Read only
    /// while the document has no <see cref="DocumentAnchorsState"/> yet; the grain writes that first, and from then on
    /// writes this empty.
    /// </summary>
    [Id(11)] public List<AnchorState> Anchors { get; set; } = [];

    /// <summary>The key of the <see cref="IDocumentListener"/> told after every commit; null for none.</summary>
    [Id(12)] public string? ListenerKey { get; set; }

    /// <summary>What each role may do, as the document's owner last decided; null: everyone but observers edits.</summary>
    [Id(13)] public AccessPolicy? Policy { get; set; }

    /// <summary>
    /// As of the snapshot, every op committed after this revision has its client in <see cref="Clients"/>; marks of
    /// older commits may have been dropped (<see cref="ClientMarks.CompleteAfter"/>). 0 in states written before marks were bounded.
    /// </summary>
    [Id(14)] public int ClientMarksCompleteAfter { get; set; }
}

/// <summary>
/// A client's highest committed sequence number and the revision of its latest commit (the same op for a client that
/// counts up). <see cref="Partial"/>: the mark was started after marks had been dropped, so the client may have
/// committed higher sequence numbers before that are no longer marked (see <see cref="ClientMarks"/>).
/// </summary>
[GenerateSerializer, Immutable, Alias("collab.ClientMark")]
internal sealed record ClientMark([property: Id(0)] long Seq, [property: Id(1)] int Revision, [property: Id(2)] bool Partial = false);

/// <summary>
/// The anchors of a <see cref="DocumentGrain"/>, in a grain state of their own so that creating one does not rewrite the
/// snapshot, nor a snapshot every anchor. Written when an anchor is created (and when the stored positions fall more
/// than <see cref="DocumentOptions.AnchorsRewriteEvery"/> revisions behind): every anchor at the committed revision of
/// that moment, whose ops are all in the op log; activation moves them through the ops since. Never renumber the ids.
/// </summary>
[GenerateSerializer, Alias("collab.DocumentAnchorsState")]
internal sealed class DocumentAnchorsState
{
    /// <summary>Every anchor, each with the revision its positions are valid at (one revision for all of them).</summary>
    [Id(0)] public List<AnchorState> Anchors { get; set; } = [];
}

/// <summary>An anchored range [<see cref="Start"/>, <see cref="End"/>) of the text at <see cref="Revision"/>.</summary>
[GenerateSerializer, Immutable, Alias("collab.AnchorState")]
internal sealed record AnchorState(
    [property: Id(0)] string AnchorId,
    [property: Id(1)] int Start,
    [property: Id(2)] int End,
    [property: Id(3)] int Revision);
