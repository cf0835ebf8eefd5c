namespace Collab.Sessions;

/// <summary>Persisted state of <see cref="SessionGrain"/>. Never renumber the ids.</summary>
[GenerateSerializer, Alias("collab.SessionState")]
internal sealed class SessionState
{
    [Id(0)] public SessionStatus Status { get; set; }
    [Id(1)] public List<string> Phases { get; set; } = [];
    [Id(2)] public string? Phase { get; set; }
    [Id(3)] public TimerState? Timer { get; set; }
    [Id(4)] public BreakoutsState? Breakouts { get; set; }
    [Id(5)] public List<AnnouncementView> Announcements { get; set; } = [];
    [Id(6)] public List<HelpRequestView> Help { get; set; } = [];
    [Id(7)] public long Version { get; set; }

    /// <summary>Breakout rounds opened so far: group ids of later rounds differ, so their documents are new ones.</summary>
    [Id(8)] public int Rounds { get; set; }

    /// <summary>The agenda's title, as of the last command (for pushes that no command caused, like time's up).</summary>
    [Id(9)] public string? Title { get; set; }

    /// <summary>The groups of earlier breakout rounds: their notes follow the session's phase (and end) too.</summary>
    [Id(10)] public List<string> EarlierGroups { get; set; } = [];

    public SessionState Copy() => new()
    {
        Status = Status,
        Phases = Phases,
        Phase = Phase,
        Timer = Timer,
        Breakouts = Breakouts,
        Announcements = Announcements,
        Help = Help,
        Version = Version,
        Rounds = Rounds,
        Title = Title,
        EarlierGroups = EarlierGroups,
    };
}

/// <summary>The countdown: running (<see cref="Deadline"/>), paused (<see cref="Remaining"/>) or over (<see cref="TimeUpAt"/>).</summary>
[GenerateSerializer, Immutable, Alias("collab.TimerState")]
internal sealed record TimerState(
    [property: Id(0)] string? Label,
    [property: Id(1)] TimeSpan Duration,
    [property: Id(2)] DateTimeOffset? Deadline,
    [property: Id(3)] TimeSpan? Remaining,
    [property: Id(4)] DateTimeOffset? TimeUpAt);

[GenerateSerializer, Immutable, Alias("collab.BreakoutsState")]
internal sealed record BreakoutsState(
    [property: Id(0)] bool Open,
    [property: Id(1)] AssignmentMode Assignment,
    [property: Id(2)] bool Frozen,
    [property: Id(3)] IReadOnlyList<GroupRecord> Groups,
    [property: Id(4)] IReadOnlyDictionary<string, string> Assignments,
    [property: Id(5)] IReadOnlyList<string>? SentToPlenary = null);

[GenerateSerializer, Immutable, Alias("collab.GroupRecord")]
internal sealed record GroupRecord(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] string Room,
    [property: Id(3)] IReadOnlyList<GroupDocument> Documents);
