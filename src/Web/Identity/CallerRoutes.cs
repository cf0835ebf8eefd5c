using Collab.Errors;

namespace Collab.Web.Identity;

/// <summary>
/// The ids in an API path, checked against the caller before any grain is asked: the workshop must be the caller's
/// own (a token is valid in one workshop only), a document id must be one of that workshop's, and every other id must
/// look like an id (at most <see cref="MaxIdLength"/> letters, digits, <c>-</c>, <c>_</c> or <c>.</c>). Anything else
/// cannot exist for this caller: it is answered with the same 404 the grain would give, and no grain is activated for it.
/// </summary>
public static class CallerRoutes
{
    /// <summary>The longest id a path may name (the longest real ones, breakout documents, are about 120).</summary>
    public const int MaxIdLength = 200;

    /// <summary>Checks the route's ids of every endpoint of <paramref name="builder"/> (which must require authorization).</summary>
    public static TBuilder ChecksCallerRoutes<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddEndpointFilter((context, next) =>
        {
            Check(context.HttpContext);
            return next(context);
        });
        return builder;
    }

    private static void Check(HttpContext http)
    {
        var workshop = http.User.FindFirst(CollabClaims.Workshop)?.Value ?? "";
        foreach (var (name, value) in http.Request.RouteValues)
        {
            if (value is not string id || name == "role")
            {
                continue;
            }

            if (name == "id" && !string.Equals(id, workshop, StringComparison.Ordinal))
            {
                // Another workshop's thing is answered as its grain answers it: the most specific thing the path names.
                var (param, thing) = http.Request.RouteValues.ContainsKey("recommendationId") ? ("recommendationId", "recommendation")
                    : http.Request.RouteValues.ContainsKey("sessionId") ? ("sessionId", "session")
                    : ("id", "workshop");
                var named = http.Request.RouteValues[param] as string ?? id;
                throw new NotFoundException(Named(param).Code, $"There is no {thing} '{Shorten(named)}'.");
            }

            CheckId(http, name, id);
        }
    }

    /// <summary>
    /// Refuses, as the grains would, an id in a body that cannot name one of the caller's things: a document outside the
    /// caller's workshop, or anything that does not look like an id. No grain is activated for it.
    /// </summary>
    /// <exception cref="NotFoundException">With the code of <paramref name="parameter"/> (e.g. <c>docId</c>: <c>document.not_found</c>).</exception>
    public static void CheckId(HttpContext http, string parameter, string id)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(id);
        var workshop = http.User.FindFirst(CollabClaims.Workshop)?.Value ?? "";
        var (code, thing) = Named(parameter);
        if (!IsId(id) || (parameter == "docId" && !MayBeDocumentOf(workshop, id)))
        {
            throw new NotFoundException(code, $"There is no {thing} '{Shorten(id)}'.");
        }
    }

    /// <summary>Every document id starts with its workshop's id and a dot: any other cannot be one of the workshop's.</summary>
    public static bool MayBeDocumentOf(string workshopId, string docId)
    {
        ArgumentNullException.ThrowIfNull(docId);
        return docId.StartsWith(workshopId + ".", StringComparison.Ordinal);
    }

    private static string Shorten(string id) => id.Length > 40 ? id[..40] + "…" : id;

    private static bool IsId(string id) =>
        id.Length is > 0 and <= MaxIdLength && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    private static (string Code, string Thing) Named(string parameter) => parameter switch
    {
        "id" => ("workshop.not_found", "workshop"),
        "sessionId" => ("session.not_found", "session"),
        "docId" => ("document.not_found", "document"),
        "recommendationId" => ("recommendation.not_found", "recommendation"),
        "participantId" => ("participant.not_found", "participant"),
        "requestId" => ("help.not_found", "help request"),
        "commentId" => ("comment.not_found", "comment"),
        "suggestionId" => ("suggestion.not_found", "suggestion"),
        _ => ("route.not_found", parameter),
    };
}
