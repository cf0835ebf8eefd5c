using Collab.Text;

namespace Collab.Documents;

/// <summary>
/// Tunables of <see cref="DocumentGrain"/>; <c>Collab:Documents:SnapshotEvery</c>, <c>Collab:Documents:CatchUpLimit</c>,
/// <c>Collab:Documents:MaxCommitBatch</c> and <c>Collab:Documents:AnchorsRewriteEvery</c> are settings.
/// </summary>
public sealed record DocumentOptions
{
    /// <summary>Limits on ops and texts.</summary>
    public TextLimits Limits { get; init; } = TextLimits.Default;

    /// <summary>Write a snapshot of the text into grain state every this many revisions.</summary>
    public int SnapshotEvery { get; init; } = 100;

    /// <summary>A client further behind than this gets a snapshot on open instead of the ops it missed.</summary>
    public int CatchUpLimit { get; init; } = 500;

    /// <summary>Committed ops kept in memory for transforms and catch-up.</summary>
    public int RecentOpsKept { get; init; } = 1_000;

    /// <summary>An op based more than this many revisions back is refused (<c>revision.too_old</c>).</summary>
    public int MaxTransformSpan { get; init; } = 10_000;

    /// <summary>
    /// Exactly-once marks kept: those of the clients that committed most recently (see <see cref="ClientMarks"/>; a
    /// resubmission of a client whose mark was dropped is looked up in the op log).
    /// </summary>
    public int ClientMarksKept { get; init; } = 1_000;

    /// <summary>A client that has not committed for this many revisions loses its exactly-once mark (see <see cref="ClientMarks"/>).</summary>
    public int ClientMarkSpan { get; init; } = 10_000;

    /// <summary>How long an observer subscription lives without renewal.</summary>
    public TimeSpan ObserverExpiry { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>How often presence changes are pushed, at most.</summary>
    public TimeSpan PresenceInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>A session not heard of for this long is dropped from presence.</summary>
    public TimeSpan PresenceExpiry { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Most ops committed in one append (group commit); 1 turns group commit off (for measuring it).</summary>
    public int MaxCommitBatch { get; init; } = 1_000;

    /// <summary>Longest document id.</summary>
    public int MaxDocIdLength { get; init; } = 200;

    /// <summary>Longest client id (stored with every op and pushed to every reader; a UUID has 36 characters).</summary>
    public int MaxClientIdLength { get; init; } = 64;

    /// <summary>Longest title.</summary>
    public int MaxTitleLength { get; init; } = 200;

    /// <summary>Most anchors one document keeps (<c>anchor.too_many</c> beyond).</summary>
    public int MaxAnchors { get; init; } = 2_000;

    /// <summary>
    /// Anchors are stored again when the revision they were stored at is this far behind the committed one, at the next
    /// snapshot: activation then moves them through at most about this many ops from the log (this plus
    /// <see cref="SnapshotEvery"/>, as the check waits for the next snapshot).
    /// </summary>
    public int AnchorsRewriteEvery { get; init; } = 1_000;

    /// <summary>Longest anchor id.</summary>
    public int MaxAnchorIdLength { get; init; } = 100;

    /// <summary>Longest listener key (the key of the grain told about commits).</summary>
    public int MaxListenerKeyLength { get; init; } = 500;
}
