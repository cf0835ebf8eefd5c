using Collab.Documents;
using Collab.Errors;
using Collab.Sessions;
using Collab.Text;
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
public sealed class CollabHub(
    IClusterClient cluster,
    DocumentFanout fanout,
    WorkshopFanout workshops,
    ConnectionRegistry connections,
    RealtimeOptions options) : Hub<ICollabClient>
{
    private const string CountedItem = "collab.connection.counted";

    public override async Task OnConnectedAsync()
    {
        var caller = CollabClaims.CallerOf(Context);
        connections.Add(caller.WorkshopId, caller.ParticipantId, Context);
        await Groups.AddToGroupAsync(Context.ConnectionId, WorkshopFanout.WorkshopGroup(caller.WorkshopId));
        if (caller.Role == Role.Facilitator)
        {
            await Groups.AddToGroupAsync(Context.ConnectionId, WorkshopFanout.FacilitatorsGroup(caller.WorkshopId));
        }

        await workshops.AcquireWorkshopAsync(caller.WorkshopId);

        // Removals are pushed only to web nodes subscribed to the workshop. One that landed after this connection
        // signed in but before the subscription above reached nobody here, so ask again: any later one is pushed.
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

    /// <summary>Receives a session's changes, announcements and time's-up pushes from now on; answers its current view.</summary>
    public async Task<SessionView> WatchSession(WatchSessionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var caller = CollabClaims.CallerOf(Context);
        var grain = cluster.GetGrain<ISessionGrain>(SessionKeys.Of(caller.WorkshopId, request.SessionId ?? ""));
        var connection = ConnectionState.Of(Context, options);
        bool first;
        lock (connection.WatchedSessions)
        {
            first = connection.WatchedSessions.Add(request.SessionId ?? "");
        }

        try
        {
            // Subscribe before reading, so that no change falls between the answer and the pushes.
            if (first)
            {
                await workshops.AcquireSessionAsync(caller.WorkshopId, request.SessionId!);
                await Groups.AddToGroupAsync(Context.ConnectionId, WorkshopFanout.SessionGroup(caller.WorkshopId, request.SessionId!));
            }

            return await grain.GetAsync(caller);
        }
        catch when (first)
        {
            await UnwatchAsync(connection, caller, request.SessionId!);
            throw;
        }
    }

    public Task UnwatchSession(WatchSessionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return UnwatchAsync(ConnectionState.Of(Context, options), CollabClaims.CallerOf(Context), request.SessionId ?? "");
    }

    public async Task<OpenedDocument> OpenDocument(OpenDocumentRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var connection = ConnectionState.Of(Context, options);
        var first = false;
        lock (connection.OpenDocuments)
        {
            if (!connection.OpenDocuments.Contains(request.DocId))
            {
                if (connection.OpenDocuments.Count >= options.MaxOpenDocuments)
                {
                    throw new ValidationFailedException(
                        "connection.too_many_documents", $"A connection may have {options.MaxOpenDocuments} documents open at once.", "docId");
                }

                connection.OpenDocuments.Add(request.DocId);
                first = true;
            }
        }

        try
        {
            // Subscribe and join the group before reading, so that no commit falls between the answer and the pushes.
            if (first)
            {
                await fanout.AcquireAsync(request.DocId);
                await Groups.AddToGroupAsync(Context.ConnectionId, DocumentFanout.GroupOf(request.DocId));
            }

            var caller = CollabClaims.CallerOf(Context);
            var opened = await cluster.GetGrain<IDocumentGrain>(request.DocId)
                .OpenAsync(new OpenDocument(request.LastRevision, Context.ConnectionId, caller));
            if (first)
            {
                await cluster.GetGrain<IPresenceGrain>(caller.WorkshopId).LocateAsync(Context.ConnectionId, request.DocId, opened.Room, open: true);
            }

            return opened;
        }
        catch when (first)
        {
            await CloseAsync(connection, request.DocId);
            throw;
        }
    }

    public Task<SubmitResult> SubmitOp(SubmitOpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!ConnectionState.Of(Context, options).TryTakeOp(options))
        {
            throw new ValidationFailedException(
                "rate.limited", $"More than {options.OpsPerSecond} ops per second from this connection; slow down and resend.", "op");
        }

        if (!TextOperationJson.TryParse(request.Op, out var op, out var code, out var error))
        {
            throw new ValidationFailedException(code, error, "op");
        }

        return cluster.GetGrain<IDocumentGrain>(request.DocId).SubmitAsync(new SubmitOp(
            request.ClientId, request.ClientSeq, request.BaseRevision, op, CollabClaims.CallerOf(Context), request.ClientTime));
    }

    public Task CloseDocument(CloseDocumentRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return CloseAsync(ConnectionState.Of(Context, options), request.DocId);
    }

    public Task UpdatePresence(UpdatePresenceRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return cluster.GetGrain<IDocumentGrain>(request.DocId)
            .UpdatePresenceAsync(new PresenceUpdate(Context.ConnectionId, CollabClaims.CallerOf(Context), request.Revision, request.Selection));
    }

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        if (Context.Items.Remove(CountedItem))
        {
            RealtimeMetrics.Disconnected();
        }

        var connection = ConnectionState.Of(Context, options);
        string[] open;
        lock (connection.OpenDocuments)
        {
            open = [.. connection.OpenDocuments];
        }

        foreach (var docId in open)
        {
            await CloseAsync(connection, docId);
        }

        string[] watched;
        lock (connection.WatchedSessions)
        {
            watched = [.. connection.WatchedSessions];
        }

        var caller = CollabClaims.CallerOf(Context);
        foreach (var sessionId in watched)
        {
            await UnwatchAsync(connection, caller, sessionId);
        }

        connections.Remove(caller.WorkshopId, caller.ParticipantId, Context.ConnectionId);
        await cluster.GetGrain<IPresenceGrain>(caller.WorkshopId).DisconnectAsync(Context.ConnectionId);
        await workshops.ReleaseWorkshopAsync(caller.WorkshopId);
        await base.OnDisconnectedAsync(exception);
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

        await Groups.RemoveFromGroupAsync(Context.ConnectionId, DocumentFanout.GroupOf(docId));
        await cluster.GetGrain<IDocumentGrain>(docId).LeaveAsync(Context.ConnectionId);
        await fanout.ReleaseAsync(docId);
        await cluster.GetGrain<IPresenceGrain>(CollabClaims.CallerOf(Context).WorkshopId).LocateAsync(Context.ConnectionId, docId, "", open: false);
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
            await Groups.RemoveFromGroupAsync(Context.ConnectionId, WorkshopFanout.SessionGroup(caller.WorkshopId, sessionId));
            await workshops.ReleaseSessionAsync(caller.WorkshopId, sessionId);
        }
    }
}
