using System.Security.Cryptography;
using Collab.Documents;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Collab.Web.Documents;

/// <summary>
/// <c>/api/documents</c>: create documents, read their history, lock and unlock them. Editing is real-time only
/// (<c>/hubs/collab</c>). Open endpoints until identity lands.
/// </summary>
public static class DocumentsApi
{
    private static readonly Caller Api = new("api", "HTTP API");

    public static RouteGroupBuilder MapDocumentsApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/documents").WithTags("Documents");
        group.MapPost("/", CreateAsync);
        group.MapGet("/{docId}", async (string docId, IClusterClient cluster) =>
            TypedResults.Ok(await Grain(cluster, docId).GetAsync()));
        group.MapGet("/{docId}/text", TextAsync);
        group.MapGet("/{docId}/ops", async (string docId, int? after, int? to, IClusterClient cluster) =>
            TypedResults.Ok(await Grain(cluster, docId).GetOpsAsync(after ?? 0, to ?? int.MaxValue)));
        group.MapPost("/{docId}/lock", async (string docId, IClusterClient cluster) =>
            TypedResults.Ok(await Grain(cluster, docId).SetLockedAsync(new SetLocked(true, Api))));
        group.MapPost("/{docId}/unlock", async (string docId, IClusterClient cluster) =>
            TypedResults.Ok(await Grain(cluster, docId).SetLockedAsync(new SetLocked(false, Api))));
        return group;
    }

    private static async Task<Created<DocumentView>> CreateAsync(CreateDocumentRequest request, IClusterClient cluster)
    {
        var docId = string.IsNullOrWhiteSpace(request.DocId) ? NewDocId() : request.DocId;
        var view = await Grain(cluster, docId).CreateAsync(new CreateDocument(request.Title, request.Text, Api));
        return TypedResults.Created($"/api/documents/{docId}", view);
    }

    private static async Task<Ok<TextAtRevision>> TextAsync(string docId, int? revision, DateTimeOffset? at, IClusterClient cluster)
    {
        var grain = Grain(cluster, docId);
        if (revision is { } r)
        {
            return TypedResults.Ok(await grain.GetTextAtRevisionAsync(r));
        }

        if (at is { } instant)
        {
            return TypedResults.Ok(await grain.GetTextAtTimeAsync(instant));
        }

        var current = await grain.GetAsync();
        return TypedResults.Ok(await grain.GetTextAtRevisionAsync(current.Revision));
    }

    private static IDocumentGrain Grain(IClusterClient cluster, string docId) => cluster.GetGrain<IDocumentGrain>(docId);

    private static string NewDocId() => "d-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
}

/// <summary>Body of <c>POST /api/documents</c>; every field optional.</summary>
public sealed record CreateDocumentRequest(string? DocId, string? Title, string? Text);
