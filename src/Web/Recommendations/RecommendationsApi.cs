using Collab.Documents;
using Collab.Recommendations;
using Collab.Web.Errors;
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
            .RequireAuthorization().ChecksCallerRoutes().RequireRateLimiting(CollabAuth.ParticipantPolicy).ProducesCollabProblems();
        board.MapGet("/", async (string id, HttpContext http, IClusterClient cluster) =>
            TypedResults.Ok(await Board(cluster, id).GetAsync(Caller(http))))
            .WithSummary("The recommendations board: every recommendation's summary, likely duplicates, the adoption rule");
        board.MapPost("/", async (string id, ProposeRequest request, HttpContext http, IClusterClient cluster) =>
        {
            foreach (var source in request.Provenance?.Take(MaxListedIds) ?? [])
            {
                CallerRoutes.CheckId(http, "docId", source?.DocId ?? "");
            }

            var view = await Board(cluster, id).ProposeAsync(new ProposeRecommendation(
                Caller(http), request.Title ?? "", request.Theme, request.Text, request.Language, request.Origin,
                request.Provenance?.Select(p => new SourceRange(p?.DocId ?? "", p?.Start ?? 0, p?.End ?? 0, p?.Revision ?? 0)).ToList(),
                request.Titles));
            return TypedResults.Created($"/api/workshops/{id}/recommendations/{view.Id}", view);
        }).WithSummary("Propose a recommendation with its text and provenance (passages of group documents)");
        board.MapPost("/merge", async (string id, MergeRequest request, HttpContext http, IClusterClient cluster) =>
        {
            foreach (var source in request.Sources?.Take(MaxListedIds) ?? [])
            {
                CallerRoutes.CheckId(http, "recommendationId", source ?? "");
            }

            var view = await Board(cluster, id).MergeAsync(new MergeRecommendations(
                Caller(http), request.Sources ?? [], request.Title ?? "", request.Theme, request.Text, request.Language));
            return TypedResults.Created($"/api/workshops/{id}/recommendations/{view.Id}", view);
        }).WithSummary("Merge recommendations into a new one (with the facilitator's prepared text, if given) that keeps every source's provenance");
        board.MapGet("/rule", async (string id, HttpContext http, IClusterClient cluster) =>
            TypedResults.Ok((await Board(cluster, id).GetAsync(Caller(http))).Rule))
            .WithSummary("The adoption rule (consensus or majority threshold)");
        board.MapPut("/rule", async (string id, AdoptionRule rule, HttpContext http, IClusterClient cluster) =>
            TypedResults.Ok(await Board(cluster, id).SetRuleAsync(Caller(http), rule)))
            .WithSummary("Set the adoption rule (facilitators); every recommendation's tally is pushed again");

        var one = board.MapGroup("/{recommendationId}");
        one.MapGet("/", async (string id, string recommendationId, HttpContext http, IClusterClient cluster) =>
            TypedResults.Ok(await Grain(cluster, id, recommendationId).GetAsync(Caller(http))))
            .WithSummary("One recommendation: status, texts per language, endorsements, comments, suggestions");
        one.MapPost("/sources", async (string id, string recommendationId, SourceRangeRequest request, HttpContext http, IClusterClient cluster) =>
        {
            CallerRoutes.CheckId(http, "docId", request.DocId ?? "");
            return TypedResults.Ok(await Grain(cluster, id, recommendationId).AddSourceAsync(
                new AddSource(Caller(http), new SourceRange(request.DocId ?? "", request.Start, request.End, request.Revision))));
        }).WithSummary("Add a passage of a note (a group's or a plenary document) to the recommendation's sources");
        one.MapPost("/status", async (string id, string recommendationId, TransitionRequest request, HttpContext http, IClusterClient cluster) =>
            TypedResults.Ok(await Grain(cluster, id, recommendationId).TransitionAsync(new Transition(Caller(http), request.Status, request.Note))))
            .WithSummary("Move the recommendation through its status flow (proposed, inReview, adopted, rejected, withdrawn)");
        one.MapPost("/endorsements", async (string id, string recommendationId, EndorseRequest request, HttpContext http, IClusterClient cluster) =>
            TypedResults.Ok(await Grain(cluster, id, recommendationId).EndorseAsync(new Endorse(Caller(http), request.Stance, request.Reservation, request.Delegation))))
            .WithSummary("Support, support with a reservation, object or abstain, for one's delegation");
        one.MapPost("/comments", async (string id, string recommendationId, CommentRequest request, HttpContext http, IClusterClient cluster) =>
            TypedResults.Ok(await Grain(cluster, id, recommendationId).CommentAsync(
                new AddComment(Caller(http), request.Language ?? "", request.Start, request.End, request.Revision, request.Text ?? ""))))
            .WithSummary("Comment on a passage of one language's text");
        one.MapPost("/comments/{commentId}/replies", async (string id, string recommendationId, string commentId, TextRequest request, HttpContext http, IClusterClient cluster) =>
            TypedResults.Ok(await Grain(cluster, id, recommendationId).ReplyAsync(new ReplyToComment(Caller(http), commentId, request.Text ?? ""))))
            .WithSummary("Reply to a comment");
        one.MapPost("/comments/{commentId}/resolve", async (string id, string recommendationId, string commentId, ResolveRequest? request, HttpContext http, IClusterClient cluster) =>
            TypedResults.Ok(await Grain(cluster, id, recommendationId).ResolveCommentAsync(new ResolveComment(Caller(http), commentId, request?.Resolved ?? true))))
            .WithSummary("Resolve or reopen a comment");
        one.MapPost("/suggestions", async (string id, string recommendationId, SuggestRequest request, HttpContext http, IClusterClient cluster) =>
            TypedResults.Ok(await Grain(cluster, id, recommendationId).SuggestAsync(new Suggest(
                Caller(http), request.Language ?? "", request.Start, request.End, request.Revision, request.Replacement ?? "", request.Note))))
            .WithSummary("Suggest replacing a passage of one language's text");
        one.MapPost("/suggestions/{suggestionId}/accept", async (string id, string recommendationId, string suggestionId, HttpContext http, IClusterClient cluster) =>
            TypedResults.Ok(await Grain(cluster, id, recommendationId).DecideSuggestionAsync(new DecideSuggestion(Caller(http), suggestionId, true))))
            .WithSummary("Accept a suggestion: it is applied through the document's sequencer");
        one.MapPost("/suggestions/{suggestionId}/reject", async (string id, string recommendationId, string suggestionId, HttpContext http, IClusterClient cluster) =>
            TypedResults.Ok(await Grain(cluster, id, recommendationId).DecideSuggestionAsync(new DecideSuggestion(Caller(http), suggestionId, false))))
            .WithSummary("Reject a suggestion: the text does not change");
        one.MapPost("/translations/{language}/sync", async (string id, string recommendationId, string language, HttpContext http, IClusterClient cluster) =>
            TypedResults.Ok(await Grain(cluster, id, recommendationId).MarkInSyncAsync(new MarkInSync(Caller(http), language))))
            .WithSummary("Mark a translation as in sync with the language of record");
        one.MapPut("/titles/{language}", async (string id, string recommendationId, string language, TitleRequest request, HttpContext http, IClusterClient cluster) =>
            TypedResults.Ok(await Grain(cluster, id, recommendationId).SetTitleAsync(new SetTitle(Caller(http), language, request.Title))))
            .WithSummary("Change the title in one language: the title of record, or a translation (empty removes it)");
        one.MapGet("/diff", async (string id, string recommendationId, string? lang, int from, int to, HttpContext http, IClusterClient cluster) =>
            TypedResults.Ok(await Grain(cluster, id, recommendationId).DiffAsync(Caller(http), lang ?? "", from, to)))
            .WithSummary("What changed in one language's text between two revisions, with authors");
        return endpoints;
    }

    /// <summary>Ids checked at the edge per list; the grains refuse longer lists (50 passages, 20 merged recommendations).</summary>
    private const int MaxListedIds = 100;

    private static IRecommendationBoardGrain Board(IClusterClient cluster, string id) => cluster.GetGrain<IRecommendationBoardGrain>(id);

    private static IRecommendationGrain Grain(IClusterClient cluster, string id, string recommendationId) =>
        cluster.GetGrain<IRecommendationGrain>($"{id}/{recommendationId}");
}

/// <summary>A passage of a source document (e.g. a group's best practices) at a revision: [start, end).</summary>
public sealed record SourceRangeRequest(string? DocId, int Start, int End, int Revision);

/// <summary>Body of <c>POST …/recommendations</c>; <c>language</c> (default the workshop's first) becomes the language of record;
/// <c>titles</c> (optional) gives the title in other working languages, by language tag.</summary>
public sealed record ProposeRequest(
    string? Title, string? Theme, string? Text, string? Language, string? Origin, IReadOnlyList<SourceRangeRequest>? Provenance,
    IReadOnlyDictionary<string, string>? Titles = null);

/// <summary>Body of <c>PUT …/titles/{language}</c>: the title in that language (for a translation, empty removes it).</summary>
public sealed record TitleRequest(string? Title);

/// <summary>
/// Body of <c>POST …/recommendations/merge</c>: <c>text</c> is the merged text of record as the facilitator prepared it
/// (in <c>language</c>, default the first source's language of record); without it, the sources' texts one after the other.
/// </summary>
public sealed record MergeRequest(IReadOnlyList<string>? Sources, string? Title, string? Theme, string? Text = null, string? Language = null);

/// <summary><c>status</c>: proposed, inReview, adopted, rejected or withdrawn.</summary>
public sealed record TransitionRequest(RecommendationStatus Status, string? Note);

/// <summary><c>stance</c>: support, reservation (with its text), objection or abstain; <c>delegation</c> optional, must be the caller's.</summary>
public sealed record EndorseRequest(Stance Stance, string? Reservation, string? Delegation);

/// <summary>A comment on [start, end) of the text in <c>language</c> as it was at <c>revision</c>.</summary>
public sealed record CommentRequest(string? Language, int Start, int End, int Revision, string? Text);

public sealed record TextRequest(string? Text);

public sealed record ResolveRequest(bool Resolved);

/// <summary>Proposes replacing [start, end) of the text in <c>language</c> at <c>revision</c> with <c>replacement</c>.</summary>
public sealed record SuggestRequest(string? Language, int Start, int End, int Revision, string? Replacement, string? Note);
