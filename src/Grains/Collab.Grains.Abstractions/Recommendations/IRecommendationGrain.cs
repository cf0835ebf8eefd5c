using Collab.Diagnostics;
using Collab.Documents;

namespace Collab.Recommendations;

/// <summary>
/// One recommendation: its text (one co-edited document per working language, one of them the language of record),
/// status, provenance (anchored links to the group notes it came from), comments, suggestions and endorsements.
/// Keyed <c>{workshopId}/{recommendationId}</c>; created through the workshop's <see cref="IRecommendationBoardGrain"/>.
/// Told by its documents after every commit (<see cref="IDocumentListener"/>) to keep translation flags current.
/// </summary>
[Alias("collab.IRecommendationGrain")]
public interface IRecommendationGrain : IDocumentListener
{
    /// <summary>Creates it (sent by the board, which allocates ids).</summary>
    [Alias("create")]
    Task<RecommendationView> CreateAsync(CreateRecommendation command);

    [Alias("get")]
    Task<RecommendationView> GetAsync(Caller caller);

    /// <summary>
    /// Adds a passage of a note (a group's or a plenary document) to its provenance, with the checks of proposing: not
    /// for observers (<c>recommendation.read_only</c>), only while it is open (<c>recommendation.closed</c>), at most 50
    /// passages (<c>recommendation.too_much_provenance</c>), and the range anchored at its revision like a proposal's.
    /// </summary>
    [Alias("add-source")]
    Task<RecommendationView> AddSourceAsync(AddSource command);

    /// <summary>Moves it through draft → proposed → in review → adopted / rejected / withdrawn, checking who may.</summary>
    [Alias("transition")]
    Task<RecommendationView> TransitionAsync(Transition command);

    /// <summary>
    /// Records the support, reservation, objection or abstention of the caller's delegation (or of the caller); only
    /// while the active phase opens endorsement (<c>phase.endorse_closed</c>) but for facilitators.
    /// </summary>
    [Alias("endorse")]
    Task<RecommendationView> EndorseAsync(Endorse command);

    /// <summary>Comments on a range of one language's text; only while the active phase allows (<c>phase.comment_closed</c>) but for facilitators.</summary>
    [Alias("comment")]
    Task<RecommendationView> CommentAsync(AddComment command);

    /// <summary>Replies to a comment; as commenting (<c>phase.comment_closed</c>).</summary>
    [Alias("reply")]
    Task<RecommendationView> ReplyAsync(ReplyToComment command);

    [Alias("resolve-comment")]
    Task<RecommendationView> ResolveCommentAsync(ResolveComment command);

    /// <summary>Proposes replacing a range instead of editing it directly; only while the active phase allows (<c>phase.suggest_closed</c>) but for facilitators.</summary>
    [Alias("suggest")]
    Task<RecommendationView> SuggestAsync(Suggest command);

    /// <summary>
    /// Accepts (applied through the document's sequencer, where the range is now) or rejects a suggestion; as suggesting
    /// (<c>phase.suggest_closed</c>).
    /// </summary>
    [Alias("decide-suggestion")]
    Task<RecommendationView> DecideSuggestionAsync(DecideSuggestion command);

    /// <summary>
    /// A translator marks a translation in sync with the text of record as it is now. Once the recommendation is adopted,
    /// only rapporteurs and facilitators (who may fix its stale translations until then: <c>translation.sync_forbidden</c>).
    /// </summary>
    [Alias("mark-in-sync")]
    Task<RecommendationView> MarkInSyncAsync(MarkInSync command);

    /// <summary>
    /// Changes the title in one language: the title of record (its language of record; while it is open) or a
    /// translation (empty removes it). The author while it is open, rapporteurs and facilitators at any time
    /// (<c>recommendation.title_forbidden</c>); not for observers (<c>recommendation.read_only</c>).
    /// </summary>
    [Alias("set-title")]
    Task<RecommendationView> SetTitleAsync(SetTitle command);

    /// <summary>Sent by the board when this recommendation is merged into another: no more edits.</summary>
    [Alias("merged-into")]
    Task<RecommendationView> MergedIntoAsync(Caller caller, string recommendationId);

    /// <summary>The text in a language between two revisions: both texts and each change with its author.</summary>
    [Alias("diff")]
    Task<RecommendationDiff> DiffAsync(Caller caller, string language, int fromRevision, int toRevision);

    /// <summary>Sent by the board when the adoption rule changed: the tally, which the rule decides, is published again.</summary>
    [Alias("rule-changed"), Orleans.Concurrency.OneWay]
    Task RuleChangedAsync();

    /// <summary>
    /// Sent by the board when the workshop's active phase changed: what people may do with the texts and the commands
    /// follow it. An older phase (lower version) than the one it holds changes nothing; a recommendation that does not
    /// exist ignores it.
    /// </summary>
    [Alias("phase-changed")]
    Task PhaseChangedAsync(Sessions.ActivePhase phase);
}

/// <summary>
/// A workshop's recommendations: allocates ids, keeps a summary of each for the cross-group board, surfaces likely
/// duplicates, merges, holds the adoption rule, and pushes every change to web nodes. Keyed by workshop id.
/// </summary>
[Alias("collab.IRecommendationBoardGrain")]
public interface IRecommendationBoardGrain : IGrainWithStringKey
{
    /// <summary>Proposes a recommendation; only while the active phase allows (<c>phase.propose_closed</c>) but for facilitators.</summary>
    [Alias("propose")]
    Task<RecommendationView> ProposeAsync(ProposeRecommendation command);

    [Alias("get")]
    Task<BoardView> GetAsync(Caller caller);

    /// <summary>
    /// Merges recommendations into a new one whose text of record is the facilitator's prepared text, or else the sources'
    /// texts one after the other; every source's provenance is kept. Facilitators.
    /// </summary>
    [Alias("merge")]
    Task<RecommendationView> MergeAsync(MergeRecommendations command);

    /// <summary>
    /// Sent by the live session after the workshop's active phase changed: passed on to every recommendation (an older
    /// phase than one passed on before is dropped by each). Sending it again passes it on again.
    /// </summary>
    [Alias("phase-changed")]
    Task PhaseChangedAsync(Sessions.ActivePhase phase);

    [Alias("set-rule")]
    Task<AdoptionRule> SetRuleAsync(Caller caller, AdoptionRule rule);

    /// <summary>The adoption rule. Interleaves: recommendations ask for it while the board may be waiting on them.</summary>
    [Alias("rule"), Orleans.Concurrency.AlwaysInterleave]
    Task<AdoptionRule> GetRuleAsync();

    /// <summary>Sent by a recommendation after every change.</summary>
    [Alias("changed"), Orleans.Concurrency.OneWay]
    Task ChangedAsync(RecommendationSummary summary);

    [Alias("subscribe"), Orleans.Concurrency.AlwaysInterleave, ResponseTimeout(CallTimeouts.RealTime)]
    Task SubscribeAsync(IRecommendationObserver observer);

    [Alias("unsubscribe"), Orleans.Concurrency.AlwaysInterleave, ResponseTimeout(CallTimeouts.RealTime)]
    Task UnsubscribeAsync(IRecommendationObserver observer);
}

[Alias("collab.IRecommendationObserver")]
public interface IRecommendationObserver : IGrainObserver
{
    [Alias("recommendation-changed"), Orleans.Concurrency.OneWay]
    Task RecommendationChanged(RecommendationSummary summary);
}

[GenerateSerializer, Alias("collab.RecommendationStatus")]
public enum RecommendationStatus
{
    Draft = 0,
    Proposed = 1,
    InReview = 2,
    Adopted = 3,
    Rejected = 4,
    Withdrawn = 5,
    Merged = 6,
}

[GenerateSerializer, Alias("collab.Stance")]
public enum Stance
{
    Support = 0,
    Reservation = 1,
    Objection = 2,

    /// <summary>Takes part without taking a side: counted in neither, shown in the tally.</summary>
    Abstain = 3,
}

[GenerateSerializer, Alias("collab.AdoptionKind")]
public enum AdoptionKind
{
    /// <summary>Adopted when nobody objects (and someone supports).</summary>
    Consensus = 0,

    /// <summary>Adopted when the share of votes in favour (support or reservation) reaches the threshold.</summary>
    Majority = 1,
}

/// <summary>How a workshop adopts: consensus or a majority threshold; one voice per delegation or per person.</summary>
[GenerateSerializer, Immutable, Alias("collab.AdoptionRule")]
public sealed record AdoptionRule(
    [property: Id(0)] AdoptionKind Kind,
    [property: Id(1)] double Threshold,
    [property: Id(2)] bool PerDelegation)
{
    public static AdoptionRule Default { get; } = new(AdoptionKind.Consensus, 0.5, true);
}

/// <summary>A passage of a source document, given at a revision.</summary>
[GenerateSerializer, Immutable, Alias("collab.SourceRange")]
public sealed record SourceRange(
    [property: Id(0)] string DocId,
    [property: Id(1)] int Start,
    [property: Id(2)] int End,
    [property: Id(3)] int Revision);

/// <param name="Titles">Optional: the title in other working languages, by language tag (not the language of record's).</param>
/// <param name="Origin">Where it comes from: a breakout group's room, or <c>plenary</c>.</param>
/// <param name="Language">The language of <paramref name="Text"/>, which becomes the language of record.</param>
[GenerateSerializer, Immutable, Alias("collab.ProposeRecommendation")]
public sealed record ProposeRecommendation(
    [property: Id(0)] Caller Caller,
    [property: Id(1)] string Title,
    [property: Id(2)] string? Theme,
    [property: Id(3)] string? Text,
    [property: Id(4)] string? Language,
    [property: Id(5)] string? Origin,
    [property: Id(6)] IReadOnlyList<SourceRange>? Provenance,
    [property: Id(7)] IReadOnlyDictionary<string, string>? Titles = null);

/// <param name="Phase">The workshop's active phase as the board knew it: what people may do with the texts.</param>
[GenerateSerializer, Immutable, Alias("collab.CreateRecommendation")]
public sealed record CreateRecommendation(
    [property: Id(0)] ProposeRecommendation Proposal,
    [property: Id(1)] IReadOnlyList<string> Languages,
    [property: Id(2)] IReadOnlyList<ProvenanceLink> InheritedProvenance,
    [property: Id(3)] IReadOnlyList<string> MergedFrom,
    [property: Id(4)] Sessions.ActivePhase? Phase = null);

/// <summary>Command: add <see cref="Source"/> to a recommendation's provenance.</summary>
[GenerateSerializer, Immutable, Alias("collab.AddSource")]
public sealed record AddSource([property: Id(0)] Caller Caller, [property: Id(1)] SourceRange Source);

[GenerateSerializer, Immutable, Alias("collab.Transition")]
public sealed record Transition([property: Id(0)] Caller Caller, [property: Id(1)] RecommendationStatus To, [property: Id(2)] string? Note);

/// <param name="Delegation">Optional: the delegation the caller votes for; must be their own.</param>
[GenerateSerializer, Immutable, Alias("collab.Endorse")]
public sealed record Endorse(
    [property: Id(0)] Caller Caller,
    [property: Id(1)] Stance Stance,
    [property: Id(2)] string? Reservation,
    [property: Id(3)] string? Delegation);

[GenerateSerializer, Immutable, Alias("collab.AddComment")]
public sealed record AddComment(
    [property: Id(0)] Caller Caller,
    [property: Id(1)] string Language,
    [property: Id(2)] int Start,
    [property: Id(3)] int End,
    [property: Id(4)] int Revision,
    [property: Id(5)] string Text);

[GenerateSerializer, Immutable, Alias("collab.ReplyToComment")]
public sealed record ReplyToComment([property: Id(0)] Caller Caller, [property: Id(1)] string CommentId, [property: Id(2)] string Text);

[GenerateSerializer, Immutable, Alias("collab.ResolveComment")]
public sealed record ResolveComment([property: Id(0)] Caller Caller, [property: Id(1)] string CommentId, [property: Id(2)] bool Resolved);

[GenerateSerializer, Immutable, Alias("collab.Suggest")]
public sealed record Suggest(
    [property: Id(0)] Caller Caller,
    [property: Id(1)] string Language,
    [property: Id(2)] int Start,
    [property: Id(3)] int End,
    [property: Id(4)] int Revision,
    [property: Id(5)] string Replacement,
    [property: Id(6)] string? Note);

[GenerateSerializer, Immutable, Alias("collab.DecideSuggestion")]
public sealed record DecideSuggestion([property: Id(0)] Caller Caller, [property: Id(1)] string SuggestionId, [property: Id(2)] bool Accept);

/// <summary>Command: the title in <see cref="Language"/> becomes <see cref="Title"/> (a translation: empty removes it).</summary>
[GenerateSerializer, Immutable, Alias("collab.SetTitle")]
public sealed record SetTitle([property: Id(0)] Caller Caller, [property: Id(1)] string Language, [property: Id(2)] string? Title);

[GenerateSerializer, Immutable, Alias("collab.MarkInSync")]
public sealed record MarkInSync([property: Id(0)] Caller Caller, [property: Id(1)] string Language);

/// <param name="Text">The merged text of record as the facilitator prepared it; null: the sources' texts one after the other.</param>
/// <param name="Language">The language of <paramref name="Text"/> (the language of record); null: the first source's.</param>
[GenerateSerializer, Immutable, Alias("collab.MergeRecommendations")]
public sealed record MergeRecommendations(
    [property: Id(0)] Caller Caller,
    [property: Id(1)] IReadOnlyList<string> Sources,
    [property: Id(2)] string Title,
    [property: Id(3)] string? Theme,
    [property: Id(4)] string? Text = null,
    [property: Id(5)] string? Language = null);

/// <summary>A provenance link: an anchor in a source document, and (for merged recommendations) whose it was.</summary>
[GenerateSerializer, Immutable, Alias("collab.ProvenanceLink")]
public sealed record ProvenanceLink(
    [property: Id(0)] string DocId,
    [property: Id(1)] string AnchorId,
    [property: Id(2)] string? ViaRecommendation);

/// <summary>A provenance link resolved now: where the passage is and what it says.</summary>
[GenerateSerializer, Immutable, Alias("collab.ProvenanceView")]
public sealed record ProvenanceView(
    [property: Id(0)] string DocId,
    [property: Id(1)] string AnchorId,
    [property: Id(2)] string? ViaRecommendation,
    [property: Id(3)] AnchorView? Anchor);

[GenerateSerializer, Immutable, Alias("collab.TextOfLanguage")]
public sealed record TextOfLanguage(
    [property: Id(0)] string Language,
    [property: Id(1)] string DocId,
    [property: Id(2)] bool OfRecord,
    [property: Id(3)] IReadOnlyList<int> StaleParagraphs,
    [property: Id(4)] bool EverSynced);

[GenerateSerializer, Immutable, Alias("collab.EndorsementView")]
public sealed record EndorsementView(
    [property: Id(0)] string Voter,
    [property: Id(1)] string ByParticipant,
    [property: Id(2)] string ByName,
    [property: Id(3)] Stance Stance,
    [property: Id(4)] string? Reservation,
    [property: Id(5)] DateTimeOffset At);

/// <param name="Abstain">Voices that abstained: on neither side, so they change no outcome.</param>
[GenerateSerializer, Immutable, Alias("collab.Tally")]
public sealed record Tally(
    [property: Id(0)] int Support,
    [property: Id(1)] int Reservation,
    [property: Id(2)] int Objection,
    [property: Id(3)] bool Adoptable,
    [property: Id(4)] AdoptionRule Rule,
    [property: Id(5)] int Abstain = 0);

/// <summary>One entry of a recommendation's history: its proposal (the first entry), then each status change.</summary>
/// <param name="From">For a change, the status before; for the proposal, the status it starts in (draft).</param>
/// <param name="Event"><see cref="Proposed"/> for the proposal itself, <see cref="Changed"/> for a status change.</param>
[GenerateSerializer, Immutable, Alias("collab.StatusChange")]
public sealed record StatusChange(
    [property: Id(0)] RecommendationStatus From,
    [property: Id(1)] RecommendationStatus To,
    [property: Id(2)] string ByParticipant,
    [property: Id(3)] string ByName,
    [property: Id(4)] DateTimeOffset At,
    [property: Id(5)] string? Note,
    [property: Id(6)] string Event = StatusChange.Changed)
{
    /// <summary>The entry that records the proposal.</summary>
    public const string Proposed = "proposed";

    /// <summary>An entry that records a status change.</summary>
    public const string Changed = "statusChanged";
}

[GenerateSerializer, Immutable, Alias("collab.CommentView")]
public sealed record CommentView(
    [property: Id(0)] string Id,
    [property: Id(1)] string Language,
    [property: Id(2)] AnchorView? Anchor,
    [property: Id(3)] string AuthorId,
    [property: Id(4)] string AuthorName,
    [property: Id(5)] string Text,
    [property: Id(6)] DateTimeOffset At,
    [property: Id(7)] IReadOnlyList<ReplyView> Replies,
    [property: Id(8)] bool Resolved);

[GenerateSerializer, Immutable, Alias("collab.ReplyView")]
public sealed record ReplyView([property: Id(0)] string AuthorId, [property: Id(1)] string AuthorName, [property: Id(2)] string Text, [property: Id(3)] DateTimeOffset At);

[GenerateSerializer, Alias("collab.SuggestionStatus")]
public enum SuggestionStatus
{
    Open = 0,
    Accepted = 1,
    Rejected = 2,
}

[GenerateSerializer, Immutable, Alias("collab.SuggestionView")]
public sealed record SuggestionView(
    [property: Id(0)] string Id,
    [property: Id(1)] string Language,
    [property: Id(2)] AnchorView? Anchor,
    [property: Id(3)] string Replacement,
    [property: Id(4)] string? Note,
    [property: Id(5)] string AuthorId,
    [property: Id(6)] string AuthorName,
    [property: Id(7)] DateTimeOffset At,
    [property: Id(8)] SuggestionStatus Status,
    [property: Id(9)] string? DecidedBy,
    [property: Id(10)] DateTimeOffset? DecidedAt,
    [property: Id(11)] int? AppliedAtRevision);

/// <param name="Titles">The title in other working languages, by language tag (the title of record is <paramref name="Title"/>).</param>
/// <param name="StaleTitles">Languages whose title was given before the title of record last changed.</param>
[GenerateSerializer, Immutable, Alias("collab.RecommendationView")]
public sealed record RecommendationView(
    [property: Id(0)] string WorkshopId,
    [property: Id(1)] string Id,
    [property: Id(2)] string Title,
    [property: Id(3)] string? Theme,
    [property: Id(4)] string Origin,
    [property: Id(5)] RecommendationStatus Status,
    [property: Id(6)] string LanguageOfRecord,
    [property: Id(7)] IReadOnlyList<TextOfLanguage> Texts,
    [property: Id(8)] IReadOnlyList<ProvenanceView> Provenance,
    [property: Id(9)] IReadOnlyList<CommentView> Comments,
    [property: Id(10)] IReadOnlyList<SuggestionView> Suggestions,
    [property: Id(11)] IReadOnlyList<EndorsementView> Endorsements,
    [property: Id(12)] Tally Tally,
    [property: Id(13)] IReadOnlyList<StatusChange> History,
    [property: Id(14)] IReadOnlyList<string> MergedFrom,
    [property: Id(15)] string? MergedInto,
    [property: Id(16)] string AuthorId,
    [property: Id(17)] long Version,
    [property: Id(18)] IReadOnlyDictionary<string, string>? Titles = null,
    [property: Id(19)] IReadOnlyList<string>? StaleTitles = null);

/// <summary>What the board shows and pushes: enough to list, compare and find duplicates.</summary>
[GenerateSerializer, Immutable, Alias("collab.RecommendationSummary")]
public sealed record RecommendationSummary(
    [property: Id(0)] string WorkshopId,
    [property: Id(1)] string Id,
    [property: Id(2)] string Title,
    [property: Id(3)] string? Theme,
    [property: Id(4)] string Origin,
    [property: Id(5)] RecommendationStatus Status,
    [property: Id(6)] string Excerpt,
    [property: Id(7)] Tally Tally,
    [property: Id(8)] IReadOnlyList<string> StaleLanguages,
    [property: Id(9)] string? MergedInto,
    [property: Id(10)] long Version,
    [property: Id(11)] IReadOnlyDictionary<string, string>? Titles = null);

[GenerateSerializer, Immutable, Alias("collab.BoardView")]
public sealed record BoardView(
    [property: Id(0)] string WorkshopId,
    [property: Id(1)] IReadOnlyList<BoardTheme> Themes,
    [property: Id(2)] IReadOnlyList<LikelyDuplicate> LikelyDuplicates,
    [property: Id(3)] AdoptionRule Rule);

[GenerateSerializer, Immutable, Alias("collab.BoardTheme")]
public sealed record BoardTheme([property: Id(0)] string Theme, [property: Id(1)] IReadOnlyList<RecommendationSummary> Recommendations);

/// <summary>
/// Two open recommendations that likely say the same thing: their similarity (0–1) and, as the reason to show, the
/// words they share as the first one writes them (shared by both titles first, then the rarest on the board).
/// </summary>
[GenerateSerializer, Immutable, Alias("collab.LikelyDuplicate")]
public sealed record LikelyDuplicate(
    [property: Id(0)] string First,
    [property: Id(1)] string Second,
    [property: Id(2)] double Similarity,
    [property: Id(3)] IReadOnlyList<string> SharedWords);

[GenerateSerializer, Immutable, Alias("collab.RecommendationDiff")]
public sealed record RecommendationDiff(
    [property: Id(0)] string Language,
    [property: Id(1)] int FromRevision,
    [property: Id(2)] int ToRevision,
    [property: Id(3)] string FromText,
    [property: Id(4)] string ToText,
    [property: Id(5)] IReadOnlyList<TextChange> Changes);

/// <summary>One committed change: who, when, what was inserted and what was deleted.</summary>
[GenerateSerializer, Immutable, Alias("collab.TextChange")]
public sealed record TextChange(
    [property: Id(0)] int Revision,
    [property: Id(1)] string AuthorId,
    [property: Id(2)] string AuthorName,
    [property: Id(3)] DateTimeOffset At,
    [property: Id(4)] string Inserted,
    [property: Id(5)] string Deleted);
