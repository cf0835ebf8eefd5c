using Collab.Workshops;

namespace Collab.Web.Workshops;

/// <summary>Body of <c>POST /api/workshops</c> (also the shape of a seed file, plus its <c>documents</c>).</summary>
public sealed record CreateWorkshopRequest(
    string? Title,
    string? Venue,
    DateOnly StartsOn,
    DateOnly EndsOn,
    IReadOnlyList<string>? Languages,
    IReadOnlyList<string>? Organisers = null,
    IReadOnlyList<string>? Funders = null,
    IReadOnlyList<DelegationRequest>? Delegations = null,
    IReadOnlyList<AgendaSessionRequest>? Agenda = null,
    CreatorRequest? Creator = null,
    string? SeedKey = null,
    IReadOnlyList<ThemeRequest>? Themes = null);

/// <summary>Body of <c>PUT /api/workshops/{id}</c>: the whole editable metadata; omitted lists stay as they are.</summary>
public sealed record UpdateWorkshopRequest(
    int? ExpectedVersion,
    string? Title,
    string? Venue,
    DateOnly StartsOn,
    DateOnly EndsOn,
    IReadOnlyList<string>? Languages,
    IReadOnlyList<string>? Organisers = null,
    IReadOnlyList<string>? Funders = null,
    IReadOnlyList<DelegationRequest>? Delegations = null,
    IReadOnlyList<AgendaSessionRequest>? Agenda = null,
    IReadOnlyList<ThemeRequest>? Themes = null);

/// <summary>A delegation; <c>names</c>: its name in other working languages, by language tag.</summary>
public sealed record DelegationRequest(string? Id, string? Name, string? Kind, string? Language, IReadOnlyDictionary<string, string>? Names = null);

/// <summary>A theme of the recommendations, named in the first working language and, in <c>names</c>, in the others.</summary>
public sealed record ThemeRequest(string? Name, IReadOnlyDictionary<string, string>? Names);

/// <summary>
/// An agenda entry. <c>phaseRules</c>: by phase, a row replacing the default phase table's (docs/recommendations.md);
/// members left out keep the replaced row's values. <c>groupDocuments</c>: the documents each breakout group of the
/// session gets (default: best practices, lessons learnt, challenges, group report).
/// </summary>
public sealed record AgendaSessionRequest(
    string? Id,
    int Day,
    string? Title,
    string? Kind,
    TimeOnly? StartsAt,
    TimeOnly? EndsAt,
    IReadOnlyList<string>? Phases,
    IReadOnlyDictionary<string, Collab.Sessions.PhaseRule>? PhaseRules = null,
    IReadOnlyList<Collab.Web.Sessions.SectionRequest>? GroupDocuments = null,
    IReadOnlyDictionary<string, string>? Titles = null);

/// <summary>Who creates the workshop: they become its first facilitator.</summary>
public sealed record CreatorRequest(string? Name, string? Delegation, string? Language);

/// <summary>Body of <c>POST /api/join</c>.</summary>
public sealed record JoinRequest(string? Code, string? DisplayName, string? Delegation, string? Language, string? RejoinKey);

/// <summary>
/// A signed-in participant: the bearer <see cref="Token"/> for the API and the hub (<c>access_token</c>), and the
/// personal <see cref="RejoinKey"/> that signs the same participant in from another device.
/// </summary>
public sealed record JoinedResponse(
    string WorkshopId,
    ParticipantView Participant,
    string Token,
    DateTimeOffset ExpiresAt,
    string RejoinKey,
    bool Rejoined)
{
    public static JoinedResponse Of(Joined joined, Identity.IssuedToken token)
    {
        ArgumentNullException.ThrowIfNull(joined);
        ArgumentNullException.ThrowIfNull(token);
        return new(joined.WorkshopId, joined.Participant, token.Token, token.ExpiresAt, joined.RejoinKey, joined.Rejoined);
    }
}

/// <summary>Answer to <c>POST /api/workshops</c>: the workshop, its join codes (shown once to its creator) and the creator signed in.</summary>
public sealed record CreatedWorkshopResponse(WorkshopView Workshop, IReadOnlyList<JoinCode> JoinCodes, JoinedResponse Facilitator);
