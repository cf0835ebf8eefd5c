using Collab.Documents;
using Collab.Errors;
using Collab.Sessions;
using Collab.Text;
using Collab.Web.Errors;
using Collab.Web.Identity;
using Collab.Workshops;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace Collab.Web.Realtime;

/// <summary>
/// <c>/hubs/collab</c>: the real-time protocol (docs/protocol.md). Thin and stateless: identity from the bearer token
/// only (<see cref="CollabClaims"/>), one grain call per method, domain errors mapped by <see cref="CollabHubFilter"/>.
/// </summary>
[Authorize]
public sealed partial class CollabHub(
    IClusterClient cluster,
    GrainReferences grains,
    DocumentFanout fanout,
    WorkshopFanout workshops,
    ConnectionRegistry connections,
    RealtimeOptions options,
    ILogger<CollabHub> logger) : Hub<ICollabClient>
{
    private const string CountedItem = "collab.connection.counted";

    public override async Task OnConnectedAsync()
    {
        if (HubWarmUp.Is(Context))
        {
            return; // it belongs to no workshop: nothing to join, subscribe or count
        }

        try
        {
            await ConnectAsync();
        }
        catch (Exception e) when (ClusterFaults.IsUnavailable(e))
        {
            // The cluster cannot admit the connection now. Closed without an error, the client reconnects by itself (an
            // exception here would tell it never to); OnDisconnectedAsync releases what this connection took.
            LogConnectUnavailable(logger, e.GetType().Name);
            Context.Abort();
        }
    }

    private async Task ConnectAsync()
    {
        var caller = CollabClaims.CallerOf(Context);
        connections.Add(caller.WorkshopId, caller.ParticipantId, Context);
        await workshops.AcquireWorkshopAsync(caller.WorkshopId);

        // Removals are pushed only to web nodes subscribed to the workshop. One that landed after this connection
        // signed in but before the subscription above reached nobody here, so ask again: any later one is pushed. And
        // only an admitted caller joins the workshop's audiences (SignalR groups).
        try
        {
            await cluster.GetGrain<IWorkshopGrain>(caller.WorkshopId).AuthenticateAsync(caller.ParticipantId);
        }
        catch (UnauthenticatedException revoked)
        {
            // OnDisconnectedAsync releases what this connection took, as for a removal pushed later.
            await Clients.Caller.Revoked(new Revoked(caller.WorkshopId, revoked.Code));
            Context.Abort();
            return;
        }

        await Groups.AddToGroupAsync(Context.ConnectionId, WorkshopFanout.WorkshopAudience(caller.WorkshopId));
        if (caller.Role == Role.Facilitator)
        {
            await Groups.AddToGroupAsync(Context.ConnectionId, WorkshopFanout.FacilitatorsAudience(caller.WorkshopId));
        }

        await cluster.GetGrain<IPresenceGrain>(caller.WorkshopId).ConnectAsync(Context.ConnectionId, caller);
        await base.OnConnectedAsync();
        Context.Items[CountedItem] = true;
        RealtimeMetrics.Connected();
    }

    /// <summary>The caller's workshop and who the token says they are.</summary>
    public async Task<EnteredWorkshop> EnterWorkshop()
    {
        var caller = CollabClaims.CallerOf(Context);
        return new EnteredWorkshop(await cluster.GetGrain<IWorkshopGrain>(caller.WorkshopId).GetAsync(caller), caller);
    }

    /// <summary>
    /// Receives a session's changes, announcements and time's-up pushes from now on; answers its current view. The
    /// session grain admits the caller first (a session of another workshop, or none, is refused before anything is
    /// subscribed); then the connection joins the audience, then this node subscribes, and only then is the answer read,
    /// so that no change falls between the answer and the pushes.
    /// </summary>
    public async Task<SessionView> WatchSession(WatchSessionRequest request)
    {
        var caller = CollabClaims.CallerOf(Context);
        var sessionId = request.SessionId;
        var grain = cluster.GetGrain<ISessionGrain>(SessionKeys.Of(caller.WorkshopId, sessionId));
        var connection = ConnectionState.Of(Context, options);
        var admitted = await grain.GetAsync(caller);
        bool first;
        lock (connection.WatchedSessions)
        {
            if (!connection.WatchedSessions.Contains(sessionId) && connection.WatchedSessions.Count >= options.MaxWatchedSessions)
            {
                throw new ValidationFailedException(
                    "connection.too_many_sessions", $"A connection may watch {options.MaxWatchedSessions} sessions at once.", "sessionId");
            }

            first = connection.WatchedSessions.Add(sessionId);
        }

        if (!first)
        {
            return admitted;
        }

        try
        {
            // The audience first, then the subscription: a session grain sends a web node new to it the current view as
            // soon as it subscribes, and that push must find this connection already in the audience.
            await Groups.AddToGroupAsync(Context.ConnectionId, WorkshopFanout.SessionAudience(caller.WorkshopId, sessionId));
            await workshops.AcquireSessionAsync(caller.WorkshopId, sessionId);
            return await grain.GetAsync(caller);
        }
        catch
        {
            await UnwatchAsync(connection, caller, sessionId);
            throw;
        }
    }

    public Task UnwatchSession(WatchSessionRequest request) =>
        UnwatchAsync(ConnectionState.Of(Context, options), CollabClaims.CallerOf(Context), request.SessionId);

    /// <summary>
    /// Opens a document: the grain admits the caller first (another workshop's document, or none, is refused before this
    /// connection subscribes to anything), then the connection joins the document's audience, and only then is the
    /// answer read, so that no commit falls between the answer and the pushes and no push reaches a caller the grain has
    /// not admitted. Opening a document already open only reads (a catch-up or a snapshot).
    /// </summary>
    public async Task<OpenedDocument> OpenDocument(OpenDocumentRequest request)
    {
        var caller = CollabClaims.CallerOf(Context);
        EnsureMayBeDocumentOf(caller, request.DocId);
        var grain = grains.Get<IDocumentGrain>(request.DocId);
        var connection = ConnectionState.Of(Context, options);
        var open = new OpenDocument(request.LastRevision, Context.ConnectionId, caller);
        if (connection.IsOpen(request.DocId))
        {
            return await grain.OpenAsync(open);
        }

        await grain.GetAsync(caller);
        bool first;
        lock (connection.OpenDocuments)
        {
            if (!connection.OpenDocuments.Contains(request.DocId) && connection.OpenDocuments.Count >= options.MaxOpenDocuments)
            {
                throw new ValidationFailedException(
                    "connection.too_many_documents", $"A connection may have {options.MaxOpenDocuments} documents open at once.", "docId");
            }

            first = connection.OpenDocuments.Add(request.DocId);
        }

        if (!first)
        {
            // Opened meanwhile by a parallel call on this connection, which holds the subscription.
            return await grain.OpenAsync(open);
        }

        try
        {
            await fanout.AcquireAsync(request.DocId);
            await Groups.AddToGroupAsync(Context.ConnectionId, DocumentFanout.AudienceOf(request.DocId));
            var opened = await grain.OpenAsync(open);
            await cluster.GetGrain<IPresenceGrain>(caller.WorkshopId).LocateAsync(Context.ConnectionId, request.DocId, opened.Room, open: true);
            return opened;
        }
        catch
        {
            await CloseAsync(connection, request.DocId);
            throw;
        }
    }

    /// <summary>One edit. The grain admits the caller; an id that names nothing leaves no activation behind.</summary>
    public Task<SubmitResult> SubmitOp(SubmitOpRequest request)
    {
        var caller = CollabClaims.CallerOf(Context);
        EnsureMayBeDocumentOf(caller, request.DocId);
        NoteSubmitter(request.DocId, request.ClientId, caller);
        return grains.Get<IDocumentGrain>(request.DocId).SubmitAsync(new SubmitOp(
            request.ClientId, request.ClientSeq, request.BaseRevision, request.Op.ToOperation(), caller, request.ClientTime));
    }

    /// <summary>
    /// Tells the fan-out which connection submits under the client id, so that pushes of only its ops skip it. Only for a
    /// document this connection has open; checked again after noting anything new, so a close racing this call never
    /// leaves an entry (an entry already there is removed by the close itself, which forgets after it closed).
    /// </summary>
    private void NoteSubmitter(string docId, string clientId, Caller caller)
    {
        var connection = ConnectionState.Of(Context, options);
        if (!connection.IsOpen(docId))
        {
            return;
        }

        if (fanout.Submitting(docId, clientId, Context.ConnectionId, caller.ParticipantId) && !connection.IsOpen(docId))
        {
            fanout.Closed(docId, Context.ConnectionId);
        }
    }

    public Task CloseDocument(CloseDocumentRequest request) => CloseAsync(ConnectionState.Of(Context, options), request.DocId);

    /// <summary>The caller's selection in a document this connection has open.</summary>
    public Task UpdatePresence(UpdatePresenceRequest request)
    {
        EnsureOpen(request.DocId);
        return grains.Get<IDocumentGrain>(request.DocId)
            .UpdatePresenceAsync(new PresenceUpdate(Context.ConnectionId, CollabClaims.CallerOf(Context), request.Revision, request.Selection));
    }

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        // The warm-up's connection took nothing at connect (its calls are all refused); should it ever have opened
        // something, that is released below like any connection's.
        var warmUp = HubWarmUp.Is(Context);
        if (Context.Items.Remove(CountedItem))
        {
            RealtimeMetrics.Disconnected();
        }

        // Every release is tried, whatever an earlier one met: a cluster that is down now must not leak this
        // connection's subscriptions, group memberships or registry entry for good.
        var connection = ConnectionState.Of(Context, options);
        var caller = CollabClaims.CallerOf(Context);
        if (!warmUp)
        {
            connections.Remove(caller.WorkshopId, caller.ParticipantId, Context.ConnectionId);
        }

        string[] open;
        lock (connection.OpenDocuments)
        {
            open = [.. connection.OpenDocuments];
        }

        foreach (var docId in open)
        {
            await ReleaseAsync(() => CloseAsync(connection, docId));
        }

        string[] watched;
        lock (connection.WatchedSessions)
        {
            watched = [.. connection.WatchedSessions];
        }

        foreach (var sessionId in watched)
        {
            await ReleaseAsync(() => UnwatchAsync(connection, caller, sessionId));
        }

        if (!warmUp)
        {
            await ReleaseAsync(() => cluster.GetGrain<IPresenceGrain>(caller.WorkshopId).DisconnectAsync(Context.ConnectionId));
            await ReleaseAsync(() => workshops.ReleaseWorkshopAsync(caller.WorkshopId));
        }

        await base.OnDisconnectedAsync(exception);
    }

    private async Task ReleaseAsync(Func<Task> release)
    {
        try
        {
            await release();
        }
        catch (Exception e) when (ClusterFaults.IsUnavailable(e))
        {
            // Grains drop a web node's subscription at its expiry; presence and group state are per node.
            LogReleaseUnavailable(logger, e.GetType().Name);
        }
    }

    private async Task CloseAsync(ConnectionState connection, string docId)
    {
        bool wasOpen;
        lock (connection.OpenDocuments)
        {
            wasOpen = connection.OpenDocuments.Remove(docId);
        }

        if (!wasOpen)
        {
            return;
        }

        fanout.Closed(docId, Context.ConnectionId);
        await Groups.RemoveFromGroupAsync(Context.ConnectionId, DocumentFanout.AudienceOf(docId));
        await grains.Get<IDocumentGrain>(docId).LeaveAsync(Context.ConnectionId);
        await fanout.ReleaseAsync(docId);
        await cluster.GetGrain<IPresenceGrain>(CollabClaims.CallerOf(Context).WorkshopId).LocateAsync(Context.ConnectionId, docId, "", open: false);
    }

    /// <summary>An id that cannot be one of the caller's workshop's documents is refused as the grain would, without asking it.</summary>
    private static void EnsureMayBeDocumentOf(Caller caller, string docId)
    {
        if (!CallerRoutes.MayBeDocumentOf(caller.WorkshopId, docId))
        {
            throw new NotFoundException("document.not_found", $"There is no document '{docId}'.");
        }
    }

    /// <summary>
    /// Presence goes only to documents this connection opened (and so was admitted to, and will leave when it closes
    /// them): an update about any other id reaches no grain and activates nothing.
    /// </summary>
    private void EnsureOpen(string docId)
    {
        if (!ConnectionState.Of(Context, options).IsOpen(docId))
        {
            throw new ConflictException("document.not_open", $"Open document '{docId}' on this connection (OpenDocument) before editing it.");
        }
    }

    private async Task UnwatchAsync(ConnectionState connection, Caller caller, string sessionId)
    {
        bool was;
        lock (connection.WatchedSessions)
        {
            was = connection.WatchedSessions.Remove(sessionId);
        }

        if (was)
        {
            await Groups.RemoveFromGroupAsync(Context.ConnectionId, WorkshopFanout.SessionAudience(caller.WorkshopId, sessionId));
            await workshops.ReleaseSessionAsync(caller.WorkshopId, sessionId);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "A hub connection could not be admitted now ({Fault}); it was closed and will reconnect")]
    private static partial void LogConnectUnavailable(ILogger logger, string fault);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Releasing a closed connection's subscription could not reach the cluster ({Fault}); it expires by itself")]
    private static partial void LogReleaseUnavailable(ILogger logger, string fault);
}
