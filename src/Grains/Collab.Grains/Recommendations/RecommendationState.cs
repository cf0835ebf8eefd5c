namespace Collab.Recommendations;

/// <summary>Persisted state of <see cref="RecommendationGrain"/>. Never renumber the ids.</summary>
[GenerateSerializer, Alias("collab.RecommendationState")]
internal sealed class RecommendationState
{
    [Id(0)] public bool Created { get; set; }
    [Id(1)] public string Title { get; set; } = "";
    [Id(2)] public string? Theme { get; set; }
    [Id(3)] public string Origin { get; set; } = "";
    [Id(4)] public RecommendationStatus Status { get; set; }
    [Id(5)] public string LanguageOfRecord { get; set; } = "";

    /// <summary>Document id per language, in the workshop's order of languages.</summary>
    [Id(6)] public Dictionary<string, string> Documents { get; set; } = [];
    [Id(7)] public List<ProvenanceLink> Provenance { get; set; } = [];
    [Id(8)] public List<CommentRecord> Comments { get; set; } = [];
    [Id(9)] public List<SuggestionRecord> Suggestions { get; set; } = [];

    /// <summary>By voter: a delegation id, or <c>p:</c> and a participant id when every person has a voice.</summary>
    [Id(10)] public Dictionary<string, EndorsementView> Endorsements { get; set; } = [];
    [Id(11)] public List<StatusChange> History { get; set; } = [];
    [Id(12)] public List<string> MergedFrom { get; set; } = [];
    [Id(13)] public string? MergedInto { get; set; }
    [Id(14)] public string AuthorId { get; set; } = "";
    [Id(15)] public long Version { get; set; }

    /// <summary>Per translation: the hashes of the paragraphs of record when a translator last marked it in sync.</summary>
    [Id(16)] public Dictionary<string, List<string>> Synced { get; set; } = [];
    [Id(17)] public List<string> Languages { get; set; } = [];

    /// <summary>The workshop's active phase as last passed on by the board: what people may do with the texts and the commands.</summary>
    [Id(18)] public Sessions.ActivePhase? Phase { get; set; }

    /// <summary>
    /// The texts' access policies are this grain's. False for recommendations stored before policies existed, whose
    /// texts were locked (final) or closed to participants (in review) instead: undone once, when policies are first written.
    /// </summary>
    [Id(19)] public bool OwnsAccess { get; set; }

    /// <summary>The title in other working languages, each with the title of record it translated.</summary>
    [Id(20)] public Dictionary<string, TitleTranslation> Titles { get; set; } = [];

    public RecommendationState Copy() => new()
    {
        Created = Created,
        Title = Title,
        Theme = Theme,
        Origin = Origin,
        Status = Status,
        LanguageOfRecord = LanguageOfRecord,
        Documents = Documents,
        Provenance = Provenance,
        Comments = Comments,
        Suggestions = Suggestions,
        Endorsements = Endorsements,
        History = History,
        MergedFrom = MergedFrom,
        MergedInto = MergedInto,
        AuthorId = AuthorId,
        Version = Version,
        Synced = Synced,
        Languages = Languages,
        Phase = Phase,
        OwnsAccess = OwnsAccess,
        Titles = Titles,
    };
}

[GenerateSerializer, Immutable, Alias("collab.CommentRecord")]
internal sealed record CommentRecord(
    [property: Id(0)] string Id,
    [property: Id(1)] string Language,
    [property: Id(2)] string AnchorId,
    [property: Id(3)] string AuthorId,
    [property: Id(4)] string AuthorName,
    [property: Id(5)] string Text,
    [property: Id(6)] DateTimeOffset At,
    [property: Id(7)] IReadOnlyList<ReplyView> Replies,
    [property: Id(8)] bool Resolved);

[GenerateSerializer, Immutable, Alias("collab.SuggestionRecord")]
internal sealed record SuggestionRecord(
    [property: Id(0)] string Id,
    [property: Id(1)] string Language,
    [property: Id(2)] string AnchorId,
    [property: Id(3)] string Replacement,
    [property: Id(4)] string? Note,
    [property: Id(5)] string AuthorId,
    [property: Id(6)] string AuthorName,
    [property: Id(7)] DateTimeOffset At,
    [property: Id(8)] SuggestionStatus Status,
    [property: Id(9)] string? DecidedBy,
    [property: Id(10)] DateTimeOffset? DecidedAt,
    [property: Id(11)] int? AppliedAtRevision);

/// <summary>A title in another language, and the title of record when it was given (it is stale once that changed).</summary>
[GenerateSerializer, Immutable, Alias("collab.TitleTranslation")]
internal sealed record TitleTranslation([property: Id(0)] string Title, [property: Id(1)] string OfRecord);
