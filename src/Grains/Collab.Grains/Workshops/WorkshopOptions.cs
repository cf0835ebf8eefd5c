namespace Collab.Workshops;

/// <summary>
/// Bounds on workshops, rosters and live sessions (<c>Collab:Limits:*</c>; the README's options table lists them).
/// Every command beyond a bound is refused with a typed error and changes nothing.
/// </summary>
public sealed record WorkshopOptions
{
    /// <summary><c>Collab:Limits:MaxParticipants</c>: participants per workshop (roster entries included).</summary>
    public int MaxParticipants { get; init; } = 500;

    /// <summary><c>Collab:Limits:MaxGroupsPerSession</c>: breakout groups one session may open.</summary>
    public int MaxGroupsPerSession { get; init; } = 40;

    /// <summary><c>Collab:Limits:MaxNameLength</c>: display names, delegation and group names.</summary>
    public int MaxNameLength { get; init; } = 80;

    /// <summary>Titles of workshops, agenda sessions and documents.</summary>
    public int MaxTitleLength { get; init; } = 200;

    /// <summary><c>Collab:Limits:MaxDelegations</c>: delegations and organisations per workshop.</summary>
    public int MaxDelegations { get; init; } = 60;

    /// <summary><c>Collab:Limits:MaxAgendaSessions</c>: sessions in a workshop's agenda.</summary>
    public int MaxAgendaSessions { get; init; } = 40;

    /// <summary><c>Collab:Limits:MaxAnnouncementLength</c>: characters in an announcement or a help message.</summary>
    public int MaxAnnouncementLength { get; init; } = 1_000;

    /// <summary>Announcements a session keeps (older ones drop off).</summary>
    public int AnnouncementsKept { get; init; } = 50;

    /// <summary>Open help requests a session holds; one per participant at a time.</summary>
    public int MaxOpenHelpRequests { get; init; } = 500;

    /// <summary>Longest countdown a facilitator can set.</summary>
    public TimeSpan MaxTimer { get; init; } = TimeSpan.FromHours(12);

    /// <summary><c>Collab:Limits:PresenceGraceSeconds</c>: how long a dropped participant still shows as online.</summary>
    public TimeSpan PresenceGrace { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How often workshop presence is pushed, at most.</summary>
    public TimeSpan PresenceInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How long a web node's subscription to a session or workshop lives without renewal.</summary>
    public TimeSpan ObserverExpiry { get; init; } = TimeSpan.FromMinutes(2);
}
