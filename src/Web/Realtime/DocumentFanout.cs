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
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Submitters> _submitters = new();
    private readonly ObserverReference<IDocumentObserver> _reference = new();
    private SubscriptionSet<string>? _subscriptions;

    /// <summary>The SignalR group of the connections that have the document open (an audience: see <see cref="WorkshopFanout"/>).</summary>
    public static string AudienceOf(string docId) => "doc:" + docId;

    private SubscriptionSet<string> Subscriptions => LazyInitializer.EnsureInitialized(ref _subscriptions, () => new(
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
            _submitters.TryRemove(docId, out _);
        }
    }

    /// <summary>
    /// A local connection that has the document open submits an op under <paramref name="clientId"/>: pushes made only of
    /// that client's ops skip it (its <c>SubmitOp</c> answer is the ack and carries the op). True when this noted something
    /// new (false for every op after the connection's first under that id).
    /// </summary>
    public bool Submitting(string docId, string clientId, string connectionId, string participantId)
    {
        if (Subscriptions.InterestIn(docId) == 0)
        {
            return false;
        }

        var submitters = _submitters.GetOrAdd(docId, _ => new Submitters());
        lock (submitters)
        {
            return submitters.Note(clientId, connectionId, participantId);
        }
    }

    /// <summary>A local connection closed the document: pushes reach it no more, so it is no longer skipped either.</summary>
    public void Closed(string docId, string connectionId)
    {
        if (_submitters.TryGetValue(docId, out var submitters))
        {
            lock (submitters)
            {
                submitters.Forget(connectionId);
            }
        }
    }

    /// <summary>How many local connections of the document are known as submitters (for tests: bounded by the open ones).</summary>
    public int SubmittersOf(string docId)
    {
        if (!_submitters.TryGetValue(docId, out var submitters))
        {
            return 0;
        }

        lock (submitters)
        {
            return submitters.Count;
        }
    }

    /// <summary>
    /// Orleans may run two notifications of one document at once; SignalR would then send them in either order. Batches
    /// are forwarded in revision order instead, holding an early one until the missing one arrives (or, if it never does,
    /// for at most <see cref="ReorderWindow"/>: clients then catch up by revision). While one send of a document is under
    /// way, the batches that become ready meanwhile are coalesced into the next single push: an idle document's push
    /// leaves at once, a busy one's costs one group message per send instead of one per commit.
    /// </summary>
    async Task IDocumentObserver.OpsCommitted(OpsCommitted committed)
    {
        var order = _order.GetOrAdd(committed.DocId, _ => new PushOrder());
        bool waiting;
        bool send;
        lock (order)
        {
            send = order.Enqueue(order.Accept(committed, DateTime.UtcNow, ReorderWindow));
            waiting = order.HasHeld;
        }

        if (waiting)
        {
            _ = FlushHeldLaterAsync(committed.DocId, order);
        }

        if (send)
        {
            await SendAllAsync(committed.DocId, order);
        }
    }

    /// <summary>Runs unobserved (from a push): whatever fails is logged here, never lost in an unobserved task.</summary>
    private async Task FlushHeldLaterAsync(string docId, PushOrder order)
    {
        try
        {
            await Task.Delay(ReorderWindow);
            bool send;
            lock (order)
            {
                send = order.Enqueue(order.Accept(null, DateTime.UtcNow, ReorderWindow));
            }

            if (send)
            {
                await SendAllAsync(docId, order);
            }
        }
        catch (Exception e)
        {
            // Clients that miss these ops see the gap at the next push and catch up.
            LogFlushFailed(logger, e, docId);
        }
    }

    /// <summary>
    /// Sends what the document's outbox holds, one coalesced push at a time, until it is empty. Only the caller that
    /// found no send under way runs this (<see cref="PushOrder.Enqueue"/>), so a document's pushes leave in order. A push
    /// made only of ops one local connection submitted skips that connection: it has their acks, each carrying its op.
    /// </summary>
    private async Task SendAllAsync(string docId, PushOrder order)
    {
        var audience = AudienceOf(docId);
        var everyone = hub.Clients.Group(audience);
        _submitters.TryGetValue(docId, out var submitters);
        while (true)
        {
            OpsCommitted? next;
            lock (order)
            {
                next = order.TakeOutbox(docId);
            }

            if (next is null)
            {
                return;
            }

            try
            {
                RealtimeMetrics.Pushed(next.Ops.Count, Subscriptions.InterestIn(docId));
                string? author = null;
                if (submitters is not null)
                {
                    lock (submitters)
                    {
                        author = submitters.SoleSubmitter(next.Ops);
                    }
                }

                await (author is null ? everyone : hub.Clients.GroupExcept(audience, [author])).OpsCommitted(next);
            }
            catch
            {
                // The rest goes with the next push; clients that miss this one see the gap and catch up.
                lock (order)
                {
                    order.SendFailed();
                }

                throw;
            }
        }
    }

    Task IDocumentObserver.PresenceChanged(PresenceChanged presence) =>
        hub.Clients.Group(AudienceOf(presence.DocId)).PresenceChanged(presence);

    Task IDocumentObserver.LockChanged(LockChanged change) =>
        hub.Clients.Group(AudienceOf(change.DocId)).LockChanged(change);

    Task IDocumentObserver.AccessChanged(AccessChanged change) =>
        hub.Clients.Group(AudienceOf(change.DocId)).AccessChanged(change);

    Task IDocumentObserver.Deactivating(string docId)
    {
        // Its next activation may not know this node (if storing the subscription failed): subscribe again now
        // (retried until it is back).
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

    // One reference for the node's life (it dies with the node's client; grains drop it at expiry).
    private IDocumentObserver Reference() => _reference.Of(this, cluster.CreateObjectReference<IDocumentObserver>);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Renewing the subscription to document {DocId} failed")]
    private static partial void LogRenewFailed(ILogger logger, Exception error, string docId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Unsubscribing from document {DocId} failed; it forgets this node at its observer expiry")]
    private static partial void LogUnsubscribeFailed(ILogger logger, Exception error, string docId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Forwarding held pushes of document {DocId} failed")]
    private static partial void LogFlushFailed(ILogger logger, Exception error, string docId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Subscribing again to document {DocId} failed; trying again in a moment")]
    private static partial void LogPromptRenewFailed(ILogger logger, Exception error, string docId);
}
