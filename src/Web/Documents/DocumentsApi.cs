using Collab.Documents;
using Collab.Workshops;
using Collab.Web.Errors;
using Collab.Web.Identity;
using Microsoft.AspNetCore.Http.HttpResults;
using static Collab.Web.Workshops.WorkshopsApi;

namespace Collab.Web.Documents;

/// <summary>
/// Documents over HTTP: create plenary documents (facilitators, rapporteurs), read their history, lock and unlock them
/// (facilitators). Editing is real-time only (<c>/hubs/collab</c>). Only callers of the document's workshop see it.
/// </summary>
public static class DocumentsApi
{
    public static IEndpointRouteBuilder MapDocumentsApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/api/workshops/{id}/documents", CreateAsync).WithTags("Documents")
            .RequireAuthorization().ChecksCallerRoutes().RequireRateLimiting(CollabAuth.ParticipantPolicy).ProducesCollabProblems()
            .WithSummary("Create a plenary document every participant edits (facilitators, rapporteurs)");

        var group = endpoints.MapGroup("/api/documents/{docId}").WithTags("Documents")
            .RequireAuthorization().ChecksCallerRoutes().RequireRateLimiting(CollabAuth.ParticipantPolicy).ProducesCollabProblems();
        group.MapGet("/", async (string docId, HttpContext http, IClusterClient cluster) =>
            TypedResults.Ok(await Grain(cluster, docId).GetAsync(Caller(http))))
            .WithSummary("The document: title, committed revision, length, lock, room");
        group.MapGet("/text", TextAsync).WithSummary("The text now, at a revision (?revision=) or as it was at a time (?at=)");
        group.MapGet("/ops", async (string docId, int? after, int? to, HttpContext http, IClusterClient cluster) =>
            TypedResults.Ok(await Grain(cluster, docId).GetOpsAsync(Caller(http), after ?? 0, PageEnd(after ?? 0, to))))
            .WithSummary($"The committed ops after a revision (?after=, ?to=), with their authors: the history, at most {MaxOpsPerRead} per request");
        group.MapPost("/lock", async (string docId, HttpContext http, IClusterClient cluster) =>
            TypedResults.Ok(await Grain(cluster, docId).SetLockedAsync(new SetLocked(true, Caller(http)))))
            .WithSummary("Lock the document: it accepts no more edits (facilitators)");
        group.MapPost("/unlock", async (string docId, HttpContext http, IClusterClient cluster) =>
            TypedResults.Ok(await Grain(cluster, docId).SetLockedAsync(new SetLocked(false, Caller(http)))))
            .WithSummary("Unlock the document (facilitators)");
        return endpoints;
    }

    /// <summary>Most ops one history request answers: a long history is read page by page (?after= the last revision read).</summary>
    public const int MaxOpsPerRead = 1_000;

    private static int PageEnd(int after, int? to) => (int)Math.Min(to ?? int.MaxValue, Math.Max(after, 0) + (long)MaxOpsPerRead);

    private static async Task<Created<WorkshopDocument>> CreateAsync(string id, CreateDocumentRequest request, HttpContext http, IClusterClient cluster)
    {
        var document = await cluster.GetGrain<IWorkshopGrain>(id).AddDocumentAsync(new AddDocument(Caller(http), request.Title, request.Text));
        return TypedResults.Created($"/api/documents/{document.DocId}", document);
    }

    private static async Task<Ok<TextAtRevision>> TextAsync(string docId, int? revision, DateTimeOffset? at, HttpContext http, IClusterClient cluster)
    {
        var grain = Grain(cluster, docId);
        var caller = Caller(http);
        if (revision is { } r)
        {
            return TypedResults.Ok(await grain.GetTextAtRevisionAsync(caller, r));
        }

        if (at is { } instant)
        {
            return TypedResults.Ok(await grain.GetTextAtTimeAsync(caller, instant));
        }

        return TypedResults.Ok(await grain.GetTextAsync(caller));
    }

    private static IDocumentGrain Grain(IClusterClient cluster, string docId) => cluster.GetGrain<IDocumentGrain>(docId);
}

/// <summary>Body of <c>POST /api/workshops/{id}/documents</c>: a plenary document every participant edits.</summary>
public sealed record CreateDocumentRequest(string? Title, string? Text);
