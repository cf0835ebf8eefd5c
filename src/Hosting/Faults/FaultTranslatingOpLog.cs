using Collab.Documents;
using Microsoft.Extensions.Logging;

namespace Collab.Hosting.Faults;

/// <summary>
/// The op log whose database faults come out as <see cref="Collab.Errors.UnavailableException"/> (a document activation
/// replays the log in <c>OnActivateAsync</c>, where no call filter runs). <see cref="OpLogConflictException"/> passes
/// unchanged: it is the single-writer guard, which the document grain acts on.
/// </summary>
internal sealed partial class FaultTranslatingOpLog(IOpLog inner, ILogger<FaultTranslatingOpLog> logger) : IOpLog
{
    public Task AppendAsync(string docId, IReadOnlyList<CommittedOp> ops, CancellationToken cancellationToken = default) =>
        TranslateAsync(() => inner.AppendAsync(docId, ops, cancellationToken), "append", docId);

    public Task<IReadOnlyList<CommittedOp>> ReadAsync(string docId, int afterRevision, int toRevision, CancellationToken cancellationToken = default) =>
        TranslateAsync(() => inner.ReadAsync(docId, afterRevision, toRevision, cancellationToken), "read", docId);

    public Task<CommittedOp?> FindAsync(string docId, string clientId, long clientSeq, CancellationToken cancellationToken = default) =>
        TranslateAsync(() => inner.FindAsync(docId, clientId, clientSeq, cancellationToken), "find", docId);

    public Task<int?> RevisionAtAsync(string docId, DateTimeOffset at, CancellationToken cancellationToken = default) =>
        TranslateAsync(() => inner.RevisionAtAsync(docId, at, cancellationToken), "revision-at", docId);

    private async Task TranslateAsync(Func<Task> operation, string what, string docId)
    {
        await TranslateAsync(async () =>
        {
            await operation();
            return true;
        }, what, docId);
    }

    private async Task<T> TranslateAsync<T>(Func<Task<T>> operation, string what, string docId)
    {
        try
        {
            return await operation();
        }
        catch (Exception error) when (error is not OpLogConflictException && StorageFaults.IsStorageFault(error))
        {
            LogFault(logger, error, what, docId);
            throw StorageFaults.Unavailable();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Op log: {Operation} for document {DocId} failed; callers get server.unavailable")]
    private static partial void LogFault(ILogger logger, Exception error, string operation, string docId);
}
