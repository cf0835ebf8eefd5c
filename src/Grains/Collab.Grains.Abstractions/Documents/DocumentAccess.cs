namespace Collab.Documents;

/// <summary>What a caller may do with a document now. Ordered: a lower mode allows less.</summary>
[GenerateSerializer, Alias("collab.AccessMode")]
public enum AccessMode
{
    /// <summary>Nothing but reading.</summary>
    Read = 0,

    /// <summary>Ops are refused (<c>document.suggest_only</c>); the caller proposes changes as suggestions (recommendation texts).</summary>
    Suggest = 1,

    /// <summary>Ops are accepted.</summary>
    Edit = 2,
}

/// <summary>Why a caller may not edit a document (<see cref="DocumentAccess.Reason"/>): stable words clients switch on.</summary>
public static class AccessReasons
{
    /// <summary>Observers read everything and edit nothing.</summary>
    public const string Observer = "observer";

    /// <summary>A breakout group's documents are edited by its members (and facilitators, rapporteurs).</summary>
    public const string NotAMember = "not_a_member";

    /// <summary>A facilitator locked the document (or froze the group's documents at recall).</summary>
    public const string Locked = "locked";

    /// <summary>The session's phase does not let this role edit (see <see cref="DocumentAccess.Phase"/>).</summary>
    public const string Phase = "phase";

    /// <summary>The recommendation's status locks or restricts its text.</summary>
    public const string Status = "status";

    /// <summary>The session ended (or no session is live): notes and texts are read only for participants.</summary>
    public const string SessionEnded = "session_ended";
}

/// <summary>
/// A caller's access to a document: <see cref="Mode"/>, and <see cref="Reason"/> (one of <see cref="AccessReasons"/>) when
/// it is not <see cref="AccessMode.Edit"/>; <see cref="Phase"/> names the phase when the reason is <c>phase</c>.
/// </summary>
[GenerateSerializer, Immutable, Alias("collab.DocumentAccess")]
public sealed record DocumentAccess(
    [property: Id(0)] AccessMode Mode,
    [property: Id(1)] string? Reason = null,
    [property: Id(2)] string? Phase = null)
{
    public static DocumentAccess Edit { get; } = new(AccessMode.Edit);
}

/// <summary>
/// Who may do what with one document, per role, as its owner decided it (the breakout group for its notes, the workshop
/// for plenary documents, the recommendation for its texts) from the session's phase, the recommendation's status and
/// the like. Observers always read; a group's editors and a facilitator's lock are kept beside it by the document.
/// </summary>
[GenerateSerializer, Immutable, Alias("collab.AccessPolicy")]
public sealed record AccessPolicy(
    [property: Id(0)] DocumentAccess Facilitator,
    [property: Id(1)] DocumentAccess Rapporteur,
    [property: Id(2)] DocumentAccess Participant)
{
    /// <summary>Everyone but observers edits: what a document without a policy does (documents made before policies existed).</summary>
    public static AccessPolicy Open { get; } = new(DocumentAccess.Edit, DocumentAccess.Edit, DocumentAccess.Edit);
}

/// <summary>Command from the grain that owns a document: the access policy from now on.</summary>
[GenerateSerializer, Immutable, Alias("collab.SetAccessPolicy")]
public sealed record SetAccessPolicy([property: Id(0)] string WorkshopId, [property: Id(1)] AccessPolicy Policy);

/// <summary>
/// Something that decides access to the document changed (a phase, a session ending, a recommendation's status, a lock,
/// a group's members): clients reopen it (<c>OpenDocument(lastRevision)</c>) to learn their new access.
/// </summary>
[GenerateSerializer, Immutable, Alias("collab.AccessChanged")]
public sealed record AccessChanged([property: Id(0)] string DocId, [property: Id(1)] int Revision);
