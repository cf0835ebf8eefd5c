using Collab.Documents;
using Collab.Recommendations;
using Collab.Web.Identity;
using Microsoft.AspNetCore.Http.HttpResults;
using static Collab.Web.Workshops.WorkshopsApi;

namespace Collab.Web.Recommendations;

/// <summary>
/// <c>/api/workshops/{id}/recommendations</c>: propose with provenance, the cross-group board, status, endorsements,
/// comments, suggestions, translation sync, merge, history. The texts themselves are documents, edited on the hub.
/// </summary>
public static class RecommendationsApi
{
    public static IEndpointRouteBuilder MapRecommendationsApi(this IEndpointRouteBuilder endpoints)
    {
        var board = endpoints.MapGroup("/api/workshops/{id}/recommendations").WithTags("Recommendations")
            .RequireAuthorization().RequireRateLimiting(CollabAuth.ParticipantPolicy);
        board.MapGet("/", async (string id, HttpContext http, IClusterClient cluster) =>
            TypedResults.Ok(await Board(cluster, id).GetAsync(Caller(http))));
        board.MapPost("/", async (string id, ProposeRequest request, HttpContext http, IClusterClient cluster) =>
        {
            var view = await Board(cluster, id).ProposeAsync(new ProposeRecommendation(
                Caller(http), request.Title ?? "", request.Theme, request.Text, request.Language, request.Origin,
                request.Provenance?.Select(p => new SourceRange(p.DocId ?? "", p.Start, p.End, p.Revision)).ToList()));
            return TypedResults.Created($"/api/workshops/{id}/recommendations/{view.Id}", view);
        });
        board.MapPost("/merge", async (string id, MergeRequest request, HttpContext http, IClusterClient cluster) =>
        {
            var view = await Board(cluster, id).MergeAsync(new MergeRecommendations(Caller(http), request.Sources ?? [], request.Title ?? "", request.Theme));
            return TypedResults.Created($"/api/workshops/{id}/recommendations/{view.Id}", view);
        });
        board.MapGet("/rule", async (string id, HttpContext http, IClusterClient cluster) =>
            TypedResults.Ok((await Board(cluster, id).GetAsync(Caller(http))).Rule));
        board.MapPut("/rule", async (string id, AdoptionRule rule, HttpContext http, IClusterClient cluster) =>
            TypedResults.Ok(await Board(cluster, id).SetRuleAsync(Caller(http), rule)));

        var one = board.MapGroup("/{recommendationId}");
        one.MapGet("/", async (string id, string recommendationId, HttpContext http, IClusterClient cluster) =>
            TypedResults.Ok(await Grain(cluster, id, recommendationId).GetAsync(Caller(http))));
        one.MapPost("/status", async (string id, string recommendationId, TransitionRequest request, HttpContext http, IClusterClient cluster) =>
            TypedResults.Ok(await Grain(cluster, id, recommendationId).TransitionAsync(new Transition(Caller(http), request.Status, request.Note))));
        one.MapPost("/endorsements", async (string id, string recommendationId, EndorseRequest request, HttpContext http, IClusterClient cluster) =>
            TypedResults.Ok(await Grain(cluster, id, recommendationId).EndorseAsync(new Endorse(Caller(http), request.Stance, request.Reservation, request.Delegation))));
        one.MapPost("/comments", async (string id, string recommendationId, CommentRequest request, HttpContext http, IClusterClient cluster) =>
            TypedResults.Ok(await Grain(cluster, id, recommendationId).CommentAsync(
                new AddComment(Caller(http), request.Language ?? "", request.Start, request.End, request.Revision, request.Text ?? ""))));
        one.MapPost("/comments/{commentId}/replies", async (string id, string recommendationId, string commentId, TextRequest request, HttpContext http, IClusterClient cluster) =>
            TypedResults.Ok(await Grain(cluster, id, recommendationId).ReplyAsync(new ReplyToComment(Caller(http), commentId, request.Text ?? ""))));
        one.MapPost("/comments/{commentId}/resolve", async (string id, string recommendationId, string commentId, ResolveRequest? request, HttpContext http, IClusterClient cluster) =>
            TypedResults.Ok(await Grain(cluster, id, recommendationId).ResolveCommentAsync(new ResolveComment(Caller(http), commentId, request?.Resolved ?? true))));
        one.MapPost("/suggestions", async (string id, string recommendationId, SuggestRequest request, HttpContext http, IClusterClient cluster) =>
            TypedResults.Ok(await Grain(cluster, id, recommendationId).SuggestAsync(new Suggest(
                Caller(http), request.Language ?? "", request.Start, request.End, request.Revision, request.Replacement ?? "", request.Note))));
        one.MapPost("/suggestions/{suggestionId}/accept", async (string id, string recommendationId, string suggestionId, HttpContext http, IClusterClient cluster) =>
            TypedResults.Ok(await Grain(cluster, id, recommendationId).DecideSuggestionAsync(new DecideSuggestion(Caller(http), suggestionId, true))));
        one.MapPost("/suggestions/{suggestionId}/reject", async (string id, string recommendationId, string suggestionId, HttpContext http, IClusterClient cluster) =>
            TypedResults.Ok(await Grain(cluster, id, recommendationId).DecideSuggestionAsync(new DecideSuggestion(Caller(http), suggestionId, false))));
        one.MapPost("/translations/{language}/sync", async (string id, string recommendationId, string language, HttpContext http, IClusterClient cluster) =>
            TypedResults.Ok(await Grain(cluster, id, recommendationId).MarkInSyncAsync(new MarkInSync(Caller(http), language))));
        one.MapGet("/diff", async (string id, string recommendationId, string? lang, int from, int to, HttpContext http, IClusterClient cluster) =>
            TypedResults.Ok(await Grain(cluster, id, recommendationId).DiffAsync(Caller(http), lang ?? "", from, to)));
        return endpoints;
    }

    private static IRecommendationBoardGrain Board(IClusterClient cluster, string id) => cluster.GetGrain<IRecommendationBoardGrain>(id);

    private static IRecommendationGrain Grain(IClusterClient cluster, string id, string recommendationId) =>
        cluster.GetGrain<IRecommendationGrain>($"{id}/{recommendationId}");
}

/// <summary>A passage of a source document (e.g. a group's best practices) at a revision: [start, end).</summary>
public sealed record SourceRangeRequest(string? DocId, int Start, int End, int Revision);

/// <summary>Body of <c>POST …/recommendations</c>; <c>language</c> (default the workshop's first) becomes the language of record.</summary>
public sealed record ProposeRequest(string? Title, string? Theme, string? Text, string? Language, string? Origin, IReadOnlyList<SourceRangeRequest>? Provenance);

public sealed record MergeRequest(IReadOnlyList<string>? Sources, string? Title, string? Theme);

/// <summary><c>status</c>: proposed, inReview, adopted, rejected or withdrawn.</summary>
public sealed record TransitionRequest(RecommendationStatus Status, string? Note);

/// <summary><c>stance</c>: support, reservation (with its text) or objection; <c>delegation</c> optional, must be the caller's.</summary>
public sealed record EndorseRequest(Stance Stance, string? Reservation, string? Delegation);

/// <summary>A comment on [start, end) of the text in <c>language</c> as it was at <c>revision</c>.</summary>
public sealed record CommentRequest(string? Language, int Start, int End, int Revision, string? Text);

public sealed record TextRequest(string? Text);

public sealed record ResolveRequest(bool Resolved);

/// <summary>Proposes replacing [start, end) of the text in <c>language</c> at <c>revision</c> with <c>replacement</c>.</summary>
public sealed record SuggestRequest(string? Language, int Start, int End, int Revision, string? Replacement, string? Note);
