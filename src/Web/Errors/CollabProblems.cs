using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.RateLimiting;

namespace Collab.Web.Errors;

/// <summary>
/// The error answers of the HTTP API in its reference (<c>/openapi/v1.json</c>): one line per endpoint group,
/// <c>group.ProducesCollabProblems()</c>, documents every problem+json answer its endpoints can give, derived from what
/// the endpoint is once all its conventions are applied:
/// 400 always (validation, unreadable body); 401 and 403 when it requires authorization; 404 and 409 when its route
/// names a resource (<c>{id}</c>, <c>{docId}</c> …); 429 when it is rate limited; 503 always (the cluster did not answer).
/// Statuses an endpoint already declares are left as they are.
/// </summary>
public static class CollabProblems
{
    public const string ContentType = "application/problem+json";

    /// <summary>Marks an endpoint that limits its callers itself (e.g. <c>/api/join</c>'s per-code budgets): it may answer 429.</summary>
    public static readonly object RateLimited = new RateLimitedInHandler();

    public static TBuilder ProducesCollabProblems<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Finally(endpoint =>
        {
            var metadata = endpoint.Metadata;
            var statuses = new List<int> { StatusCodes.Status400BadRequest };
            if (metadata.OfType<IAuthorizeData>().Any())
            {
                statuses.Add(StatusCodes.Status401Unauthorized);
                statuses.Add(StatusCodes.Status403Forbidden);
            }

            if (endpoint is RouteEndpointBuilder { RoutePattern.Parameters.Count: > 0 })
            {
                statuses.Add(StatusCodes.Status404NotFound);
                statuses.Add(StatusCodes.Status409Conflict);
            }

            if (metadata.OfType<EnableRateLimitingAttribute>().Any() || metadata.Contains(RateLimited))
            {
                statuses.Add(StatusCodes.Status429TooManyRequests);
            }

            statuses.Add(StatusCodes.Status503ServiceUnavailable);
            var declared = metadata.OfType<IProducesResponseTypeMetadata>().Select(m => m.StatusCode).ToHashSet();
            foreach (var status in statuses.Where(s => !declared.Contains(s)))
            {
                metadata.Add(new ProblemResponse(status));
            }
        });
        return builder;
    }

    /// <summary>What each status means in Collab (the reference's response descriptions); the body's <c>code</c> says which rule refused.</summary>
    public static string Describe(int status) => status switch
    {
        StatusCodes.Status400BadRequest => "Invalid input (code, and field for the value at fault), or a body that cannot be read (request.malformed).",
        StatusCodes.Status401Unauthorized => "No valid bearer token: auth.required, auth.invalid_token, auth.token_expired, auth.revoked.",
        StatusCodes.Status403Forbidden => "The caller's role or group may not do this (e.g. session.facilitators_only).",
        StatusCodes.Status404NotFound => "No such workshop, session, document or recommendation in the caller's workshop.",
        StatusCodes.Status409Conflict => "The resource's state forbids it now (e.g. document.locked, a stale expectedVersion).",
        StatusCodes.Status429TooManyRequests => "Too many requests from this participant, with this join code, or with codes that do not work: rate.limited; see Retry-After.",
        StatusCodes.Status503ServiceUnavailable => "The cluster did not answer in time (server.unavailable): nothing changed; send it again after Retry-After.",
        _ => "An error (problem+json with a stable code).",
    };

    private sealed class RateLimitedInHandler;

    private sealed class ProblemResponse(int status) : IProducesResponseTypeMetadata
    {
        public Type? Type => typeof(CollabProblem);

        public int StatusCode => status;

        public IEnumerable<string> ContentTypes => [ContentType];
    }
}

/// <summary>
/// Every error answer of the HTTP API (RFC 9457 problem details, <c>application/problem+json</c>). Clients switch on
/// <see cref="Code"/>, which is stable; <see cref="Title"/> is a message a person can act on.
/// </summary>
/// <param name="Type">A URI naming the error: <c>https://collab.invalid/errors/{code}</c>.</param>
/// <param name="Title">What went wrong, for a person.</param>
/// <param name="Status">The HTTP status.</param>
/// <param name="Code">The stable error code, e.g. <c>session.facilitators_only</c> (docs/workshops.md lists them).</param>
/// <param name="Field">For validation errors, the input at fault.</param>
public sealed record CollabProblem(string Type, string Title, int Status, string Code, string? Field);
