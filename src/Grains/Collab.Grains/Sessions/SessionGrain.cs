using System.Security.Cryptography;
using Collab.Errors;
using Collab.Recommendations;
using Collab.Storage;
using Collab.Workshops;
using Microsoft.Extensions.Logging;

namespace Collab.Sessions;

/// <summary>
/// One live session. The countdown is server-authoritative: its deadline is stored, a grain timer fires it while the
/// grain is active, and a reminder (which survives silo restarts) reactivates the grain to fire it otherwise.
/// Assignments are owned here; each <see cref="IBreakoutGroupGrain"/> is told its members, and its documents follow.
/// </summary>
internal sealed partial class SessionGrain(
    [PersistentState("session")] IPersistentState<SessionState> state,
    [PersistentState("session-observers")] IPersistentState<ObserverSetState<ISessionObserver>> observers,
    WorkshopOptions options,
    TimeProvider clock,
    ILogger<SessionGrain> logger) : Grain, ISessionGrain, IRemindable, Hosting.IMayNotExist
{
    private const string TimerReminder = "countdown";
    private static readonly TimeSpan RecentTimeUp = TimeSpan.FromMinutes(1);

    private readonly DurableObservers<ISessionObserver> _observers = new(observers, options.ObserverExpiry, logger);
    private IGrainTimer? _countdown;

    // The workshop's agenda lists this session (learnt by the first call of the activation that checked).
    private bool _onAgenda;

    /// <summary>A session exists once it is on its workshop's agenda (or has stored state, or web nodes watch it).</summary>
    bool Hosting.IMayNotExist.Exists => _onAgenda || state.RecordExists || _observers.Count > 0;

    private string WorkshopId => SessionKeys.Parse(this.GetPrimaryKeyString()).WorkshopId;

    private string SessionId => SessionKeys.Parse(this.GetPrimaryKeyString()).SessionId;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        ArmCountdown();

        // The web nodes an earlier activation pushed to are pushed to from now on, and get where the session stands.
        foreach (var observer in _observers.Restore())
        {
            TellCurrent(observer);
        }

        return Task.CompletedTask;
    }

    async Task<SessionView> ISessionGrain.GetAsync(Caller caller)
    {
        var workshop = await EnsureSessionAsync(caller);
        if (caller.Role == Role.Participant && state.State.Breakouts is { Open: true } breakouts
            && !breakouts.Assignments.ContainsKey(caller.ParticipantId) && AutomaticallyAssigns(breakouts.Assignment)
            && breakouts.SentToPlenary?.Contains(caller.ParticipantId) != true)
        {
            // A participant who joined after the groups opened is placed now, the first time they look.
            var roster = await Workshop.GetRosterAsync(caller);
            var me = roster.FirstOrDefault(p => p.Id == caller.ParticipantId);
            var delegationOf = roster.ToDictionary(p => p.Id, p => p.Delegation);

            // Kept together in groups named after delegations (as opening per delegation does): their delegation's group.
            var preassigned = breakouts.Assignment == AssignmentMode.KeepDelegations
                ? breakouts.Groups.FirstOrDefault(g => g.Name == workshop.Delegations.FirstOrDefault(d => d.Id == me?.Delegation)?.Name)?.Id
                : me?.Group;
            var target = GroupAssignment.PlaceLateJoiner(
                new GroupAssignment.Person(caller.ParticipantId, me?.Delegation, preassigned),
                [.. breakouts.Groups.Select(g => new GroupAssignment.Group(g.Id, g.Name))],
                breakouts.Assignments,
                delegationOf,
                breakouts.Assignment);
            if (target is not null)
            {
                await MoveAsync(caller.ParticipantId, target);
                return await NotifyChangedAsync(caller);
            }
        }

        return View(caller);
    }

    async Task<SessionView> ISessionGrain.ControlAsync(ControlSession command)
    {
        await EnsureFacilitatorAsync(command.Caller);
        var now = clock.GetUtcNow();
        var status = state.State.Status;
        switch (command.Action)
        {
            case SessionAction.Start when status == SessionStatus.Scheduled || status == SessionStatus.Ended:
                var phase = state.State.Phase ?? state.State.Phases.FirstOrDefault();
                var active = await Workshop.ClaimLiveSessionAsync(SessionId, live: true, phase);
                await WriteAsync(s =>
                {
                    s.Status = SessionStatus.Running;
                    s.Phase = phase;
                });
                await ApplyPhaseAsync(active);
                break;
            case SessionAction.Pause when status == SessionStatus.Running:
                await WriteAsync(s =>
                {
                    s.Status = SessionStatus.Paused;
                    if (s.Timer is { Deadline: { } deadline } timer)
                    {
                        s.Timer = timer with { Deadline = null, Remaining = Max(deadline - now, TimeSpan.Zero) };
                    }
                });
                break;
            case SessionAction.Resume when status == SessionStatus.Paused:
                await WriteAsync(s =>
                {
                    s.Status = SessionStatus.Running;
                    if (s.Timer is { Remaining: { } remaining, TimeUpAt: null } timer)
                    {
                        s.Timer = timer with { Deadline = now + remaining, Remaining = null };
                    }
                });
                break;
            case SessionAction.End when status is SessionStatus.Running or SessionStatus.Paused:
                // Released first (as started first): if storing the end fails, ending again finds nothing to release.
                var ended = await Workshop.ClaimLiveSessionAsync(SessionId, live: false, null);
                await WriteAsync(s =>
                {
                    s.Status = SessionStatus.Ended;
                    s.Timer = null;
                });
                await ApplyPhaseAsync(ended);
                break;
            default:
                throw new ConflictException(
                    "session.invalid_transition", $"A session that is {status.ToString().ToLowerInvariant()} cannot {command.Action.ToString().ToLowerInvariant()}.");
        }

        await SyncCountdownAsync();
        return await NotifyChangedAsync(command.Caller);
    }

    async Task<SessionView> ISessionGrain.SetPhaseAsync(SetPhase command)
    {
        await EnsureFacilitatorAsync(command.Caller);
        var phase = (command.Phase ?? "").Trim().ToLowerInvariant();
        if (!state.State.Phases.Contains(phase))
        {
            throw new ValidationFailedException(
                "session.phase_unknown", $"'{WorkshopRules.Shorten(phase)}' is not a phase of this session ({string.Join(" → ", state.State.Phases)}).", "phase");
        }

        await WriteAsync(s => s.Phase = phase);
        if (state.State.Status != SessionStatus.Scheduled)
        {
            // Live: the new phase is in force. Ended: its groups stay closed (and an end that failed half way is applied again).
            await ApplyPhaseAsync(await Workshop.ClaimLiveSessionAsync(SessionId, IsLive, IsLive ? phase : null));
        }

        return await NotifyChangedAsync(command.Caller);
    }

    async Task<SessionView> ISessionGrain.SetTimerAsync(SetTimer command)
    {
        await EnsureFacilitatorAsync(command.Caller);
        var now = clock.GetUtcNow();
        var label = command.Label is { Length: > 80 * 8 } raw ? raw : WorkshopRules.CleanText(command.Label, "label", "timer.label");
        if (label is { Length: > 80 })
        {
            throw new ValidationFailedException("timer.label_too_long", "A timer label has at most 80 characters.", "label");
        }

        if (command.Action != TimerAction.Cancel && (command.Duration < TimeSpan.FromSeconds(1) || command.Duration > options.MaxTimer))
        {
            throw new ValidationFailedException(
                "timer.duration_invalid", $"A countdown lasts between 1 second and {options.MaxTimer.TotalHours:0} hours.", "seconds");
        }

        var paused = state.State.Status == SessionStatus.Paused;
        TimerState? next = (command.Action, state.State.Timer) switch
        {
            (TimerAction.Start, _) => paused
                ? new TimerState(label, command.Duration, null, command.Duration, null)
                : new TimerState(label, command.Duration, now + command.Duration, null, null),
            (TimerAction.Extend, { Deadline: { } deadline } t) => t with { Deadline = deadline + command.Duration, Duration = t.Duration + command.Duration },
            (TimerAction.Extend, { Remaining: { } remaining } t) => t with { Remaining = remaining + command.Duration, Duration = t.Duration + command.Duration },
            (TimerAction.Extend, { TimeUpAt: not null } t) => paused
                ? t with { TimeUpAt = null, Remaining = command.Duration, Duration = t.Duration + command.Duration }
                : t with { TimeUpAt = null, Deadline = now + command.Duration, Duration = t.Duration + command.Duration },
            (TimerAction.Cancel, not null) => null,
            (TimerAction.Extend or TimerAction.Cancel, null) =>
                throw new ConflictException("timer.not_running", "There is no countdown to extend or cancel."),
            _ => throw new ValidationFailedException("timer.action_invalid", $"'{command.Action}' is not a timer action.", "action"),
        };
        if (state.State.Status is SessionStatus.Scheduled or SessionStatus.Ended)
        {
            throw new ConflictException("session.not_running", "Start the session before running its countdown.");
        }

        await WriteAsync(s => s.Timer = next);
        await SyncCountdownAsync();
        return await NotifyChangedAsync(command.Caller);
    }

    async Task<AnnouncementView> ISessionGrain.AnnounceAsync(Announce command)
    {
        await EnsureFacilitatorAsync(command.Caller);
        var text = (command.Text ?? "").Trim();
        if (text.Length == 0 || text.Length > options.MaxAnnouncementLength)
        {
            throw new ValidationFailedException(
                "announcement.length", $"An announcement has 1–{options.MaxAnnouncementLength} characters.", "text");
        }

        IReadOnlyList<string>? recipients = null;
        if (command.GroupId is { } groupId)
        {
            var group = FindGroup(groupId);
            recipients = MembersOf(group.Id);
        }

        var announcement = new AnnouncementView(
            WorkshopId, SessionId, "a-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(5)), text, command.GroupId, recipients,
            command.Caller.DisplayName, clock.GetUtcNow());
        await WriteAsync(s => s.Announcements = [.. s.Announcements.TakeLast(options.AnnouncementsKept - 1), announcement]);
        await _observers.Notify(o => o.Announced(announcement));
        return announcement;
    }

    async Task<HelpRequestView> ISessionGrain.AskForHelpAsync(AskForHelp command)
    {
        await EnsureSessionAsync(command.Caller);
        var message = string.IsNullOrWhiteSpace(command.Message) ? null : command.Message.Trim();
        if (message is { Length: var length } && length > options.MaxAnnouncementLength)
        {
            throw new ValidationFailedException(
                "help.message_too_long", $"A help message has at most {options.MaxAnnouncementLength} characters.", "message");
        }

        if (state.State.Status is not (SessionStatus.Running or SessionStatus.Paused))
        {
            throw new ConflictException("session.not_running", "Help can be asked while the session runs.");
        }

        var open = state.State.Help.Where(h => h.ParticipantId != command.Caller.ParticipantId).ToList();
        if (open.Count >= options.MaxOpenHelpRequests)
        {
            throw new ConflictException("help.queue_full", "The facilitators' help queue is full; try again in a moment.");
        }

        var request = new HelpRequestView(
            "h-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(5)), command.Caller.ParticipantId, command.Caller.DisplayName,
            RoomOf(command.Caller.ParticipantId), message, clock.GetUtcNow());
        await WriteAsync(s => s.Help = [.. open, request]);
        await NotifyHelpAsync();
        return request;
    }

    async Task<IReadOnlyList<HelpRequestView>> ISessionGrain.ResolveHelpAsync(ResolveHelp command)
    {
        await EnsureFacilitatorAsync(command.Caller);
        var request = state.State.Help.FirstOrDefault(h => h.Id == command.RequestId)
            ?? throw new NotFoundException("help.not_found", $"There is no open help request '{command.RequestId}'.");

        await WriteAsync(s => s.Help = [.. s.Help.Where(h => h.Id != command.RequestId)]);
        await NotifyHelpAsync();
        var handled = new HelpHandled(WorkshopId, SessionId, request.Id, request.ParticipantId, command.Caller.DisplayName, clock.GetUtcNow());
        await _observers.Notify(o => o.HelpHandled(handled));
        return state.State.Help;
    }

    async Task<IReadOnlyList<HelpRequestView>> ISessionGrain.GetHelpQueueAsync(Caller caller)
    {
        await EnsureFacilitatorAsync(caller);
        return state.State.Help;
    }

    async Task<IReadOnlyList<GroupView>> ISessionGrain.GetGroupsAsync(Caller caller)
    {
        await EnsureSessionAsync(caller);
        if (!caller.EditsEverywhere)
        {
            throw new ForbiddenException("session.groups_forbidden", "Only facilitators and rapporteurs open every group's documents.");
        }

        // Earlier rounds first, as they were opened; each group answers its own documents and members.
        var ids = state.State.EarlierGroups.Concat(state.State.Breakouts?.Groups.Select(g => g.Id) ?? []).Distinct(StringComparer.Ordinal);
        var groups = await Task.WhenAll(ids.Select(id => GroupGrain(id).GetAsync()));
        return [.. groups.Where(g => g.Documents.Count > 0)];
    }

    async Task<SessionView> ISessionGrain.OpenBreakoutsAsync(OpenBreakouts command)
    {
        var workshop = await EnsureFacilitatorAsync(command.Caller);
        if (state.State.Status != SessionStatus.Running)
        {
            throw new ConflictException("session.not_running", "Start (or resume) the session before opening breakouts.");
        }

        if (state.State.Breakouts is { Open: true })
        {
            throw new ConflictException("breakouts.already_open", "Breakouts are open; recall everyone before opening new groups.");
        }

        if (!Enum.IsDefined(command.Assignment) || !Enum.IsDefined(command.Naming))
        {
            throw new ValidationFailedException("breakouts.mode_invalid", "Unknown group naming or assignment mode.", "assignment");
        }

        var round = state.State.Rounds + 1;
        var names = GroupNames(command, workshop);
        var groups = names.Select((n, i) =>
        {
            var id = round == 1 ? n.Id : $"r{round}-{n.Id}";
            return new GroupAssignment.Group(id, n.Name);
        }).ToList();
        var sections = GroupTemplates.For(command.Sections, workshop.Agenda.FirstOrDefault(a => a.Id == SessionId));

        var roster = await Workshop.GetRosterAsync(command.Caller);
        var people = roster
            .Where(p => p.Role == Role.Participant && (p.Joined || command.Assignment == AssignmentMode.Preassigned))
            .Select(p => new GroupAssignment.Person(
                p.Id,
                p.Delegation,
                command.Naming == GroupNaming.PerDelegation && command.Assignment == AssignmentMode.KeepDelegations
                    ? groups.FirstOrDefault(g => g.Name == workshop.Delegations.FirstOrDefault(d => d.Id == p.Delegation)?.Name)?.Id
                    : p.Group))
            .ToList();
        var mode = command.Naming == GroupNaming.PerDelegation && command.Assignment == AssignmentMode.KeepDelegations
            ? AssignmentMode.Preassigned
            : command.Assignment;
        var assignments = GroupAssignment.Assign(people, groups, mode);

        // The groups and their documents exist (idempotently) before the session says they are open, with what members
        // may do in the session's phase (asking the workshop again changes nothing: the session is live).
        var active = await Workshop.ClaimLiveSessionAsync(SessionId, live: true, state.State.Phase);
        var records = new List<GroupRecord>();
        foreach (var group in groups)
        {
            var members = assignments.Where(a => a.Value == group.Id).Select(a => a.Key).Order(StringComparer.Ordinal).ToList();
            var view = await GroupGrain(group.Id).SetupAsync(new SetupGroup(command.Caller, group.Name, sections, members, active));
            records.Add(new GroupRecord(group.Id, group.Name, view.Room, view.Documents));
        }

        await WriteAsync(s =>
        {
            s.Rounds = round;
            s.EarlierGroups = [.. s.EarlierGroups, .. s.Breakouts?.Groups.Select(g => g.Id) ?? []];
            s.Breakouts = new BreakoutsState(true, command.Assignment, false, records, new Dictionary<string, string>(assignments));
        });
        LogBreakoutsOpened(logger, WorkshopId, SessionId, records.Count, assignments.Count);
        return await NotifyChangedAsync(command.Caller);
    }

    async Task<SessionView> ISessionGrain.MoveParticipantAsync(MoveParticipant command)
    {
        await EnsureFacilitatorAsync(command.Caller);
        if (state.State.Breakouts is null)
        {
            throw new ConflictException("breakouts.not_open", "There are no breakout groups to move anyone into.");
        }

        if (command.GroupId is { } groupId)
        {
            FindGroup(groupId);
        }

        var roster = await Workshop.GetRosterAsync(command.Caller);
        if (roster.All(p => p.Id != command.ParticipantId))
        {
            throw new NotFoundException("participant.not_found", $"There is no participant '{command.ParticipantId}' in this workshop.");
        }

        await MoveAsync(command.ParticipantId, command.GroupId, byFacilitator: true);
        return await NotifyChangedAsync(command.Caller);
    }

    async Task<SessionView> ISessionGrain.ChooseGroupAsync(ChooseGroup command)
    {
        await EnsureSessionAsync(command.Caller);
        if (state.State.Breakouts is not { Open: true, Assignment: AssignmentMode.SelfSelect })
        {
            throw new ConflictException("breakouts.not_self_select", "Groups are not open for choosing; the facilitator assigns them.");
        }

        if (command.Caller.Role != Role.Participant)
        {
            throw new ForbiddenException("breakouts.participants_only", "Only participants choose a group.");
        }

        FindGroup(command.GroupId);
        await MoveAsync(command.Caller.ParticipantId, command.GroupId);
        return await NotifyChangedAsync(command.Caller);
    }

    async Task<SessionView> ISessionGrain.RecallAsync(Recall command)
    {
        await EnsureFacilitatorAsync(command.Caller);
        if (state.State.Breakouts is not { Open: true } breakouts)
        {
            throw new ConflictException("breakouts.not_open", "Breakouts are not open; everyone is already in plenary.");
        }

        if (command.Freeze)
        {
            foreach (var group in breakouts.Groups)
            {
                await GroupGrain(group.Id).FreezeAsync(command.Caller, true);
            }
        }

        await WriteAsync(s => s.Breakouts = breakouts with { Open = false, Frozen = command.Freeze });
        return await NotifyChangedAsync(command.Caller);
    }

    async Task<SessionView> ISessionGrain.ReopenAsync(Caller caller)
    {
        await EnsureFacilitatorAsync(caller);
        if (state.State.Breakouts is not { Open: false } breakouts)
        {
            throw new ConflictException("breakouts.not_recalled", "There are no recalled breakouts to reopen.");
        }

        if (state.State.Status != SessionStatus.Running)
        {
            throw new ConflictException("session.not_running", "Start (or resume) the session before reopening breakouts.");
        }

        if (breakouts.Frozen)
        {
            foreach (var group in breakouts.Groups)
            {
                await GroupGrain(group.Id).FreezeAsync(caller, false);
            }
        }

        await WriteAsync(s => s.Breakouts = breakouts with { Open = true, Frozen = false });
        return await NotifyChangedAsync(caller);
    }

    async Task ISessionGrain.ForgetParticipantAsync(string participantId)
    {
        if (state.State.Breakouts?.Assignments.ContainsKey(participantId) == true)
        {
            await MoveAsync(participantId, null);
        }

        if (state.State.Help.Any(h => h.ParticipantId == participantId))
        {
            await WriteAsync(s => s.Help = [.. s.Help.Where(h => h.ParticipantId != participantId)]);
            await NotifyHelpAsync();
        }

        await NotifyChangedAsync(null);
    }

    async Task ISessionGrain.AgendaChangedAsync()
    {
        if (IsLive)
        {
            await ApplyPhaseAsync(await Workshop.ClaimLiveSessionAsync(SessionId, live: true, state.State.Phase));
        }
    }

    async Task ISessionGrain.SubscribeAsync(ISessionObserver observer)
    {
        if (await _observers.SubscribeAsync(observer))
        {
            TellCurrent(observer);
        }
    }

    Task ISessionGrain.UnsubscribeAsync(ISessionObserver observer) => _observers.UnsubscribeAsync(observer);

    /// <summary>
    /// A web node that is new to this activation (first watcher, or this grain moved to another silo) may have missed
    /// pushes: it gets the current view, and a time's up of the last minute, once more. Clients keep the highest version
    /// and treat a repeated time's up (same deadline) as one.
    /// </summary>
    private void TellCurrent(ISessionObserver observer)
    {
        if (state.State.Version > 0)
        {
            observer.SessionChanged(View(null)).Ignore();
            if (state.State.Timer is { TimeUpAt: { } at } timer && clock.GetUtcNow() - at < RecentTimeUp)
            {
                observer.TimeUp(new TimeUp(WorkshopId, SessionId, timer.Label, at, state.State.Version)).Ignore();
            }
        }
    }

    Task IRemindable.ReceiveReminder(string reminderName, TickStatus status) => FireIfDueAsync();

    /// <summary>
    /// Moves one participant (null: back to plenary): groups learn their new members first, then the session stores it.
    /// Whom a facilitator sends to plenary stays there: they are not placed again as a late joiner.
    /// </summary>
    private async Task MoveAsync(string participantId, string? groupId, bool byFacilitator = false)
    {
        var breakouts = state.State.Breakouts!;
        var assignments = new Dictionary<string, string>(breakouts.Assignments);
        var from = assignments.GetValueOrDefault(participantId);
        var sentToPlenary = (breakouts.SentToPlenary ?? []).Where(p => p != participantId).ToList();
        if (groupId is null && byFacilitator)
        {
            sentToPlenary.Add(participantId);
        }

        if (from == groupId && sentToPlenary.Count == (breakouts.SentToPlenary?.Count ?? 0))
        {
            return;
        }

        if (groupId is null)
        {
            assignments.Remove(participantId);
        }
        else
        {
            assignments[participantId] = groupId;
        }

        foreach (var changed in new[] { from, groupId }.OfType<string>())
        {
            await GroupGrain(changed).SetMembersAsync([.. assignments.Where(a => a.Value == changed).Select(a => a.Key).Order(StringComparer.Ordinal)]);
        }

        await WriteAsync(s => s.Breakouts = breakouts with { Assignments = assignments, SentToPlenary = sentToPlenary });
    }

    private async Task FireIfDueAsync()
    {
        if (state.State.Timer is { Deadline: { } deadline, TimeUpAt: null } timer && deadline <= clock.GetUtcNow())
        {
            await WriteAsync(s => s.Timer = timer with { Deadline = null, TimeUpAt = deadline });
            LogTimeUp(logger, WorkshopId, SessionId);
            var timeUp = new TimeUp(WorkshopId, SessionId, timer.Label, deadline, state.State.Version);
            await _observers.Notify(o => o.TimeUp(timeUp));
            await NotifyChangedAsync(null);
        }

        await SyncCountdownAsync();
    }

    /// <summary>Keeps the reminder (durable wake-up) and the grain timer (precise while active) in line with the stored deadline.</summary>
    private async Task SyncCountdownAsync()
    {
        var running = state.State.Timer is { Deadline: not null, TimeUpAt: null };
        if (running)
        {
            var due = Max(state.State.Timer!.Deadline!.Value - clock.GetUtcNow(), TimeSpan.Zero);
            await this.RegisterOrUpdateReminder(TimerReminder, due, TimeSpan.FromMinutes(1));
        }
        else if (await this.GetReminder(TimerReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }

        ArmCountdown();
    }

    private void ArmCountdown()
    {
        _countdown?.Dispose();
        _countdown = null;
        if (state.State.Timer is { Deadline: { } deadline, TimeUpAt: null })
        {
            _countdown = this.RegisterGrainTimer(
                _ => FireIfDueAsync(),
                new GrainTimerCreationOptions { DueTime = Max(deadline - clock.GetUtcNow(), TimeSpan.Zero), Period = Timeout.InfiniteTimeSpan });
        }
    }

    private async Task WriteAsync(Action<SessionState> change)
    {
        var next = state.State.Copy();
        change(next);
        next.Version = state.State.Version + 1;
        await state.ReplaceAsync(next);
    }

    private async Task<SessionView> NotifyChangedAsync(Caller? caller)
    {
        var broadcast = View(null);
        await _observers.Notify(o => o.SessionChanged(broadcast));
        return caller is null ? broadcast : View(caller);
    }

    private Task NotifyHelpAsync()
    {
        var queue = new HelpQueue(WorkshopId, SessionId, state.State.Help, state.State.Version);
        return _observers.Notify(o => o.HelpQueueChanged(queue));
    }

    private IWorkshopGrain Workshop => GrainFactory.GetGrain<IWorkshopGrain>(WorkshopId);

    /// <summary>Running or paused: the workshop's live session, whose phase is in force.</summary>
    private bool IsLive => state.State.Status is SessionStatus.Running or SessionStatus.Paused;

    /// <summary>
    /// Puts the phase the workshop answered in force: this session's groups' notes follow it (or, once the session ended,
    /// the closed row), the recommendations the workshop's active phase. Before the session answers the command, so that
    /// whoever learns of the change can already act on it. Applying the same again changes nothing: a command that failed
    /// half way is sent again.
    /// </summary>
    private async Task ApplyPhaseAsync(ActivePhase workshopPhase)
    {
        var groupsPhase = IsLive
            ? workshopPhase
            : new ActivePhase(PhaseStage.Ended, SessionId, null, PhaseTable.Closed, workshopPhase.Version);
        var groups = (state.State.Breakouts?.Groups.Select(g => g.Id) ?? []).Concat(state.State.EarlierGroups).Distinct();
        await Task.WhenAll(groups.Select(g => GroupGrain(g).PhaseChangedAsync(groupsPhase)));
        await GrainFactory.GetGrain<IRecommendationBoardGrain>(WorkshopId).PhaseChangedAsync(workshopPhase);
    }

    private IBreakoutGroupGrain GroupGrain(string groupId) => GrainFactory.GetGrain<IBreakoutGroupGrain>(SessionKeys.Group(WorkshopId, SessionId, groupId));

    /// <summary>
    /// The caller belongs to this workshop and the session is on its agenda. The first call of an activation reads the
    /// agenda from the workshop grain (which also refuses callers of other workshops).
    /// </summary>
    private async Task<WorkshopView> EnsureSessionAsync(Caller caller)
    {
        if (caller.WorkshopId != WorkshopId)
        {
            throw new NotFoundException("session.not_found", $"There is no session '{SessionId}'.");
        }

        var workshop = await Workshop.GetAsync(caller);
        var agenda = workshop.Agenda.FirstOrDefault(s => s.Id == SessionId)
            ?? throw new NotFoundException("session.not_found", $"There is no session '{SessionId}' on the agenda.");
        _onAgenda = true;
        if (state.State.Phases.Count == 0 || (state.State.Status == SessionStatus.Scheduled && !state.State.Phases.SequenceEqual(agenda.Phases)))
        {
            state.State.Phases = [.. agenda.Phases];
        }

        state.State.Title = agenda.Title;

        return workshop;
    }

    private async Task<WorkshopView> EnsureFacilitatorAsync(Caller caller)
    {
        var workshop = await EnsureSessionAsync(caller);
        if (caller.Role != Role.Facilitator)
        {
            throw new ForbiddenException("session.facilitators_only", "Only facilitators run sessions and breakouts.");
        }

        return workshop;
    }

    private GroupRecord FindGroup(string groupId) =>
        state.State.Breakouts?.Groups.FirstOrDefault(g => g.Id == groupId)
        ?? throw new NotFoundException("group.not_found", $"There is no breakout group '{groupId}' in this session.");

    private List<string> MembersOf(string groupId) =>
        [.. (state.State.Breakouts?.Assignments ?? new Dictionary<string, string>()).Where(a => a.Value == groupId).Select(a => a.Key).Order(StringComparer.Ordinal)];

    private string RoomOf(string participantId) =>
        state.State.Breakouts is { Open: true } b && b.Assignments.TryGetValue(participantId, out var groupId)
            ? b.Groups.First(g => g.Id == groupId).Room
            : SessionKeys.Plenary;

    private List<(string Id, string Name)> GroupNames(OpenBreakouts command, WorkshopView workshop)
    {
        if (command.Names is { Count: var given } && given > options.MaxGroupsPerSession)
        {
            throw new ValidationFailedException("breakouts.count_invalid", $"Open between 1 and {options.MaxGroupsPerSession} groups.", "names");
        }

        List<(string Id, string Name)> names = command.Naming switch
        {
            GroupNaming.Numbered when command.Count is { } count && count >= 1 && count <= options.MaxGroupsPerSession =>
                [.. Enumerable.Range(1, count).Select(i => ($"g{i}", $"Group {i}"))],
            GroupNaming.Numbered => throw new ValidationFailedException(
                "breakouts.count_invalid", $"Open between 1 and {options.MaxGroupsPerSession} groups.", "count"),
            GroupNaming.PerDelegation when workshop.Delegations.Count > 0 =>
                [.. workshop.Delegations.Select(d => (d.Id, d.Name))],
            GroupNaming.PerDelegation => throw new ValidationFailedException(
                "breakouts.no_delegations", "This workshop has no delegations to name groups after.", "naming"),
            _ => [.. (command.Names ?? []).Select((n, i) => ($"g{i + 1}", WorkshopRules.PersonName(n, "group name", options)))],
        };
        if (names.Count == 0 || names.Count > options.MaxGroupsPerSession)
        {
            throw new ValidationFailedException("breakouts.count_invalid", $"Open between 1 and {options.MaxGroupsPerSession} groups.", "names");
        }

        if (names.Select(n => WorkshopRules.NameKey(n.Name)).Distinct().Count() != names.Count)
        {
            throw new ValidationFailedException("breakouts.names_repeated", "Each group needs its own name.", "names");
        }

        return names;
    }

    private static bool AutomaticallyAssigns(AssignmentMode mode) =>
        mode is AssignmentMode.MixDelegations or AssignmentMode.KeepDelegations or AssignmentMode.Preassigned;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    /// <summary>The session as <paramref name="caller"/> sees it; null: what every connection of the workshop may see.</summary>
    private SessionView View(Caller? caller)
    {
        var s = state.State;
        var announcements = s.Announcements
            .Where(a => a.Recipients is null || (caller is not null && (caller.EditsEverywhere || a.Recipients.Contains(caller.ParticipantId))))
            .ToList();
        var timer = s.Timer is { } t ? new TimerView(t.Label, t.Deadline, t.Remaining, t.TimeUpAt, t.Duration) : null;
        var breakouts = s.Breakouts is { } b
            ? new BreakoutsView(b.Open, b.Assignment, b.Frozen, [.. b.Groups.Select(g => new GroupView(g.Id, g.Name, g.Room, g.Documents, MembersOf(g.Id)))])
            : null;
        return new SessionView(
            WorkshopId,
            SessionId,
            s.Title ?? SessionId,
            s.Status,
            s.Phases,
            s.Phase,
            timer,
            breakouts,
            announcements,
            s.Version,
            clock.GetUtcNow());
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Workshop {WorkshopId} session {SessionId}: {Groups} breakout groups opened, {Assigned} participants assigned")]
    private static partial void LogBreakoutsOpened(ILogger logger, string workshopId, string sessionId, int groups, int assigned);

    [LoggerMessage(Level = LogLevel.Information, Message = "Workshop {WorkshopId} session {SessionId}: time is up")]
    private static partial void LogTimeUp(ILogger logger, string workshopId, string sessionId);
}
