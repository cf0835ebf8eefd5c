using Collab.Diagnostics;
namespace Collab.Workshops;

/// <summary>
/// A workshop: metadata, working languages, delegations, agenda, roster and join codes. Keyed by the workshop id, a
/// short URL-safe string chosen by the edge at creation. Every command but <see cref="CreateAsync"/> and
/// <see cref="JoinAsync"/> carries the caller; reads need a caller of this workshop, changes a facilitator.
/// </summary>
[Alias("collab.IWorkshopGrain")]
public interface IWorkshopGrain : IGrainWithStringKey
{
    /// <summary>
    /// Creates the workshop with its creator as first facilitator. Fails with <c>workshop.already_exists</c> when it
    /// exists, <c>seed.already_loaded</c> when a workshop was already created from the same seed, or a validation error.
    /// </summary>
    [Alias("create")]
    Task<WorkshopCreated> CreateAsync(CreateWorkshop command);

    /// <summary>The workshop as it is now. <c>workshop.not_found</c> when it was never created or belongs to another workshop's caller.</summary>
    [Alias("get"), ResponseTimeout(CallTimeouts.RealTime)]
    Task<WorkshopView> GetAsync(Caller caller);

    /// <summary>Replaces the editable metadata (facilitators). <c>workshop.version_conflict</c> if <see cref="UpdateWorkshop.ExpectedVersion"/> is stale.</summary>
    [Alias("update")]
    Task<WorkshopView> UpdateAsync(UpdateWorkshop command);

    /// <summary>
    /// Replaces the documents each breakout group of one session gets from now on (null or empty: the default ones);
    /// facilitators. Groups already opened keep theirs. <c>session.group_documents_invalid</c>, <c>session.not_found</c>.
    /// </summary>
    [Alias("set-group-documents")]
    Task<WorkshopView> SetGroupDocumentsAsync(SetGroupDocuments command);

    /// <summary>
    /// Exchanges a join code for a participant: the same participant again when <see cref="JoinWorkshop.RejoinKey"/> is
    /// theirs (another device), the roster entry with that name when it is unclaimed, else a new participant.
    /// </summary>
    [Alias("join")]
    Task<Joined> JoinAsync(JoinWorkshop command);

    /// <summary>
    /// What a join page may show to someone holding a current join code, before they join: the workshop's title,
    /// languages and delegations, and the role the code grants; nothing else. <c>join.code_invalid</c> otherwise.
    /// </summary>
    [Alias("describe-join-code"), ResponseTimeout(CallTimeouts.RealTime)]
    Task<JoinCodeInfo> DescribeJoinCodeAsync(string code);

    /// <summary>The participant behind a token, if they still belong to the workshop; <c>auth.revoked</c> otherwise.</summary>
    [Alias("authenticate"), ResponseTimeout(CallTimeouts.RealTime)]
    Task<ParticipantView> AuthenticateAsync(string participantId);

    /// <summary>The roster. Facilitators and rapporteurs see e-mail addresses; others do not.</summary>
    [Alias("roster")]
    Task<IReadOnlyList<ParticipantView>> GetRosterAsync(Caller caller);

    /// <summary>Adds or updates roster entries by name (facilitators). All rows are checked before any is stored.</summary>
    [Alias("import-roster")]
    Task<RosterImported> ImportRosterAsync(ImportRoster command);

    /// <summary>Removes a participant: their tokens stop working and they leave their group (facilitators).</summary>
    [Alias("remove-participant")]
    Task RemoveParticipantAsync(RemoveParticipant command);

    /// <summary>
    /// What <see cref="ImportRosterAsync"/> would do with these entries, row by row (added, updated, or the error of that
    /// row), without storing anything (facilitators).
    /// </summary>
    [Alias("preview-roster")]
    Task<RosterPreview> PreviewRosterAsync(ImportRoster command);

    /// <summary>
    /// Gives a joined participant a new personal rejoin key, answered once (facilitators): the old key stops signing
    /// anyone in; tokens already issued stay valid. <c>participant.not_joined</c> for a roster entry nobody claimed yet.
    /// </summary>
    [Alias("reset-rejoin-key")]
    Task<RejoinKeyReset> ResetRejoinKeyAsync(ResetRejoinKey command);

    /// <summary>The join codes, one per role (facilitators).</summary>
    [Alias("join-codes")]
    Task<IReadOnlyList<JoinCode>> GetJoinCodesAsync(Caller caller);

    /// <summary>Replaces a role's join code; the old one stops admitting anyone. Tokens already issued stay valid.</summary>
    [Alias("rotate-join-code")]
    Task<JoinCode> RotateJoinCodeAsync(RotateJoinCode command);

    /// <summary>Creates a plenary document that every participant edits (facilitators and rapporteurs).</summary>
    [Alias("add-document")]
    Task<WorkshopDocument> AddDocumentAsync(AddDocument command);

    /// <summary>
    /// Records which agenda session is live and in which phase (sent by the session grain when it starts, changes phase
    /// or ends; at most one live at a time: <c>session.another_live</c>), makes the matching row of its phase table the
    /// workshop's <see cref="WorkshopView.ActivePhase"/>, and applies it to the plenary documents. Answers the active
    /// phase, which the session passes on to its groups and to the recommendations. Sending the same again changes
    /// nothing and answers the same.
    /// </summary>
    /// <param name="live">True while the session runs or is paused; false when it ended.</param>
    /// <param name="phase">The session's phase while it is live.</param>
    [Alias("claim-live-session")]
    Task<Sessions.ActivePhase> ClaimLiveSessionAsync(string sessionId, bool live, string? phase);

    /// <summary>Subscribes a web node to roster changes and removals of this workshop.</summary>
    [Alias("subscribe"), Orleans.Concurrency.AlwaysInterleave, ResponseTimeout(CallTimeouts.RealTime)]
    Task SubscribeAsync(IWorkshopObserver observer);

    [Alias("unsubscribe"), Orleans.Concurrency.AlwaysInterleave, ResponseTimeout(CallTimeouts.RealTime)]
    Task UnsubscribeAsync(IWorkshopObserver observer);
}

/// <summary>A delegation or organisation taking part (a country's delegation, a regional body, civil society).</summary>
/// <param name="Id">Short, URL-safe, unique in the workshop (e.g. <c>bj</c>, <c>ecowas</c>); derived from the name when omitted.</param>
/// <param name="Kind">Free label such as <c>country</c>, <c>regional-body</c>, <c>civil-society</c>.</param>
/// <param name="Names">The name in other working languages, by language tag (e.g. <c>{"fr": "Bénin"}</c>); <paramref name="Name"/> is the first language's.</param>
[GenerateSerializer, Immutable, Alias("collab.Delegation")]
public sealed record Delegation(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] string? Kind,
    [property: Id(3)] string? Language,
    [property: Id(4)] IReadOnlyDictionary<string, string>? Names = null);

/// <summary>Command: the documents each breakout group of <see cref="SessionId"/> gets (null: the default ones).</summary>
[GenerateSerializer, Immutable, Alias("collab.SetGroupDocuments")]
public sealed record SetGroupDocuments(
    [property: Id(0)] Caller Caller,
    [property: Id(1)] string SessionId,
    [property: Id(2)] IReadOnlyList<Sessions.SectionTemplate>? Documents);

/// <summary>One session of the agenda.</summary>
/// <param name="Id">Short, URL-safe, unique in the workshop (e.g. <c>d1-breakouts</c>); derived from day and position when omitted.</param>
/// <param name="Day">1 for the first day.</param>
/// <param name="Kind"><c>plenary</c> or <c>breakouts</c>.</param>
/// <param name="Phases">The phases the facilitator moves through; default share → draft → review → adopt.</param>
/// <param name="PhaseRules">
/// Rows replacing the default phase table's (docs/recommendations.md), by phase; a phase with no row of its own behaves
/// as <c>review</c>. Read back it holds the row in force for every phase of the session.
/// </param>
/// <param name="GroupDocuments">
/// The documents each breakout group of this session gets (e.g. a drafting template on Day 2); none: the default notes
/// (best practices, lessons learnt, challenges, group report). Opening breakouts with their own sections overrides it.
/// </param>
/// <param name="Titles">The title in other working languages, by language tag; <paramref name="Title"/> is the first language's.</param>
[GenerateSerializer, Immutable, Alias("collab.AgendaSession")]
public sealed record AgendaSession(
    [property: Id(0)] string Id,
    [property: Id(1)] int Day,
    [property: Id(2)] string Title,
    [property: Id(3)] string Kind,
    [property: Id(4)] TimeOnly? StartsAt,
    [property: Id(5)] TimeOnly? EndsAt,
    [property: Id(6)] IReadOnlyList<string> Phases,
    [property: Id(7)] IReadOnlyDictionary<string, Sessions.PhaseRule>? PhaseRules = null,
    [property: Id(8)] IReadOnlyList<Sessions.SectionTemplate>? GroupDocuments = null,
    [property: Id(9)] IReadOnlyDictionary<string, string>? Titles = null);

/// <summary>Command: create a workshop. The creator becomes its first facilitator.</summary>
/// <param name="Title">1–200 characters.</param>
/// <param name="Venue">Optional, up to 200 characters.</param>
/// <param name="StartsOn">First day.</param>
/// <param name="EndsOn">Last day, not before <paramref name="StartsOn"/>, at most 31 days later.</param>
/// <param name="Languages">Working languages as language tags (e.g. <c>en</c>, <c>fr</c>): 1–4, distinct; the first is the language of record.</param>
/// <param name="SeedKey">When created from a seed file: its key; a second creation from the same seed is refused.</param>
[GenerateSerializer, Immutable, Alias("collab.CreateWorkshop")]
public sealed record CreateWorkshop(
    [property: Id(0)] string Title,
    [property: Id(1)] string? Venue,
    [property: Id(2)] DateOnly StartsOn,
    [property: Id(3)] DateOnly EndsOn,
    [property: Id(4)] IReadOnlyList<string> Languages,
    [property: Id(5)] IReadOnlyList<string>? Organisers,
    [property: Id(6)] IReadOnlyList<string>? Funders,
    [property: Id(7)] IReadOnlyList<Delegation>? Delegations,
    [property: Id(8)] IReadOnlyList<AgendaSession>? Agenda,
    [property: Id(9)] string CreatorName,
    [property: Id(10)] string? CreatorDelegation,
    [property: Id(11)] string? CreatorLanguage,
    [property: Id(12)] string? SeedKey,
    [property: Id(13)] IReadOnlyList<ThemeName>? Themes = null);

/// <summary>Command: replace the editable metadata. Null lists keep what is there.</summary>
[GenerateSerializer, Immutable, Alias("collab.UpdateWorkshop")]
public sealed record UpdateWorkshop(
    [property: Id(0)] Caller Caller,
    [property: Id(1)] int? ExpectedVersion,
    [property: Id(2)] string Title,
    [property: Id(3)] string? Venue,
    [property: Id(4)] DateOnly StartsOn,
    [property: Id(5)] DateOnly EndsOn,
    [property: Id(6)] IReadOnlyList<string> Languages,
    [property: Id(7)] IReadOnlyList<string>? Organisers,
    [property: Id(8)] IReadOnlyList<string>? Funders,
    [property: Id(9)] IReadOnlyList<Delegation>? Delegations,
    [property: Id(10)] IReadOnlyList<AgendaSession>? Agenda,
    [property: Id(11)] IReadOnlyList<ThemeName>? Themes = null);

/// <summary>Read model of a workshop.</summary>
/// <param name="ActivePhase">The row of the phase table in force for plenary documents and recommendations now.</param>
[GenerateSerializer, Immutable, Alias("collab.WorkshopView")]
public sealed record WorkshopView(
    [property: Id(0)] string Id,
    [property: Id(1)] string Title,
    [property: Id(2)] string? Venue,
    [property: Id(3)] DateOnly StartsOn,
    [property: Id(4)] DateOnly EndsOn,
    [property: Id(5)] IReadOnlyList<string> Languages,
    [property: Id(6)] DateTimeOffset CreatedAt,
    [property: Id(7)] int Version,
    [property: Id(8)] IReadOnlyList<string> Organisers,
    [property: Id(9)] IReadOnlyList<string> Funders,
    [property: Id(10)] IReadOnlyList<Delegation> Delegations,
    [property: Id(11)] IReadOnlyList<AgendaSession> Agenda,
    [property: Id(12)] string? LiveSessionId,
    [property: Id(13)] int ParticipantCount,
    [property: Id(14)] string? SeedKey,
    [property: Id(15)] IReadOnlyList<WorkshopDocument> Documents,
    [property: Id(16)] Sessions.ActivePhase? ActivePhase = null,
    [property: Id(17)] IReadOnlyList<ThemeName>? Themes = null);

/// <summary>
/// A theme of the recommendations as the organisers name it in every working language: a recommendation whose theme is
/// <paramref name="Name"/> (or one of <paramref name="Names"/>) is shown and exported under the name in the reader's language.
/// </summary>
/// <param name="Name">The name in the workshop's first language.</param>
/// <param name="Names">The name in other working languages, by language tag.</param>
[GenerateSerializer, Immutable, Alias("collab.ThemeName")]
public sealed record ThemeName([property: Id(0)] string Name, [property: Id(1)] IReadOnlyDictionary<string, string>? Names = null);

/// <summary>A plenary document of the workshop.</summary>
[GenerateSerializer, Immutable, Alias("collab.WorkshopDocument")]
public sealed record WorkshopDocument([property: Id(0)] string DocId, [property: Id(1)] string? Title, [property: Id(2)] string Room);

/// <summary>Command: a new plenary document with an optional initial text.</summary>
[GenerateSerializer, Immutable, Alias("collab.AddDocument")]
public sealed record AddDocument([property: Id(0)] Caller Caller, [property: Id(1)] string? Title, [property: Id(2)] string? Text);

/// <summary>Answer to <see cref="IWorkshopGrain.CreateAsync"/>: the workshop, its join codes and the creator as facilitator.</summary>
[GenerateSerializer, Immutable, Alias("collab.WorkshopCreated")]
public sealed record WorkshopCreated(
    [property: Id(0)] WorkshopView Workshop,
    [property: Id(1)] IReadOnlyList<JoinCode> JoinCodes,
    [property: Id(2)] Joined Creator);

/// <summary>A join code and the role it grants.</summary>
[GenerateSerializer, Immutable, Alias("collab.JoinCode")]
public sealed record JoinCode([property: Id(0)] Role Role, [property: Id(1)] string Code);

/// <summary>Command: join with a code.</summary>
/// <param name="Code">A join code of the workshop (any case; dashes and spaces ignored).</param>
/// <param name="DisplayName">1–80 characters.</param>
/// <param name="Delegation">Delegation id or name, if the participant belongs to one.</param>
/// <param name="Language">Preferred working language; defaults to the delegation's, then the workshop's first.</param>
/// <param name="RejoinKey">The personal key a previous join returned: rejoin as the same participant.</param>
[GenerateSerializer, Immutable, Alias("collab.JoinWorkshop")]
public sealed record JoinWorkshop(
    [property: Id(0)] string Code,
    [property: Id(1)] string? DisplayName,
    [property: Id(2)] string? Delegation,
    [property: Id(3)] string? Language,
    [property: Id(4)] string? RejoinKey);

/// <summary>The participant a join resolved to, and their personal rejoin key (to use from another device).</summary>
[GenerateSerializer, Immutable, Alias("collab.Joined")]
public sealed record Joined(
    [property: Id(0)] string WorkshopId,
    [property: Id(1)] ParticipantView Participant,
    [property: Id(2)] string RejoinKey,
    [property: Id(3)] bool Rejoined);

/// <summary>A participant of the roster.</summary>
/// <param name="Email">Only shown to facilitators and rapporteurs.</param>
/// <param name="Group">Pre-assigned breakout group name from the roster, if any.</param>
/// <param name="Joined">Whether someone has joined as this roster entry.</param>
[GenerateSerializer, Immutable, Alias("collab.ParticipantView")]
public sealed record ParticipantView(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] Role Role,
    [property: Id(3)] string? Delegation,
    [property: Id(4)] string Language,
    [property: Id(5)] string? Email,
    [property: Id(6)] string? Group,
    [property: Id(7)] bool Joined);

/// <summary>One row of a roster import.</summary>
[GenerateSerializer, Immutable, Alias("collab.RosterEntry")]
public sealed record RosterEntry(
    [property: Id(0)] string Name,
    [property: Id(1)] string? Email,
    [property: Id(2)] string? Delegation,
    [property: Id(3)] Role Role,
    [property: Id(4)] string? Language,
    [property: Id(5)] string? Group);

[GenerateSerializer, Immutable, Alias("collab.ImportRoster")]
public sealed record ImportRoster([property: Id(0)] Caller Caller, [property: Id(1)] IReadOnlyList<RosterEntry> Entries);

[GenerateSerializer, Immutable, Alias("collab.RosterImported")]
public sealed record RosterImported([property: Id(0)] int Added, [property: Id(1)] int Updated, [property: Id(2)] int Total);

/// <summary>What importing a roster would do: counts, and every row with its line, what it becomes, or its error.</summary>
/// <param name="Total">Participants the workshop would hold.</param>
/// <param name="Code">A refusal of the whole import (e.g. <c>workshop.full</c>), when no row is at fault.</param>
[GenerateSerializer, Immutable, Alias("collab.RosterPreview")]
public sealed record RosterPreview(
    [property: Id(0)] int Added,
    [property: Id(1)] int Updated,
    [property: Id(2)] int Total,
    [property: Id(3)] IReadOnlyList<RosterPreviewRow> Rows,
    [property: Id(4)] string? Code = null);

/// <summary>One row of a roster preview.</summary>
/// <param name="Action"><c>add</c>, <c>update</c> or <c>error</c>.</param>
/// <param name="Code">The error code of the row (as the import would answer it), when <paramref name="Action"/> is <c>error</c>.</param>
[GenerateSerializer, Immutable, Alias("collab.RosterPreviewRow")]
public sealed record RosterPreviewRow(
    [property: Id(0)] int Line,
    [property: Id(1)] string? Name,
    [property: Id(2)] Role? Role,
    [property: Id(3)] string? Delegation,
    [property: Id(4)] string? Group,
    [property: Id(5)] string Action,
    [property: Id(6)] string? Code,
    [property: Id(7)] string? Message);

[GenerateSerializer, Immutable, Alias("collab.ResetRejoinKey")]
public sealed record ResetRejoinKey([property: Id(0)] Caller Caller, [property: Id(1)] string ParticipantId);

/// <summary>A participant's new personal rejoin key: shown once, to hand to them.</summary>
[GenerateSerializer, Immutable, Alias("collab.RejoinKeyReset")]
public sealed record RejoinKeyReset([property: Id(0)] string ParticipantId, [property: Id(1)] string RejoinKey);

[GenerateSerializer, Immutable, Alias("collab.RemoveParticipant")]
public sealed record RemoveParticipant([property: Id(0)] Caller Caller, [property: Id(1)] string ParticipantId);

[GenerateSerializer, Immutable, Alias("collab.RotateJoinCode")]
public sealed record RotateJoinCode([property: Id(0)] Caller Caller, [property: Id(1)] Role Role);

/// <summary>Pushes about a workshop to web nodes (forwarded to the workshop's connections).</summary>
[Alias("collab.IWorkshopObserver")]
public interface IWorkshopObserver : IGrainObserver
{
    /// <summary>A participant was removed: the web node ends their connections.</summary>
    [Alias("participant-removed"), Orleans.Concurrency.OneWay]
    Task ParticipantRemoved(string workshopId, string participantId);

    /// <summary>The workshop's metadata, roster size or live session changed.</summary>
    [Alias("workshop-changed"), Orleans.Concurrency.OneWay]
    Task WorkshopChanged(WorkshopView workshop);
}

/// <summary>Answer to <see cref="IWorkshopGrain.DescribeJoinCodeAsync"/>: what the join page offers before joining.</summary>
[GenerateSerializer, Immutable, Alias("collab.JoinCodeInfo")]
public sealed record JoinCodeInfo(
    [property: Id(0)] string Title,
    [property: Id(1)] IReadOnlyList<string> Languages,
    [property: Id(2)] IReadOnlyList<Delegation> Delegations,
    [property: Id(3)] Role Role);
