namespace Collab.Workshops;

/// <summary>Persisted state of <see cref="WorkshopGrain"/>. Never renumber the ids: stored data depends on them.</summary>
[GenerateSerializer, Alias("collab.WorkshopState")]
internal sealed class WorkshopState
{
    [Id(0)] public bool Created { get; set; }
    [Id(1)] public string Title { get; set; } = "";
    [Id(2)] public string? Venue { get; set; }
    [Id(3)] public DateOnly StartsOn { get; set; }
    [Id(4)] public DateOnly EndsOn { get; set; }
    [Id(5)] public List<string> Languages { get; set; } = [];
    [Id(6)] public DateTimeOffset CreatedAt { get; set; }
    [Id(7)] public int Version { get; set; }
    [Id(8)] public List<string> Organisers { get; set; } = [];
    [Id(9)] public List<string> Funders { get; set; } = [];
    [Id(10)] public List<Delegation> Delegations { get; set; } = [];
    [Id(11)] public List<AgendaSession> Agenda { get; set; } = [];

    /// <summary>Roster entries and joined participants by participant id, removed ones included (their tokens must fail).</summary>
    [Id(12)] public Dictionary<string, ParticipantRecord> Participants { get; set; } = [];

    [Id(13)] public Dictionary<Role, string> JoinCodes { get; set; } = [];
    [Id(14)] public string? LiveSessionId { get; set; }
    [Id(15)] public string? SeedKey { get; set; }
    [Id(16)] public List<WorkshopDocument> Documents { get; set; } = [];

    /// <summary>The row of the phase table in force for plenary documents and recommendations; null before any session started.</summary>
    [Id(17)] public Sessions.ActivePhase? ActivePhase { get; set; }

    /// <summary>Agenda sessions that have been live (they stay on the agenda: their groups and notes belong to them).</summary>
    [Id(18)] public List<string> StartedSessions { get; set; } = [];

    /// <summary>The recommendations' themes as the organisers name them in every working language.</summary>
    [Id(19)] public List<ThemeName> Themes { get; set; } = [];
}

/// <summary>One participant. Immutable: a change replaces the record, so a failed write can be rolled back.</summary>
[GenerateSerializer, Immutable, Alias("collab.ParticipantRecord")]
internal sealed record ParticipantRecord(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] Role Role,
    [property: Id(3)] string? Delegation,
    [property: Id(4)] string Language,
    [property: Id(5)] string? Email,
    [property: Id(6)] string? Group,
    [property: Id(7)] bool Joined,
    [property: Id(8)] string? RejoinKeyHash,
    [property: Id(9)] bool Removed);
