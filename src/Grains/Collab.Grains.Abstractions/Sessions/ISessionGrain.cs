using Collab.Diagnostics;
namespace Collab.Sessions;

/// <summary>
/// One live session of a workshop's agenda: its status and phase, the server-authoritative countdown, announcements,
/// help requests, and the breakout groups with who is in which. Keyed <c>{workshopId}/{sessionId}</c>
/// (<see cref="SessionKeys"/>). Only facilitators run it; every command carries the caller and the grain decides.
/// </summary>
[Alias("collab.ISessionGrain")]
public interface ISessionGrain : IGrainWithStringKey
{
    /// <summary>The session as the caller may see it (help requests and group announcements filtered by role and group).</summary>
    [Alias("get"), ResponseTimeout(CallTimeouts.RealTime)]
    Task<SessionView> GetAsync(Caller caller);

    /// <summary>
    /// Starts, pauses (the timer too), resumes or ends the session. Facilitators. Starting puts its phase in force
    /// everywhere; ending makes its groups' notes, and (no session being live) the plenary's documents and the
    /// recommendations, read only for participants.
    /// </summary>
    [Alias("control")]
    Task<SessionView> ControlAsync(ControlSession command);

    /// <summary>
    /// Moves to a phase of the session's list (facilitators); while the session is live, what people may do follows
    /// (its groups' notes, the plenary documents, the recommendations) before the answer. Setting the phase it is in
    /// applies it again.
    /// </summary>
    [Alias("set-phase")]
    Task<SessionView> SetPhaseAsync(SetPhase command);

    /// <summary>Starts, extends or cancels the countdown. Facilitators.</summary>
    [Alias("timer")]
    Task<SessionView> SetTimerAsync(SetTimer command);

    /// <summary>An announcement to everyone, or to one group (its members and the facilitators). Facilitators.</summary>
    [Alias("announce")]
    Task<AnnouncementView> AnnounceAsync(Announce command);

    /// <summary>A participant asks for help from their room; facilitators see the queue.</summary>
    [Alias("ask-for-help")]
    Task<HelpRequestView> AskForHelpAsync(AskForHelp command);

    /// <summary>Marks a help request handled. Facilitators.</summary>
    [Alias("resolve-help")]
    Task<IReadOnlyList<HelpRequestView>> ResolveHelpAsync(ResolveHelp command);

    /// <summary>Open help requests, oldest first. Facilitators.</summary>
    [Alias("help-queue")]
    Task<IReadOnlyList<HelpRequestView>> GetHelpQueueAsync(Caller caller);

    /// <summary>
    /// Every breakout group the session ever opened (earlier rounds first), with its documents and members, also after
    /// the session ended: for facilitators and rapporteurs (<c>session.groups_forbidden</c> for anyone else).
    /// </summary>
    [Alias("groups")]
    Task<IReadOnlyList<GroupView>> GetGroupsAsync(Caller caller);

    /// <summary>Opens breakout groups with their documents and assigns participants. Facilitators; the session must be running.</summary>
    [Alias("open-breakouts")]
    Task<SessionView> OpenBreakoutsAsync(OpenBreakouts command);

    /// <summary>Moves a participant to a group (or back to plenary with a null group). Facilitators.</summary>
    [Alias("move")]
    Task<SessionView> MoveParticipantAsync(MoveParticipant command);

    /// <summary>In self-select mode, a participant picks their group.</summary>
    [Alias("choose-group")]
    Task<SessionView> ChooseGroupAsync(ChooseGroup command);

    /// <summary>Everyone back to plenary; optionally freezes (locks) every group document. Facilitators.</summary>
    [Alias("recall")]
    Task<SessionView> RecallAsync(Recall command);

    /// <summary>Sends everyone back to the same groups and unfreezes their documents. Facilitators.</summary>
    [Alias("reopen")]
    Task<SessionView> ReopenAsync(Caller caller);

    /// <summary>
    /// A participant left the workshop: drop them from their group. One-way, so that the workshop grain (which sends it)
    /// never waits on a session that may itself be waiting on the workshop.
    /// </summary>
    [Alias("forget-participant"), Orleans.Concurrency.OneWay]
    Task ForgetParticipantAsync(string participantId);

    /// <summary>
    /// The agenda changed this live session's phase rules: apply the row now in force everywhere (plenary, groups,
    /// recommendations). One-way, so that the workshop grain (which sends it) never waits on a session that may itself
    /// be waiting on the workshop.
    /// </summary>
    [Alias("agenda-changed"), Orleans.Concurrency.OneWay]
    Task AgendaChangedAsync();

    [Alias("subscribe"), Orleans.Concurrency.AlwaysInterleave, ResponseTimeout(CallTimeouts.RealTime)]
    Task SubscribeAsync(ISessionObserver observer);

    [Alias("unsubscribe"), Orleans.Concurrency.AlwaysInterleave, ResponseTimeout(CallTimeouts.RealTime)]
    Task UnsubscribeAsync(ISessionObserver observer);
}

/// <summary>Pushes of a session to web nodes. Every one carries the session's version: a client keeps the newest.</summary>
[Alias("collab.ISessionObserver")]
public interface ISessionObserver : IGrainObserver
{
    /// <summary>Status, phase, timer or breakouts changed (help requests and group announcements are not in this view).</summary>
    [Alias("session-changed"), Orleans.Concurrency.OneWay]
    Task SessionChanged(SessionView session);

    /// <summary>An announcement; <see cref="AnnouncementView.Recipients"/> is null for everyone.</summary>
    [Alias("announced"), Orleans.Concurrency.OneWay]
    Task Announced(AnnouncementView announcement);

    /// <summary>The countdown reached its deadline.</summary>
    [Alias("time-up"), Orleans.Concurrency.OneWay]
    Task TimeUp(TimeUp timeUp);

    /// <summary>The help queue changed (for facilitators only).</summary>
    [Alias("help-queue-changed"), Orleans.Concurrency.OneWay]
    Task HelpQueueChanged(HelpQueue queue);

    /// <summary>A facilitator marked a help request handled: for the participant who asked, and nobody else.</summary>
    [Alias("help-handled"), Orleans.Concurrency.OneWay]
    Task HelpHandled(HelpHandled handled);
}

public static class SessionKeys
{
    public const string Plenary = "plenary";

    public static string Of(string workshopId, string sessionId) => workshopId + "/" + sessionId;

    public static string Group(string workshopId, string sessionId, string groupId) => workshopId + "/" + sessionId + "/" + groupId;

    /// <summary>The room id of a breakout group: unique in the workshop.</summary>
    public static string Room(string sessionId, string groupId) => sessionId + "." + groupId;

    public static (string WorkshopId, string SessionId) Parse(string key)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        return (key[..slash], key[(slash + 1)..]);
    }
}

[GenerateSerializer, Alias("collab.SessionStatus")]
public enum SessionStatus
{
    Scheduled = 0,
    Running = 1,
    Paused = 2,
    Ended = 3,
}

[GenerateSerializer, Alias("collab.SessionAction")]
public enum SessionAction
{
    Start = 0,
    Pause = 1,
    Resume = 2,
    End = 3,
}

[GenerateSerializer, Alias("collab.TimerAction")]
public enum TimerAction
{
    Start = 0,
    Extend = 1,
    Cancel = 2,
}

/// <summary>How groups are named when breakouts open.</summary>
[GenerateSerializer, Alias("collab.GroupNaming")]
public enum GroupNaming
{
    /// <summary><c>Group 1</c> … <c>Group N</c>.</summary>
    Numbered = 0,

    /// <summary>One group per delegation, named after it (e.g. per country).</summary>
    PerDelegation = 1,

    /// <summary>One group per given name (e.g. per theme).</summary>
    Named = 2,
}

/// <summary>How participants are put into groups when breakouts open.</summary>
[GenerateSerializer, Alias("collab.AssignmentMode")]
public enum AssignmentMode
{
    /// <summary>Nobody is assigned; the facilitator moves people.</summary>
    Manual = 0,

    /// <summary>The roster's pre-assigned group; anyone without one is balanced in.</summary>
    Preassigned = 1,

    /// <summary>Balanced sizes, each delegation spread across groups.</summary>
    MixDelegations = 2,

    /// <summary>Each delegation stays together; groups as balanced as that allows.</summary>
    KeepDelegations = 3,

    /// <summary>Participants choose their group.</summary>
    SelfSelect = 4,
}

[GenerateSerializer, Immutable, Alias("collab.ControlSession")]
public sealed record ControlSession([property: Id(0)] Caller Caller, [property: Id(1)] SessionAction Action);

[GenerateSerializer, Immutable, Alias("collab.SetPhase")]
public sealed record SetPhase([property: Id(0)] Caller Caller, [property: Id(1)] string Phase);

/// <summary>Starts a countdown of <see cref="Duration"/>, extends the running one by it, or cancels it.</summary>
[GenerateSerializer, Immutable, Alias("collab.SetTimer")]
public sealed record SetTimer(
    [property: Id(0)] Caller Caller,
    [property: Id(1)] TimerAction Action,
    [property: Id(2)] TimeSpan Duration,
    [property: Id(3)] string? Label);

[GenerateSerializer, Immutable, Alias("collab.Announce")]
public sealed record Announce([property: Id(0)] Caller Caller, [property: Id(1)] string Text, [property: Id(2)] string? GroupId);

[GenerateSerializer, Immutable, Alias("collab.AskForHelp")]
public sealed record AskForHelp([property: Id(0)] Caller Caller, [property: Id(1)] string? Message);

[GenerateSerializer, Immutable, Alias("collab.ResolveHelp")]
public sealed record ResolveHelp([property: Id(0)] Caller Caller, [property: Id(1)] string RequestId);

/// <summary>Command: open breakouts.</summary>
/// <param name="Count">Number of groups for <see cref="GroupNaming.Numbered"/> (1–max).</param>
/// <param name="Names">Group names for <see cref="GroupNaming.Named"/>.</param>
/// <param name="Sections">Document template; null for the default (best practices, lessons learnt, challenges, group report).</param>
[GenerateSerializer, Immutable, Alias("collab.OpenBreakouts")]
public sealed record OpenBreakouts(
    [property: Id(0)] Caller Caller,
    [property: Id(1)] GroupNaming Naming,
    [property: Id(2)] int? Count,
    [property: Id(3)] IReadOnlyList<string>? Names,
    [property: Id(4)] AssignmentMode Assignment,
    [property: Id(5)] IReadOnlyList<SectionTemplate>? Sections);

/// <summary>One document every group gets.</summary>
/// <param name="Key">Short id, e.g. <c>best-practices</c>.</param>
/// <param name="Titles">Title per working language, e.g. en → "Best practices", fr → "Bonnes pratiques".</param>
/// <param name="Text">Initial text (e.g. the group report's headings).</param>
/// <param name="Guidance">Per language, what to write in the document: shown while it is empty.</param>
[GenerateSerializer, Immutable, Alias("collab.SectionTemplate")]
public sealed record SectionTemplate(
    [property: Id(0)] string Key,
    [property: Id(1)] IReadOnlyDictionary<string, string> Titles,
    [property: Id(2)] string? Text,
    [property: Id(3)] IReadOnlyDictionary<string, string>? Guidance = null);

[GenerateSerializer, Immutable, Alias("collab.MoveParticipant")]
public sealed record MoveParticipant([property: Id(0)] Caller Caller, [property: Id(1)] string ParticipantId, [property: Id(2)] string? GroupId);

[GenerateSerializer, Immutable, Alias("collab.ChooseGroup")]
public sealed record ChooseGroup([property: Id(0)] Caller Caller, [property: Id(1)] string GroupId);

[GenerateSerializer, Immutable, Alias("collab.Recall")]
public sealed record Recall([property: Id(0)] Caller Caller, [property: Id(1)] bool Freeze);

/// <summary>Read model of a session.</summary>
/// <param name="Version">Grows with every change; a client keeps the view with the highest.</param>
[GenerateSerializer, Immutable, Alias("collab.SessionView")]
public sealed record SessionView(
    [property: Id(0)] string WorkshopId,
    [property: Id(1)] string SessionId,
    [property: Id(2)] string Title,
    [property: Id(3)] SessionStatus Status,
    [property: Id(4)] IReadOnlyList<string> Phases,
    [property: Id(5)] string? Phase,
    [property: Id(6)] TimerView? Timer,
    [property: Id(7)] BreakoutsView? Breakouts,
    [property: Id(8)] IReadOnlyList<AnnouncementView> Announcements,
    [property: Id(9)] long Version,
    [property: Id(10)] DateTimeOffset ServerTime);

/// <summary>The countdown: running (a deadline), paused (time left), or over (<see cref="TimeUpAt"/>).</summary>
[GenerateSerializer, Immutable, Alias("collab.TimerView")]
public sealed record TimerView(
    [property: Id(0)] string? Label,
    [property: Id(1)] DateTimeOffset? Deadline,
    [property: Id(2)] TimeSpan? Remaining,
    [property: Id(3)] DateTimeOffset? TimeUpAt,
    [property: Id(4)] TimeSpan Duration);

/// <summary>Breakouts of the session: open (people in groups) or recalled (everyone in plenary).</summary>
[GenerateSerializer, Immutable, Alias("collab.BreakoutsView")]
public sealed record BreakoutsView(
    [property: Id(0)] bool Open,
    [property: Id(1)] AssignmentMode Assignment,
    [property: Id(2)] bool Frozen,
    [property: Id(3)] IReadOnlyList<GroupView> Groups);

/// <summary>A breakout group: its room, its documents and its members.</summary>
[GenerateSerializer, Immutable, Alias("collab.GroupView")]
public sealed record GroupView(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] string Room,
    [property: Id(3)] IReadOnlyList<GroupDocument> Documents,
    [property: Id(4)] IReadOnlyList<string> Members);

/// <summary>A group's document: its template's key (<see cref="Section"/>), titles and guidance per language.</summary>
[GenerateSerializer, Immutable, Alias("collab.GroupDocument")]
public sealed record GroupDocument(
    [property: Id(0)] string DocId,
    [property: Id(1)] string Section,
    [property: Id(2)] IReadOnlyDictionary<string, string> Titles,
    [property: Id(3)] IReadOnlyDictionary<string, string>? Guidance = null);

/// <summary>An announcement; <see cref="Recipients"/> lists the participants of the targeted group (null: everyone).</summary>
[GenerateSerializer, Immutable, Alias("collab.AnnouncementView")]
public sealed record AnnouncementView(
    [property: Id(0)] string WorkshopId,
    [property: Id(1)] string SessionId,
    [property: Id(2)] string Id,
    [property: Id(3)] string Text,
    [property: Id(4)] string? GroupId,
    [property: Id(5)] IReadOnlyList<string>? Recipients,
    [property: Id(6)] string AuthorName,
    [property: Id(7)] DateTimeOffset At);

[GenerateSerializer, Immutable, Alias("collab.TimeUp")]
public sealed record TimeUp(
    [property: Id(0)] string WorkshopId,
    [property: Id(1)] string SessionId,
    [property: Id(2)] string? Label,
    [property: Id(3)] DateTimeOffset Deadline,
    [property: Id(4)] long Version);

[GenerateSerializer, Immutable, Alias("collab.HelpRequestView")]
public sealed record HelpRequestView(
    [property: Id(0)] string Id,
    [property: Id(1)] string ParticipantId,
    [property: Id(2)] string Name,
    [property: Id(3)] string Room,
    [property: Id(4)] string? Message,
    [property: Id(5)] DateTimeOffset At);

[GenerateSerializer, Immutable, Alias("collab.HelpQueue")]
public sealed record HelpQueue(
    [property: Id(0)] string WorkshopId,
    [property: Id(1)] string SessionId,
    [property: Id(2)] IReadOnlyList<HelpRequestView> Open,
    [property: Id(3)] long Version);

/// <summary>A help request was handled: told to the participant who asked (<see cref="ParticipantId"/>) only.</summary>
/// <param name="HandledBy">The display name of the facilitator who marked it handled.</param>
[GenerateSerializer, Immutable, Alias("collab.HelpHandled")]
public sealed record HelpHandled(
    [property: Id(0)] string WorkshopId,
    [property: Id(1)] string SessionId,
    [property: Id(2)] string RequestId,
    [property: Id(3)] string ParticipantId,
    [property: Id(4)] string HandledBy,
    [property: Id(5)] DateTimeOffset At);
