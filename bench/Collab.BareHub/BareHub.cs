using Collab.Text;
using Microsoft.AspNetCore.SignalR;

namespace Collab.BareHub;

/// <summary>
/// <c>/hubs/collab</c> as a plain SignalR app would write it: join the document's group, sequence under a lock, push
/// the committed op to the whole group (the author too, as Collab does), answer the ack.
/// </summary>
internal sealed class BareHub(BareDocuments documents, Participants participants) : Hub
{
    private const string CallerItem = "participant";

    public override Task OnConnectedAsync()
    {
        var http = Context.GetHttpContext();
        var token = http?.Request.Query["access_token"].ToString() is { Length: > 0 } query
            ? query
            : http?.Request.Headers.Authorization.ToString().Replace("Bearer ", "", StringComparison.Ordinal);
        Context.Items[CallerItem] = participants.Find(token) ?? throw new HubException("auth.unauthenticated: unknown token.");
        return base.OnConnectedAsync();
    }

    public async Task<OpenedDocumentDto> OpenDocument(OpenDocumentRequest request)
    {
        var document = Find(request.DocId);
        await Groups.AddToGroupAsync(Context.ConnectionId, request.DocId);
        lock (document.Gate)
        {
            return request.LastRevision is { } last && last <= document.Revision
                ? new OpenedDocumentDto(document.DocId, document.Revision, null, document.OpsAfter(last))
                : new OpenedDocumentDto(document.DocId, document.Revision, document.Text, []);
        }
    }

    public async Task<SubmitResultDto> SubmitOp(SubmitOpRequest request)
    {
        var document = Find(request.DocId);
        var author = (Participant)Context.Items[CallerItem]!;
        Task push = Task.CompletedTask;
        SubmitResultDto acked;
        lock (document.Gate)
        {
            if (document.Commit(request, request.Op, author, out acked) is { } committed)
            {
                // Started under the lock so that every connection gets a document's pushes in revision order.
                push = Clients.Group(request.DocId).SendAsync("OpsCommitted", new OpsCommittedDto(request.DocId, [committed]));
            }
        }

        await push;
        return acked;
    }

    public Task CloseDocument(CloseDocumentRequest request) => Groups.RemoveFromGroupAsync(Context.ConnectionId, request.DocId);

    private BareDocument Find(string docId) =>
        documents.Find(docId) ?? throw new HubException($"document.not_found: There is no document '{docId}'.");
}

// The JSON shapes of Collab's hub (camelCase), as far as the bench reads them.
internal sealed record OpenDocumentRequest(string DocId, int? LastRevision);

internal sealed record SubmitOpRequest(string DocId, int BaseRevision, string ClientId, long ClientSeq, TextOperation Op, DateTimeOffset? ClientTime);

internal sealed record CloseDocumentRequest(string DocId);

internal sealed record OpenedDocumentDto(string DocId, int Revision, string? Text, IReadOnlyList<CommittedOpDto> Ops)
{
    public bool Locked => false;

    public IReadOnlyList<object> Presence => [];

    public string Room => "plenary";

    public object Access { get; } = new { mode = "edit" };
}

internal sealed record SubmitResultDto(int Revision, TextOperation Op);

internal sealed record CommittedOpDto(
    int Revision, TextOperation Op, string ClientId, long ClientSeq, string AuthorId, string AuthorName, DateTimeOffset CommittedAt, DateTimeOffset? ClientTime);

internal sealed record OpsCommittedDto(string DocId, IReadOnlyList<CommittedOpDto> Ops);
