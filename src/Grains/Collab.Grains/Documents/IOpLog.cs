namespace Collab.Documents;

/// <summary>
/// The durable, append-only log of every document's committed ops, keyed (document, revision). One implementation per
/// storage mode (SQLite file, PostgreSQL table); <see cref="DocumentGrain"/> does not know which.
/// </summary>
public interface IOpLog
{
    /// <summary>
    /// Appends consecutive ops of one document atomically; returns once they are durable. Throws
    /// <see cref="OpLogConflictException"/> when a revision is already taken: another activation wrote first.
    /// </summary>
    Task AppendAsync(string docId, IReadOnlyList<CommittedOp> ops, CancellationToken cancellationToken = default);

    /// <summary>Ops with revisions in (<paramref name="afterRevision"/>, <paramref name="toRevision"/>], in order.</summary>
    Task<IReadOnlyList<CommittedOp>> ReadAsync(string docId, int afterRevision, int toRevision, CancellationToken cancellationToken = default);

    /// <summary>The op a client submitted with this sequence number, if it was committed.</summary>
    Task<CommittedOp?> FindAsync(string docId, string clientId, long clientSeq, CancellationToken cancellationToken = default);

    /// <summary>The last revision committed at or before <paramref name="at"/>, or null if none was.</summary>
    Task<int?> RevisionAtAsync(string docId, DateTimeOffset at, CancellationToken cancellationToken = default);
}

/// <summary>A revision of the document was already in the log: this activation is stale and must reload.</summary>
public sealed class OpLogConflictException(string docId, int revision, Exception? inner = null)
    : Exception($"Revision {revision} of document '{docId}' is already in the op log.", inner);
