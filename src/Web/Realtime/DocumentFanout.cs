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
    ClusterChanges changes,
    ILogger<DocumentFanout> logger) : BackgroundService, IDocumentObserver
{
    private static readonly TimeSpan ReorderWindow = TimeSpan.FromMilliseconds(200);

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, PushOrder> _order = new();
    private IDocumentObserver? _reference;
    private SubscriptionSet? _subscriptions;

    public static string GroupOf(string docId) => "doc:" + docId;

    private SubscriptionSet Subscriptions => LazyInitializer.EnsureInitialized(ref _subscriptions, () => new(
        docId => cluster.GetGrain<IDocumentGrain>(docId).SubscribeAsync(Reference()),
        docId => cluster.GetGrain<IDocumentGrain>(docId).UnsubscribeAsync(Reference()),
        (e, docId) => LogUnsubscribeFailed(logger, e, docId)));

    /// <summary>How many of this node's connections have <paramref name="docId"/> open (for diagnostics and tests).</summary>
    public int InterestIn(string docId) => Subscriptions.InterestIn(docId);

    /// <summary>A local client opened the document: subscribe if it is the first.</summary>
    public Task AcquireAsync(string docId) => Subscriptions.AcquireAsync(docId);

    /// <summary>A local client closed the document: unsubscribe after the last.</summary>
    public async Task ReleaseAsync(string docId)
    {
        if (await Subscriptions.ReleaseAsync(docId))
        {
            _order.TryRemove(docId, out _);
        }
    }

    /// <summary>
    /// Orleans may run two notifications of one document at once; SignalR would then send them in either order. Batches
    /// are forwarded in revision order instead, holding an early one until the missing one arrives (or, if it never does,
    /// for at most <see cref="ReorderWindow"/>: clients then catch up by revision).
    /// </summary>
    async Task IDocumentObserver.OpsCommitted(OpsCommitted committed)
    {
        var order = _order.GetOrAdd(committed.DocId, _ => new PushOrder());
        List<OpsCommitted> ready;
        bool waiting;
        lock (order)
        {
            ready = order.Accept(committed, DateTime.UtcNow, ReorderWindow);
            waiting = order.HasHeld;
        }

        var group = hub.Clients.Group(GroupOf(committed.DocId));
        var connections = Subscriptions.InterestIn(committed.DocId);
        foreach (var batch in ready)
        {
            RealtimeMetrics.Pushed(batch.Ops.Count, connections);
            await group.OpsCommitted(batch);
        }

        if (waiting)
        {
            _ = FlushHeldLaterAsync(committed.DocId, order);
        }
    }

    /// <summary>Runs unobserved (from a push): whatever fails is logged here, never lost in an unobserved task.</summary>
    private async Task FlushHeldLaterAsync(string docId, PushOrder order)
    {
        try
        {
            await Task.Delay(ReorderWindow);
            List<OpsCommitted> overdue;
            lock (order)
            {
                overdue = order.Accept(null, DateTime.UtcNow, ReorderWindow);
            }

            foreach (var batch in overdue)
            {
                RealtimeMetrics.Pushed(batch.Ops.Count, Subscriptions.InterestIn(docId));
                await hub.Clients.Group(GroupOf(docId)).OpsCommitted(batch);
            }
        }
        catch (Exception e)
        {
            // Clients that miss these ops see the gap at the next push and catch up.
            LogFlushFailed(logger, e, docId);
        }
    }

    Task IDocumentObserver.PresenceChanged(PresenceChanged presence) =>
        hub.Clients.Group(GroupOf(presence.DocId)).PresenceChanged(presence);

    Task IDocumentObserver.LockChanged(LockChanged change) =>
        hub.Clients.Group(GroupOf(change.DocId)).LockChanged(change);

    Task IDocumentObserver.AccessChanged(AccessChanged change) =>
        hub.Clients.Group(GroupOf(change.DocId)).AccessChanged(change);

    Task IDocumentObserver.Deactivating(string docId)
    {
        // Its next activation does not know this node: subscribe again now (retried until it is back).
        Subscriptions.RenewSoon([docId]);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Renews every subscription on a timer, well inside the grains' expiry, and at once when grains may have moved
    /// (<see cref="ClusterChanges"/>, <see cref="IDocumentObserver.Deactivating"/>). Never ends but when the node stops:
    /// a failed round must not stop pushes for good, nor (through the host) the node.
    /// </summary>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        changes.Changed += OnClusterChanged;
        try
        {
            await Subscriptions.RunRenewalsAsync(
                options.SubscriptionRenewal,
                (e, key) => LogRenewFailed(logger, e, key),
                (e, key) => LogPromptRenewFailed(logger, e, key),
                stoppingToken);
        }
        finally
        {
            changes.Changed -= OnClusterChanged;
        }
    }

    private void OnClusterChanged(string reason) => Subscriptions.RenewSoon();

    // The observer reference dies with the node's client; grains drop it at expiry.
    private IDocumentObserver Reference() => _reference ??= cluster.CreateObjectReference<IDocumentObserver>(this);

    /// <summary>Per document: the next revision to forward and the batches that arrived ahead of it.</summary>
    private sealed class PushOrder
    {
        private readonly SortedDictionary<int, (OpsCommitted Batch, DateTime HeldSince)> _held = [];
        private int _next = -1;

        public bool HasHeld => _held.Count > 0;

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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Renewing the subscription to document {DocId} failed")]
    private static partial void LogRenewFailed(ILogger logger, Exception error, string docId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Unsubscribing from document {DocId} failed; it forgets this node at its observer expiry")]
    private static partial void LogUnsubscribeFailed(ILogger logger, Exception error, string docId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Forwarding held pushes of document {DocId} failed")]
    private static partial void LogFlushFailed(ILogger logger, Exception error, string docId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Subscribing again to document {DocId} failed; trying again in a moment")]
    private static partial void LogPromptRenewFailed(ILogger logger, Exception error, string docId);
}
