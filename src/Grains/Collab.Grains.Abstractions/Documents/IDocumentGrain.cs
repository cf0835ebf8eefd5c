using Collab.Diagnostics;
using Collab.Text;
using Orleans.Concurrency;

namespace Collab.Documents;

/// <summary>
/// One collaboratively edited text and the sequencer for it: every edit is transformed against what was committed
/// since its base revision, appended durably to the op log, and only then acknowledged to its author and pushed to
/// everyone else (through <see cref="IDocumentObserver"/> subscriptions, one per web node). Keyed by document id.
/// </summary>
[Alias("collab.IDocumentGrain")]
public interface IDocumentGrain : IGrainWithStringKey
{
    /// <summary>Creates the document at revision 0 with an optional initial text. <c>document.already_exists</c> if it exists.</summary>
    [Alias("create")]
    Task<DocumentView> CreateAsync(CreateDocument command);

    /// <summary>The document's metadata and current (committed) revision. <c>document.not_found</c> if never created.</summary>
    [Alias("get"), ResponseTimeout(CallTimeouts.RealTime)]
    Task<DocumentView> GetAsync(Caller caller);

    /// <summary>
    /// Opens the document for a client that last saw <see cref="OpenDocument.LastRevision"/>: the committed ops after it,
    /// or a snapshot of the whole text when it has nothing, is too far behind, or asks for a revision that does not exist;
    /// and what the caller may do with it now (<see cref="OpenedDocument.Access"/>).
    /// </summary>
    [Alias("open"), ResponseTimeout(CallTimeouts.RealTime)]
    Task<OpenedDocument> OpenAsync(OpenDocument command);

    /// <summary>
    /// Sequences one edit. Answers only after the op is durable. Resubmitting the same (client id, client sequence)
    /// returns the original answer without applying the op again. An op of a caller whose access is not
    /// <see cref="AccessMode.Edit"/> is refused with the code of the reason (<c>document.read_only</c>,
    /// <c>document.not_a_member</c>, <c>document.locked</c>, <c>document.phase_read_only</c>, <c>document.suggest_only</c>,
    /// <c>document.status_locked</c>) and changes nothing.
    /// </summary>
    [Alias("submit"), AlwaysInterleave, ResponseTimeout(CallTimeouts.RealTime)]
    Task<SubmitResult> SubmitAsync(SubmitOp command);

    /// <summary>Committed ops with revisions in (<paramref name="afterRevision"/>, <paramref name="toRevision"/>], with their authors.</summary>
    [Alias("ops")]
    Task<IReadOnlyList<CommittedOp>> GetOpsAsync(Caller caller, int afterRevision, int toRevision);

    /// <summary>The text as it is now: the last committed revision (one call, from memory when the grain is current).</summary>
    [Alias("text")]
    Task<TextAtRevision> GetTextAsync(Caller caller);

    /// <summary>The text as it was at a revision.</summary>
    [Alias("text-at-revision")]
    Task<TextAtRevision> GetTextAtRevisionAsync(Caller caller, int revision);

    /// <summary>The text as it was at an instant: the last revision committed at or before it.</summary>
    [Alias("text-at-time")]
    Task<TextAtRevision> GetTextAtTimeAsync(Caller caller, DateTimeOffset at);

    /// <summary>
    /// Locks (no op is accepted: <c>document.locked</c>) or unlocks the document. Facilitators only. Pushes
    /// <see cref="IDocumentObserver.LockChanged"/> and <see cref="IDocumentObserver.AccessChanged"/>.
    /// </summary>
    [Alias("set-locked")]
    Task<DocumentView> SetLockedAsync(SetLocked command);

    /// <summary>
    /// Replaces who may edit (participants outside are <c>not_a_member</c>). Sent by the grain that owns the document's
    /// room (a breakout group), not by the edge; pushes <see cref="IDocumentObserver.AccessChanged"/> when it changed.
    /// </summary>
    [Alias("set-editors")]
    Task SetEditorsAsync(SetEditors command);

    /// <summary>
    /// Replaces what each role may do (<see cref="AccessPolicy"/>). Sent by the grain that owns the document (the breakout
    /// group, the workshop, the recommendation) whenever an input of its rule changes, not by the edge; stored with the
    /// document and applied to every open and op from then on. Tells open clients (<see cref="IDocumentObserver.AccessChanged"/>)
    /// when it changed. <c>document.other_workshop</c> when <see cref="SetAccessPolicy.WorkshopId"/> is not the document's.
    /// </summary>
    [Alias("set-access-policy")]
    Task SetAccessPolicyAsync(SetAccessPolicy command);

    /// <summary>
    /// Anchors a range of the text as it was at <see cref="CreateAnchor.Revision"/> (a provenance link, a comment's or a
    /// suggestion's place) and answers once the anchor is durable, moved to the committed revision. From then on the grain
    /// moves the range through every committed op, like a cursor, durably: text inserted exactly at its start or its end
    /// stays outside, text inserted inside grows it, deletions shrink it, and once everything it covered is deleted it stays
    /// collapsed where that text was. Anchoring the same id again returns the existing anchor unchanged (idempotent).
    /// Readers of the workshop may anchor (observers too). Errors: <c>anchor.id_invalid</c>, <c>revision.not_found</c>,
    /// <c>anchor.range_invalid</c> (outside the text at that revision, or splitting a surrogate pair) and
    /// <c>anchor.too_many</c> (2,000 per document).
    /// </summary>
    [Alias("anchor")]
    Task<AnchorView> AnchorAsync(CreateAnchor command);

    /// <summary>
    /// The anchors' ranges at the committed revision and the text they cover; unknown ids are left out, repeated ones
    /// answered once. At most 2,000 ids at a time (<c>anchor.too_many_ids</c>).
    /// </summary>
    [Alias("anchors")]
    Task<IReadOnlyList<AnchorView>> GetAnchorsAsync(Caller caller, IReadOnlyList<string> anchorIds);

    /// <summary>
    /// Names the grain (an <see cref="IDocumentListener"/>, e.g. a recommendation) told after every commit; null for none.
    /// Sent by the grain that owns the document, not by the edge: <c>document.other_workshop</c> when
    /// <paramref name="workshopId"/> is not the document's, <c>document.listener_invalid</c> for an empty key or one over
    /// 500 characters. Stored durably, so it keeps being told after the document is reloaded.
    /// </summary>
    [Alias("set-listener")]
    Task SetListenerAsync(string workshopId, string? listenerKey);

    /// <summary>Subscribes a web node's observer to commits, presence and lock changes; renew before it expires.</summary>
    [Alias("subscribe"), AlwaysInterleave, ResponseTimeout(CallTimeouts.RealTime)]
    Task SubscribeAsync(IDocumentObserver observer);

    /// <summary>Ends a subscription.</summary>
    [Alias("unsubscribe"), AlwaysInterleave, ResponseTimeout(CallTimeouts.RealTime)]
    Task UnsubscribeAsync(IDocumentObserver observer);

    /// <summary>A connection's presence (and cursor or selection at a revision it has seen). Ephemeral; batched to observers.</summary>
    [Alias("presence"), AlwaysInterleave, OneWay]
    Task UpdatePresenceAsync(PresenceUpdate update);

    /// <summary>The connection left the document (closed it or disconnected).</summary>
    [Alias("leave"), AlwaysInterleave, OneWay]
    Task LeaveAsync(string connectionId);
}

/// <summary>
/// A grain that owns documents and wants to know when their text changed. Told once per durable commit batch, with the
/// batch's last revision (so not necessarily every revision); one-way and best effort: a listener that needs every op
/// reads them with <see cref="IDocumentGrain.GetOpsAsync"/>.
/// </summary>
[Alias("collab.IDocumentListener")]
public interface IDocumentListener : IGrainWithStringKey
{
    [Alias("document-committed"), OneWay]
    Task DocumentCommittedAsync(string docId, int revision);
}

/// <summary>
/// Receives a document's events on a web node, which forwards them to the SignalR group of the document.
/// Every event carries a revision: a receiver that sees a gap catches up instead of guessing.
/// </summary>
[Alias("collab.IDocumentObserver")]
public interface IDocumentObserver : IGrainObserver
{
    [Alias("ops-committed"), OneWay]
    Task OpsCommitted(OpsCommitted committed);

    [Alias("presence-changed"), OneWay]
    Task PresenceChanged(PresenceChanged presence);

    [Alias("lock-changed"), OneWay]
    Task LockChanged(LockChanged change);

    /// <summary>What some callers may do with the document changed (policy, lock or editors): its clients reopen it.</summary>
    [Alias("access-changed"), OneWay]
    Task AccessChanged(AccessChanged change);

    /// <summary>
    /// The activation holding this subscription is going away (it reloads after a storage fault or a stale write, or
    /// its silo shuts down). The next activation of <paramref name="docId"/> pushes to the subscribers stored with the
    /// document, but a node whose subscription was not stored (that write failed) would wait for its next renewal, so
    /// a web node subscribes again at once. (A silo that crashes sends nothing: web nodes also subscribe again when the
    /// cluster changes.)
    /// </summary>
    [Alias("deactivating"), OneWay]
    Task Deactivating(string docId);
}

/// <summary>
/// Command: create a document of the caller's workshop (facilitators and rapporteurs only).
/// </summary>
/// <param name="Room">Where it belongs: <c>plenary</c>, or the breakout group's room id.</param>
/// <param name="Editors">Participants who may edit besides facilitators and rapporteurs; null means every participant.</param>
/// <param name="Policy">What each role may do, as the document's owner decides it; null: everyone but observers edits.</param>
[GenerateSerializer, Immutable, Alias("collab.CreateDocument")]
public sealed record CreateDocument(
    [property: Id(0)] string? Title,
    [property: Id(1)] string? Text,
    [property: Id(2)] Caller Caller,
    [property: Id(3)] string Room,
    [property: Id(4)] IReadOnlyList<string>? Editors,
    [property: Id(5)] AccessPolicy? Policy = null);

/// <summary>Command from the grain that owns a room: who besides facilitators and rapporteurs may edit (null: every participant).</summary>
[GenerateSerializer, Immutable, Alias("collab.SetEditors")]
public sealed record SetEditors([property: Id(0)] string WorkshopId, [property: Id(1)] IReadOnlyList<string>? Editors);

[GenerateSerializer, Immutable, Alias("collab.DocumentView")]
public sealed record DocumentView(
    [property: Id(0)] string DocId,
    [property: Id(1)] string? Title,
    [property: Id(2)] int Revision,
    [property: Id(3)] int Length,
    [property: Id(4)] bool Locked,
    [property: Id(5)] DateTimeOffset CreatedAt,
    [property: Id(6)] string WorkshopId,
    [property: Id(7)] string Room);

[GenerateSerializer, Immutable, Alias("collab.OpenDocument")]
public sealed record OpenDocument(
    [property: Id(0)] int? LastRevision,
    [property: Id(1)] string ConnectionId,
    [property: Id(2)] Caller Caller);

/// <summary>
/// Either <see cref="Text"/> (a snapshot at <see cref="Revision"/>) or <see cref="Ops"/> (what the client missed), and
/// <see cref="Access"/>: what the caller may do with the document now.
/// </summary>
[GenerateSerializer, Immutable, Alias("collab.OpenedDocument")]
public sealed record OpenedDocument(
    [property: Id(0)] string DocId,
    [property: Id(1)] int Revision,
    [property: Id(2)] string? Text,
    [property: Id(3)] IReadOnlyList<CommittedOp> Ops,
    [property: Id(4)] bool Locked,
    [property: Id(5)] IReadOnlyList<PresenceEntry> Presence,
    [property: Id(6)] string Room,
    [property: Id(7)] DocumentAccess Access);

[GenerateSerializer, Immutable, Alias("collab.SubmitOp")]
public sealed record SubmitOp(
    [property: Id(0)] string ClientId,
    [property: Id(1)] long ClientSeq,
    [property: Id(2)] int BaseRevision,
    [property: Id(3)] TextOperation Op,
    [property: Id(4)] Caller Caller,
    [property: Id(5)] DateTimeOffset? ClientTime);

/// <summary>The ack: the revision the op was committed as, and the op as transformed and committed.</summary>
[GenerateSerializer, Immutable, Alias("collab.SubmitResult")]
public sealed record SubmitResult([property: Id(0)] int Revision, [property: Id(1)] TextOperation Op);

/// <summary>One entry of the op log.</summary>
[GenerateSerializer, Immutable, Alias("collab.CommittedOp")]
public sealed record CommittedOp(
    [property: Id(0)] int Revision,
    [property: Id(1)] TextOperation Op,
    [property: Id(2)] string ClientId,
    [property: Id(3)] long ClientSeq,
    [property: Id(4)] string AuthorId,
    [property: Id(5)] string AuthorName,
    [property: Id(6)] DateTimeOffset CommittedAt,
    [property: Id(7)] DateTimeOffset? ClientTime);

[GenerateSerializer, Immutable, Alias("collab.TextAtRevision")]
public sealed record TextAtRevision(
    [property: Id(0)] int Revision,
    [property: Id(1)] string Text,
    [property: Id(2)] DateTimeOffset? CommittedAt);

[GenerateSerializer, Immutable, Alias("collab.SetLocked")]
public sealed record SetLocked([property: Id(0)] bool Locked, [property: Id(1)] Caller Caller);

/// <summary>A selection in a text at a revision; a caret when <see cref="Anchor"/> equals <see cref="Head"/>.</summary>
[GenerateSerializer, Immutable, Alias("collab.Selection")]
public sealed record Selection([property: Id(0)] int Anchor, [property: Id(1)] int Head);

[GenerateSerializer, Immutable, Alias("collab.PresenceUpdate")]
public sealed record PresenceUpdate(
    [property: Id(0)] string ConnectionId,
    [property: Id(1)] Caller Caller,
    [property: Id(2)] int Revision,
    [property: Id(3)] Selection? Selection);

[GenerateSerializer, Immutable, Alias("collab.PresenceEntry")]
public sealed record PresenceEntry(
    [property: Id(0)] string ConnectionId,
    [property: Id(1)] string ParticipantId,
    [property: Id(2)] string Name,
    [property: Id(3)] Selection? Selection);

[GenerateSerializer, Immutable, Alias("collab.OpsCommitted")]
public sealed record OpsCommitted([property: Id(0)] string DocId, [property: Id(1)] IReadOnlyList<CommittedOp> Ops);

/// <summary>Everyone present, selections relative to <see cref="Revision"/>.</summary>
[GenerateSerializer, Immutable, Alias("collab.PresenceChanged")]
public sealed record PresenceChanged(
    [property: Id(0)] string DocId,
    [property: Id(1)] int Revision,
    [property: Id(2)] IReadOnlyList<PresenceEntry> Participants);

[GenerateSerializer, Immutable, Alias("collab.LockChanged")]
public sealed record LockChanged([property: Id(0)] string DocId, [property: Id(1)] bool Locked, [property: Id(2)] int Revision);

/// <summary>Command: anchor the range [<see cref="Start"/>, <see cref="End"/>) of the text at <see cref="Revision"/>.</summary>
/// <param name="AnchorId">1–100 characters of <c>[A-Za-z0-9._:-]</c>, unique in the document.</param>
[GenerateSerializer, Immutable, Alias("collab.CreateAnchor")]
public sealed record CreateAnchor(
    [property: Id(0)] Caller Caller,
    [property: Id(1)] string AnchorId,
    [property: Id(2)] int Start,
    [property: Id(3)] int End,
    [property: Id(4)] int Revision);

/// <summary>
/// An anchored range as it is now: [<see cref="Start"/>, <see cref="End"/>) at <see cref="Revision"/> (the committed
/// revision), and the text it covers. <see cref="Collapsed"/> when it covers nothing: everything it covered was deleted
/// (it then marks where the text was), or it was anchored empty; a collapsed anchor never grows again.
/// </summary>
[GenerateSerializer, Immutable, Alias("collab.AnchorView")]
public sealed record AnchorView(
    [property: Id(0)] string DocId,
    [property: Id(1)] string AnchorId,
    [property: Id(2)] int Start,
    [property: Id(3)] int End,
    [property: Id(4)] int Revision,
    [property: Id(5)] string Text,
    [property: Id(6)] bool Collapsed);
