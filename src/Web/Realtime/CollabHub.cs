using Collab.Documents;
using Collab.Errors;
using Collab.Text;
using Microsoft.AspNetCore.SignalR;

namespace Collab.Web.Realtime;

/// <summary>
/// <c>/hubs/collab</c>: the real-time protocol (docs/protocol.md). Thin and stateless: identity from the connection,
/// one grain call per method, domain errors mapped by <see cref="CollabHubFilter"/>.
/// </summary>
public sealed class CollabHub(IClusterClient cluster, DocumentFanout fanout, RealtimeOptions options) : Hub<ICollabClient>
{
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

            return await cluster.GetGrain<IDocumentGrain>(request.DocId)
                .OpenAsync(new OpenDocument(request.LastRevision, Context.ConnectionId, CallerIdentity.From(Context)));
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
            request.ClientId, request.ClientSeq, request.BaseRevision, op, CallerIdentity.From(Context), request.ClientTime));
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
            .UpdatePresenceAsync(new PresenceUpdate(Context.ConnectionId, CallerIdentity.From(Context), request.Revision, request.Selection));
    }

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
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
    }
}
