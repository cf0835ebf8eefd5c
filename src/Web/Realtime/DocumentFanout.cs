using Collab.Documents;
using Microsoft.AspNetCore.SignalR;

namespace Collab.Web.Realtime;

/// <summary>
/// The push path of one web node: one observer subscription per document that has clients on this node, renewed
/// below the grain's expiry; every event from a grain is forwarded once to the document's SignalR group. So a grain
/// notifies each web node once per commit, whatever the number of participants.
/// </summary>
public sealed partial class DocumentFanout(
    IClusterClient cluster,
    IHubContext<CollabHub, ICollabClient> hub,
    RealtimeOptions options,
    ILogger<DocumentFanout> logger) : BackgroundService, IDocumentObserver
{
    private readonly Dictionary<string, int> _interest = [];
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IDocumentObserver? _reference;

    public static string GroupOf(string docId) => "doc:" + docId;

    /// <summary>A local client opened the document: subscribe if it is the first.</summary>
    public async Task AcquireAsync(string docId)
    {
        await _gate.WaitAsync();
        try
        {
            _interest.TryGetValue(docId, out var count);
            if (count == 0)
            {
                await cluster.GetGrain<IDocumentGrain>(docId).SubscribeAsync(Reference());
            }

            _interest[docId] = count + 1;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>A local client closed the document: unsubscribe after the last.</summary>
    public async Task ReleaseAsync(string docId)
    {
        await _gate.WaitAsync();
        try
        {
            if (!_interest.TryGetValue(docId, out var count))
            {
                return;
            }

            if (count > 1)
            {
                _interest[docId] = count - 1;
                return;
            }

            _interest.Remove(docId);
            await cluster.GetGrain<IDocumentGrain>(docId).UnsubscribeAsync(Reference());
        }
        finally
        {
            _gate.Release();
        }
    }

    Task IDocumentObserver.OpsCommitted(OpsCommitted committed) =>
        hub.Clients.Group(GroupOf(committed.DocId)).OpsCommitted(committed);

    Task IDocumentObserver.PresenceChanged(PresenceChanged presence) =>
        hub.Clients.Group(GroupOf(presence.DocId)).PresenceChanged(presence);

    Task IDocumentObserver.LockChanged(LockChanged change) =>
        hub.Clients.Group(GroupOf(change.DocId)).LockChanged(change);

    /// <summary>Renews every subscription on a timer, well inside the grains' expiry.</summary>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.SubscriptionRenewal);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            string[] docs;
            await _gate.WaitAsync(stoppingToken);
            try
            {
                docs = [.. _interest.Keys];
            }
            finally
            {
                _gate.Release();
            }

            foreach (var docId in docs)
            {
                try
                {
                    await cluster.GetGrain<IDocumentGrain>(docId).SubscribeAsync(Reference());
                }
                catch (Exception e) when (e is OrleansException or TimeoutException)
                {
                    // Next tick tries again; clients that miss pushes meanwhile catch up from revisions.
                    LogRenewFailed(logger, e, docId);
                }
            }
        }
    }

    public override void Dispose()
    {
        // The observer reference dies with the node's client; grains drop it at expiry.
        _gate.Dispose();
        base.Dispose();
    }

    private IDocumentObserver Reference() => _reference ??= cluster.CreateObjectReference<IDocumentObserver>(this);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Renewing the subscription to document {DocId} failed")]
    private static partial void LogRenewFailed(ILogger logger, Exception error, string docId);
}
