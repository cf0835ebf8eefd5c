using System.Security.Cryptography;
using System.Text;
using Collab.Errors;
using Collab.Sessions;
using Collab.Storage;
using Microsoft.Extensions.Logging;

namespace Collab.Workshops;

internal sealed partial class WorkshopGrain(
    [PersistentState("workshop")] IPersistentState<WorkshopState> state,
    [PersistentState("workshop-observers")] IPersistentState<ObserverSetState<IWorkshopObserver>> observers,
    WorkshopOptions options,
    TimeProvider clock,
    ILogger<WorkshopGrain> logger) : Grain, IWorkshopGrain, Hosting.IMayNotExist
{
    private const int MaxPlenaryDocuments = 100;
    private const int MaxRejoinKeyLength = 100;
    private readonly DurableObservers<IWorkshopObserver> _observers = new(observers, options.ObserverExpiry, logger);

    private string WorkshopId => this.GetPrimaryKeyString();

    bool Hosting.IMayNotExist.Exists => state.State.Created;

    async Task<WorkshopCreated> IWorkshopGrain.CreateAsync(CreateWorkshop command)
    {
        var valid = WorkshopRules.Normalize(
            command.Title, command.Venue, command.StartsOn, command.EndsOn, command.Languages,
            command.Organisers, command.Funders, command.Delegations, command.Agenda, options, command.Themes);
        var creatorName = WorkshopRules.PersonName(command.CreatorName, "creatorName", options);
        var creatorDelegation = WorkshopRules.FindDelegation(valid.Delegations, command.CreatorDelegation);
        var creatorLanguage = WorkshopRules.Language(command.CreatorLanguage, creatorDelegation, valid.Languages);
        var seedKey = string.IsNullOrWhiteSpace(command.SeedKey) ? null : WorkshopRules.Slug(command.SeedKey, 80);
        if (state.State.Created)
        {
            throw new ConflictException("workshop.already_exists", $"Workshop '{WorkshopId}' already exists.");
        }

        // Global uniqueness first (seed, then join codes); the workshop is stored only once it holds them.
        if (seedKey is not null && !await GrainFactory.GetGrain<IKeyClaimGrain>(ClaimKeys.Seed(seedKey)).ClaimAsync(WorkshopId))
        {
            var owner = await GrainFactory.GetGrain<IKeyClaimGrain>(ClaimKeys.Seed(seedKey)).ResolveAsync();
            throw new ConflictException(
                "seed.already_loaded", $"The seed '{seedKey}' is already loaded as workshop '{owner}'; it is not loaded twice.");
        }

        var codes = new Dictionary<Role, string>();
        foreach (var role in Enum.GetValues<Role>())
        {
            codes[role] = await ClaimNewCodeAsync();
        }

        var (creator, rejoinKey) = NewParticipant(creatorName, Role.Facilitator, creatorDelegation?.Id, creatorLanguage, null, null, joined: true);
        state.State = new WorkshopState
        {
            Created = true,
            Title = valid.Title,
            Venue = valid.Venue,
            StartsOn = valid.StartsOn,
            EndsOn = valid.EndsOn,
            Languages = valid.Languages,
            CreatedAt = clock.GetUtcNow(),
            Version = 1,
            Organisers = valid.Organisers,
            Funders = valid.Funders,
            Delegations = valid.Delegations,
            Agenda = valid.Agenda,
            Themes = valid.Themes,
            Participants = new() { [creator.Id] = creator },
            JoinCodes = codes,
            SeedKey = seedKey,
        };

        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            // Nobody may see a workshop that was not stored: forget it and give the claims back.
            state.State = new WorkshopState();
            DeactivateOnIdle();
            foreach (var code in codes.Values)
            {
                await GrainFactory.GetGrain<IKeyClaimGrain>(ClaimKeys.JoinCode(code)).ReleaseAsync(WorkshopId);
            }

            if (seedKey is not null)
            {
                await GrainFactory.GetGrain<IKeyClaimGrain>(ClaimKeys.Seed(seedKey)).ReleaseAsync(WorkshopId);
            }

            throw;
        }

        LogCreated(logger, WorkshopId, seedKey);
        return new WorkshopCreated(View(), JoinCodes(), new Joined(WorkshopId, ViewOf(creator, withEmail: true), rejoinKey, Rejoined: false));
    }

    Task<WorkshopView> IWorkshopGrain.GetAsync(Caller caller)
    {
        EnsureMember(caller);
        return Task.FromResult(View());
    }

    async Task<WorkshopView> IWorkshopGrain.UpdateAsync(UpdateWorkshop command)
    {
        EnsureFacilitator(command.Caller);
        var valid = WorkshopRules.Normalize(
            command.Title, command.Venue, command.StartsOn, command.EndsOn, command.Languages,
            command.Organisers ?? state.State.Organisers, command.Funders ?? state.State.Funders,
            command.Delegations ?? state.State.Delegations, command.Agenda ?? state.State.Agenda, options,
            command.Themes ?? state.State.Themes);
        if (command.ExpectedVersion is { } expected && expected != state.State.Version)
        {
            throw new ConflictException(
                "workshop.version_conflict", $"The workshop changed since version {expected} (it is at {state.State.Version}); reload and apply your change again.");
        }

        if (state.State.LiveSessionId is { } live && valid.Agenda.All(s => s.Id != live))
        {
            throw new ConflictException("session.live", $"Session '{live}' is live; end it before removing it from the agenda.");
        }

        // A session that has run keeps its place: its groups, notes and announcements belong to it.
        var ran = state.State.StartedSessions.Append(state.State.ActivePhase?.SessionId).OfType<string>();
        if (ran.FirstOrDefault(id => state.State.Agenda.Any(s => s.Id == id) && valid.Agenda.All(s => s.Id != id)) is { } started)
        {
            throw new ConflictException("session.started", $"Session '{started}' has already run; it stays on the agenda.");
        }

        if (state.State.Participants.Values.FirstOrDefault(p => !p.Removed && p.Delegation is { } d && valid.Delegations.All(x => x.Id != d)) is { } orphan)
        {
            throw new ConflictException(
                "delegation.in_use", $"Delegation '{orphan.Delegation}' has participants (e.g. {orphan.Name}); it cannot be removed.");
        }

        await WriteAsync(s =>
        {
            s.Title = valid.Title;
            s.Venue = valid.Venue;
            s.StartsOn = valid.StartsOn;
            s.EndsOn = valid.EndsOn;
            s.Languages = valid.Languages;
            s.Organisers = valid.Organisers;
            s.Funders = valid.Funders;
            s.Delegations = valid.Delegations;
            s.Agenda = valid.Agenda;
            s.Themes = valid.Themes;
        });
        await NotifyChangedAsync();

        // The live session's rules changed: it puts the row now in force everywhere (one-way: it asks this grain again).
        if (state.State.ActivePhase is { Stage: PhaseStage.Live, SessionId: { } liveSession, Phase: { } phase } active
            && PhaseTable.RowOf(valid.Agenda.FirstOrDefault(s => s.Id == liveSession), phase) != active.Rule)
        {
            await GrainFactory.GetGrain<ISessionGrain>(SessionKeys.Of(WorkshopId, liveSession)).AgendaChangedAsync();
        }

        return View();
    }

    async Task<WorkshopView> IWorkshopGrain.SetGroupDocumentsAsync(SetGroupDocuments command)
    {
        EnsureFacilitator(command.Caller);
        var index = state.State.Agenda.FindIndex(s => s.Id == command.SessionId);
        if (index < 0)
        {
            throw new NotFoundException("session.not_found", $"There is no session '{WorkshopRules.Shorten(command.SessionId ?? "")}' on the agenda.");
        }

        var documents = GroupTemplates.Normalize(command.Documents, "session.group_documents_invalid", "groupDocuments");
        var current = state.State.Agenda[index];
        if (current.GroupDocuments is null ? documents is null : documents is not null && Same(current.GroupDocuments, documents))
        {
            return View();
        }

        var agenda = state.State.Agenda.ToList();
        agenda[index] = current with { GroupDocuments = documents };
        await WriteAsync(s => s.Agenda = agenda);
        await NotifyChangedAsync();
        return View();

        static bool Same(IReadOnlyList<SectionTemplate> a, IReadOnlyList<SectionTemplate> b) =>
            a.Count == b.Count && a.Zip(b).All(p => p.First.Key == p.Second.Key && p.First.Text == p.Second.Text
                && SameTexts(p.First.Titles, p.Second.Titles) && SameTexts(p.First.Guidance, p.Second.Guidance));

        static bool SameTexts(IReadOnlyDictionary<string, string>? a, IReadOnlyDictionary<string, string>? b) =>
            (a?.Count ?? 0) == (b?.Count ?? 0) && (a ?? new Dictionary<string, string>()).All(x => b!.TryGetValue(x.Key, out var y) && y == x.Value);
    }

    Task<JoinCodeInfo> IWorkshopGrain.DescribeJoinCodeAsync(string code)
    {
        EnsureCreated();
        var normal = ClaimKeys.NormalizeCode(code ?? "");
        var match = state.State.JoinCodes.Where(pair => pair.Value == normal).ToList();
        if (normal.Length == 0 || match.Count == 0)
        {
            throw new UnauthenticatedException("join.code_invalid", "This join code is not valid (it may have been replaced); ask the facilitator for the current one.");
        }

        var view = View();
        return Task.FromResult(new JoinCodeInfo(view.Title, view.Languages, view.Delegations, match[0].Key));
    }

    async Task<Joined> IWorkshopGrain.JoinAsync(JoinWorkshop command)
    {
        EnsureCreated();
        var code = ClaimKeys.NormalizeCode(command.Code);
        var role = state.State.JoinCodes.FirstOrDefault(pair => pair.Value == code).Key;
        if (code.Length == 0 || !state.State.JoinCodes.ContainsValue(code))
        {
            throw new UnauthenticatedException("join.code_invalid", "This join code is not valid (it may have been replaced); ask the facilitator for the current one.");
        }

        if (!string.IsNullOrWhiteSpace(command.RejoinKey))
        {
            // Issued keys have 16 characters; anything much longer is not one of them and is not hashed.
            var hash = command.RejoinKey.Length <= MaxRejoinKeyLength ? Hash(command.RejoinKey.Trim()) : "";
            var same = state.State.Participants.Values.FirstOrDefault(p => p.RejoinKeyHash == hash)
                ?? throw new UnauthenticatedException("join.rejoin_key_invalid", "This personal rejoin key is not known in this workshop.");
            if (same.Removed)
            {
                throw new UnauthenticatedException("auth.revoked", "You were removed from this workshop.");
            }

            return new Joined(WorkshopId, ViewOf(same, withEmail: true), command.RejoinKey.Trim(), Rejoined: true);
        }

        var name = WorkshopRules.PersonName(command.DisplayName, "displayName", options);
        var delegation = WorkshopRules.FindDelegation(state.State.Delegations, command.Delegation);
        var key = WorkshopRules.NameKey(name);
        var existing = state.State.Participants.Values.FirstOrDefault(p => !p.Removed && WorkshopRules.NameKey(p.Name) == key);
        ParticipantRecord joined;
        string rejoinKey;
        if (existing is { Joined: false })
        {
            // A roster entry: the first person to join under that name with the code of that role claims it.
            if (existing.Role != role)
            {
                throw new ForbiddenException(
                    "join.role_mismatch", $"{existing.Name} is on the roster as {existing.Role.ToString().ToLowerInvariant()}; join with that role's code.");
            }

            var ownDelegation = existing.Delegation ?? delegation?.Id;
            var language = WorkshopRules.Language(
                command.Language ?? existing.Language, state.State.Delegations.FirstOrDefault(d => d.Id == ownDelegation), state.State.Languages);
            rejoinKey = NewRejoinKey();
            joined = existing with { Joined = true, Delegation = ownDelegation, Language = language, RejoinKeyHash = Hash(rejoinKey) };
        }
        else if (existing is not null)
        {
            throw new ConflictException(
                "participant.name_taken",
                $"Someone named {existing.Name} has already joined. To join from another device, use your personal rejoin key; otherwise add something to your name.");
        }
        else
        {
            EnsureRoom(1);
            var language = WorkshopRules.Language(command.Language, delegation, state.State.Languages);
            (joined, rejoinKey) = NewParticipant(name, role, delegation?.Id, language, null, null, joined: true);
        }

        await WriteAsync(s => s.Participants[joined.Id] = joined);
        await NotifyChangedAsync();
        return new Joined(WorkshopId, ViewOf(joined, withEmail: true), rejoinKey, Rejoined: false);
    }

    Task<ParticipantView> IWorkshopGrain.AuthenticateAsync(string participantId)
    {
        if (!state.State.Created || !state.State.Participants.TryGetValue(participantId, out var p) || p.Removed || !p.Joined)
        {
            throw new UnauthenticatedException("auth.revoked", "This sign-in is no longer valid for the workshop; join again.");
        }

        return Task.FromResult(ViewOf(p, withEmail: false));
    }

    Task<IReadOnlyList<ParticipantView>> IWorkshopGrain.GetRosterAsync(Caller caller)
    {
        EnsureMember(caller);
        IReadOnlyList<ParticipantView> roster = state.State.Participants.Values
            .Where(p => !p.Removed)
            .OrderBy(p => p.Name, StringComparer.CurrentCultureIgnoreCase)
            .Select(p => ViewOf(p, caller.EditsEverywhere))
            .ToList();
        return Task.FromResult(roster);
    }

    async Task<RosterImported> IWorkshopGrain.ImportRosterAsync(ImportRoster command)
    {
        EnsureFacilitator(command.Caller);
        var plan = PlanRoster(command.Entries);
        if (plan.FirstOrDefault(r => r.Error is not null) is { Error: { } error })
        {
            throw error;
        }

        var added = plan.Count(r => r.Added);
        EnsureRoom(added);
        if (plan.Count > 0)
        {
            await WriteAsync(s =>
            {
                foreach (var change in plan)
                {
                    s.Participants[change.Record!.Id] = change.Record;
                }
            });
            await NotifyChangedAsync();
        }

        return new RosterImported(added, plan.Count - added, state.State.Participants.Values.Count(p => !p.Removed));
    }

    Task<RosterPreview> IWorkshopGrain.PreviewRosterAsync(ImportRoster command)
    {
        EnsureFacilitator(command.Caller);
        var plan = PlanRoster(command.Entries);
        var added = plan.Count(r => r.Added);
        var updated = plan.Count(r => r is { Added: false, Error: null });
        var total = state.State.Participants.Values.Count(p => !p.Removed) + added;
        var rows = plan.Select(r => r.Error is { } e
            ? new RosterPreviewRow(r.Line, r.Entry.Name, r.Entry.Role, r.Entry.Delegation, r.Entry.Group, "error", e.Code, e.Message)
            : new RosterPreviewRow(
                r.Line, r.Record!.Name, r.Record.Role, state.State.Delegations.FirstOrDefault(d => d.Id == r.Record.Delegation)?.Name,
                r.Record.Group, r.Added ? "add" : "update", null, null)).ToList();
        var full = total > options.MaxParticipants ? "workshop.full" : null;
        return Task.FromResult(new RosterPreview(added, updated, total, rows, full));
    }

    /// <summary>One row of a roster import: the record it stores (and whether it is new), or why it is refused.</summary>
    private sealed record RosterRow(int Line, RosterEntry Entry, ParticipantRecord? Record, bool Added, ValidationFailedException? Error);

    /// <summary>Checks every row against the roster as it is and against the rows before it; stores nothing.</summary>
    private List<RosterRow> PlanRoster(IReadOnlyList<RosterEntry> entries)
    {
        // Names stored before keys folded look-alikes together may share a key now: the first one stands for it.
        var byName = new Dictionary<string, ParticipantRecord>();
        foreach (var participant in state.State.Participants.Values.Where(p => !p.Removed))
        {
            byName.TryAdd(WorkshopRules.NameKey(participant.Name), participant);
        }

        var seen = new HashSet<string>();
        var plan = new List<RosterRow>();
        var row = 1;
        foreach (var entry in entries)
        {
            row++;
            var line = row;
            try
            {
                var name = RowRule(line, () => WorkshopRules.PersonName(entry.Name, "name", options));
                var key = WorkshopRules.NameKey(name);
                if (!seen.Add(key))
                {
                    throw new ValidationFailedException("roster.duplicate_name", $"Line {line}: {name} is listed twice.", "roster");
                }

                var email = RowRule(line, () => WorkshopRules.Email(entry.Email));
                var delegation = RowRule(line, () => WorkshopRules.FindDelegation(state.State.Delegations, entry.Delegation));
                var language = RowRule(line, () => WorkshopRules.Language(entry.Language, delegation, state.State.Languages));
                var group = string.IsNullOrWhiteSpace(entry.Group) ? null : RowRule(line, () => WorkshopRules.PersonName(entry.Group, "group", options));
                if (byName.TryGetValue(key, out var known))
                {
                    if (known.Joined && known.Role != entry.Role)
                    {
                        throw new ValidationFailedException(
                            "roster.role_change", $"Line {line}: {name} has joined as {known.Role.ToString().ToLowerInvariant()}; their role cannot change.", "roster");
                    }

                    plan.Add(new RosterRow(line, entry, known with { Email = email, Delegation = delegation?.Id, Language = language, Group = group, Role = entry.Role }, false, null));
                }
                else
                {
                    plan.Add(new RosterRow(line, entry, NewParticipant(name, entry.Role, delegation?.Id, language, email, group, joined: false).Record, true, null));
                }
            }
            catch (ValidationFailedException refused)
            {
                plan.Add(new RosterRow(line, entry, null, false, refused));
            }
        }

        return plan;
    }

    async Task<RejoinKeyReset> IWorkshopGrain.ResetRejoinKeyAsync(ResetRejoinKey command)
    {
        EnsureFacilitator(command.Caller);
        if (!state.State.Participants.TryGetValue(command.ParticipantId, out var p) || p.Removed)
        {
            throw new NotFoundException("participant.not_found", $"There is no participant '{command.ParticipantId}' in this workshop.");
        }

        if (!p.Joined)
        {
            throw new ConflictException(
                "participant.not_joined", $"{p.Name} has not joined yet: they join with the join code of their role and their name, and get their own key.");
        }

        var key = NewRejoinKey();
        await WriteAsync(s => s.Participants[p.Id] = p with { RejoinKeyHash = Hash(key) });
        LogRejoinKeyReset(logger, WorkshopId, p.Id);
        return new RejoinKeyReset(p.Id, key);
    }

    async Task IWorkshopGrain.RemoveParticipantAsync(RemoveParticipant command)
    {
        EnsureFacilitator(command.Caller);
        if (!state.State.Participants.TryGetValue(command.ParticipantId, out var p) || p.Removed)
        {
            throw new NotFoundException("participant.not_found", $"There is no participant '{command.ParticipantId}' in this workshop.");
        }

        if (p.Id == command.Caller.ParticipantId)
        {
            throw new ConflictException("participant.cannot_remove_self", "A facilitator cannot remove themselves.");
        }

        await WriteAsync(s => s.Participants[p.Id] = p with { Removed = true });
        LogRemoved(logger, WorkshopId, p.Id);
        await _observers.Notify(o => o.ParticipantRemoved(WorkshopId, p.Id));
        if (state.State.LiveSessionId is { } live)
        {
            await GrainFactory.GetGrain<ISessionGrain>(SessionKeys.Of(WorkshopId, live)).ForgetParticipantAsync(p.Id);
        }

        await NotifyChangedAsync();
    }

    Task<IReadOnlyList<JoinCode>> IWorkshopGrain.GetJoinCodesAsync(Caller caller)
    {
        EnsureFacilitator(caller);
        return Task.FromResult(JoinCodes());
    }

    async Task<JoinCode> IWorkshopGrain.RotateJoinCodeAsync(RotateJoinCode command)
    {
        EnsureFacilitator(command.Caller);
        if (!Enum.IsDefined(command.Role))
        {
            throw new ValidationFailedException("join.role_invalid", $"'{command.Role}' is not a role.", "role");
        }

        var old = state.State.JoinCodes[command.Role];
        var code = await ClaimNewCodeAsync();
        await WriteAsync(s => s.JoinCodes[command.Role] = code);
        await GrainFactory.GetGrain<IKeyClaimGrain>(ClaimKeys.JoinCode(old)).ReleaseAsync(WorkshopId);
        return new JoinCode(command.Role, code);
    }

    async Task<WorkshopDocument> IWorkshopGrain.AddDocumentAsync(AddDocument command)
    {
        EnsureMember(command.Caller);
        if (state.State.Documents.Count >= MaxPlenaryDocuments)
        {
            throw new ConflictException("workshop.too_many_documents", $"A workshop has at most {MaxPlenaryDocuments} plenary documents.");
        }

        // A title is shown beside everyone's names: the same clean text (the document checks its length).
        var title = command.Title is { Length: > WorkshopRules.MaxRawTextLength } tooLong
            ? tooLong
            : WorkshopRules.CleanText(command.Title, "title", "document.title");
        var docId = $"{WorkshopId}.plenary.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";
        var view = await GrainFactory.GetGrain<Documents.IDocumentGrain>(docId).CreateAsync(new Documents.CreateDocument(
            title, command.Text, command.Caller, SessionKeys.Plenary, null, PhaseTable.PlenaryNotes(ActivePhase)));
        var document = new WorkshopDocument(docId, view.Title, SessionKeys.Plenary);
        await WriteAsync(s => s.Documents = [.. s.Documents, document]);
        await NotifyChangedAsync();
        return document;
    }

    async Task<ActivePhase> IWorkshopGrain.ClaimLiveSessionAsync(string sessionId, bool live, string? phase)
    {
        EnsureCreated();
        var current = state.State.ActivePhase;
        ActivePhase next;
        if (live)
        {
            if (state.State.LiveSessionId is { } other && other != sessionId)
            {
                throw new ConflictException("session.another_live", $"Session '{other}' is live; end it before starting '{sessionId}'.");
            }

            var agenda = state.State.Agenda.FirstOrDefault(s => s.Id == sessionId);
            var inPhase = phase ?? agenda?.Phases.FirstOrDefault() ?? "share";
            next = new ActivePhase(PhaseStage.Live, sessionId, inPhase, PhaseTable.RowOf(agenda, inPhase), 0);
        }
        else if (state.State.LiveSessionId == sessionId)
        {
            next = new ActivePhase(PhaseStage.Ended, sessionId, null, PhaseTable.Closed, 0);
        }
        else
        {
            // Not the live session (any more): nothing to release.
            next = ActivePhase with { Version = 0 };
        }

        var liveSession = live ? sessionId : state.State.LiveSessionId == sessionId ? null : state.State.LiveSessionId;
        if (next != ActivePhase with { Version = 0 } || liveSession != state.State.LiveSessionId)
        {
            var changed = next with { Version = (current?.Version ?? 0) + 1 };
            await WriteAsync(s =>
            {
                s.LiveSessionId = liveSession;
                s.ActivePhase = changed;
                if (live && !s.StartedSessions.Contains(sessionId))
                {
                    s.StartedSessions = [.. s.StartedSessions, sessionId];
                }
            });
            await ApplyToPlenaryAsync();
            await NotifyChangedAsync();
        }
        else
        {
            // The same again (a command sent again after it failed half way): make sure the documents have it.
            await ApplyToPlenaryAsync();
        }

        return ActivePhase;
    }

    Task IWorkshopGrain.SubscribeAsync(IWorkshopObserver observer) => _observers.SubscribeAsync(observer);

    Task IWorkshopGrain.UnsubscribeAsync(IWorkshopObserver observer) => _observers.UnsubscribeAsync(observer);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // The web nodes an earlier activation pushed to (removals above all) are pushed to from now on.
        _observers.Restore();
        return Task.CompletedTask;
    }

    /// <summary>The row of the phase table in force for the plenary's documents and the recommendations.</summary>
    private ActivePhase ActivePhase => state.State.ActivePhase ?? PhaseTable.Preparation;

    /// <summary>What people may do with the plenary's documents follows the active phase.</summary>
    private Task ApplyToPlenaryAsync()
    {
        var command = new Documents.SetAccessPolicy(WorkshopId, PhaseTable.PlenaryNotes(ActivePhase));
        return Task.WhenAll(state.State.Documents.Select(d => GrainFactory.GetGrain<Documents.IDocumentGrain>(d.DocId).SetAccessPolicyAsync(command)));
    }

    /// <summary>Validate → write → notify: applies a change to a copy, stores it, and only then makes it current.</summary>
    private async Task WriteAsync(Action<WorkshopState> change)
    {
        var previous = state.State;
        var next = new WorkshopState
        {
            Created = previous.Created,
            Title = previous.Title,
            Venue = previous.Venue,
            StartsOn = previous.StartsOn,
            EndsOn = previous.EndsOn,
            Languages = previous.Languages,
            CreatedAt = previous.CreatedAt,
            Version = previous.Version + 1,
            Organisers = previous.Organisers,
            Funders = previous.Funders,
            Delegations = previous.Delegations,
            Agenda = previous.Agenda,
            Participants = new Dictionary<string, ParticipantRecord>(previous.Participants),
            JoinCodes = new Dictionary<Role, string>(previous.JoinCodes),
            LiveSessionId = previous.LiveSessionId,
            SeedKey = previous.SeedKey,
            Documents = previous.Documents,
            ActivePhase = previous.ActivePhase,
            StartedSessions = previous.StartedSessions,
            Themes = previous.Themes,
        };
        change(next);
        await state.ReplaceAsync(next);
    }

    private Task NotifyChangedAsync()
    {
        var view = View();
        return _observers.Notify(o => o.WorkshopChanged(view));
    }

    private async Task<string> ClaimNewCodeAsync()
    {
        // 10 characters of a 32-letter alphabet: 50 bits, so guessing a code is hopeless even without a rate limit.
        for (var attempt = 0; ; attempt++)
        {
            var code = string.Create(ClaimKeys.CodeLength, 0, static (chars, _) =>
            {
                for (var i = 0; i < chars.Length; i++)
                {
                    chars[i] = ClaimKeys.CodeAlphabet[RandomNumberGenerator.GetInt32(ClaimKeys.CodeAlphabet.Length)];
                }
            });
            if (await GrainFactory.GetGrain<IKeyClaimGrain>(ClaimKeys.JoinCode(code)).ClaimAsync(WorkshopId) || attempt > 5)
            {
                return code;
            }
        }
    }

    private static (ParticipantRecord Record, string RejoinKey) NewParticipant(
        string name, Role role, string? delegation, string language, string? email, string? group, bool joined)
    {
        var id = "p-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        var rejoinKey = NewRejoinKey();
        return (new ParticipantRecord(id, name, role, delegation, language, email, group, joined, joined ? Hash(rejoinKey) : null, Removed: false), rejoinKey);
    }

    private static string NewRejoinKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(12)).Replace('+', '-').Replace('/', '_');

    private static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    private static T RowRule<T>(int row, Func<T> rule)
    {
        try
        {
            return rule();
        }
        catch (ValidationFailedException e)
        {
            throw new ValidationFailedException(e.Code.Replace("participant.", "roster.", StringComparison.Ordinal), $"Line {row}: {e.Message}", "roster");
        }
    }

    private void EnsureRoom(int added)
    {
        if (state.State.Participants.Values.Count(p => !p.Removed) + added > options.MaxParticipants)
        {
            throw new ConflictException("workshop.full", $"A workshop has at most {options.MaxParticipants} participants.");
        }
    }

    private void EnsureCreated()
    {
        if (!state.State.Created)
        {
            throw new NotFoundException("workshop.not_found", $"There is no workshop '{WorkshopId}'.");
        }
    }

    /// <summary>Callers of another workshop learn nothing, not even that this one exists.</summary>
    private void EnsureMember(Caller caller)
    {
        if (!state.State.Created || caller.WorkshopId != WorkshopId)
        {
            throw new NotFoundException("workshop.not_found", $"There is no workshop '{WorkshopId}'.");
        }
    }

    private void EnsureFacilitator(Caller caller)
    {
        EnsureMember(caller);
        if (caller.Role != Role.Facilitator)
        {
            throw new ForbiddenException("workshop.facilitators_only", "Only facilitators change the workshop, its roster and its join codes.");
        }
    }

    private IReadOnlyList<JoinCode> JoinCodes() =>
        [.. state.State.JoinCodes.OrderByDescending(pair => pair.Key).Select(pair => new JoinCode(pair.Key, pair.Value))];

    private static ParticipantView ViewOf(ParticipantRecord p, bool withEmail) =>
        new(p.Id, p.Name, p.Role, p.Delegation, p.Language, withEmail ? p.Email : null, p.Group, p.Joined);

    private WorkshopView View() => new(
        WorkshopId,
        state.State.Title,
        state.State.Venue,
        state.State.StartsOn,
        state.State.EndsOn,
        state.State.Languages,
        state.State.CreatedAt,
        state.State.Version,
        state.State.Organisers,
        state.State.Funders,
        state.State.Delegations,
        [.. state.State.Agenda.Select(s => s with { PhaseRules = PhaseTable.Table(s) })],
        state.State.LiveSessionId,
        state.State.Participants.Values.Count(p => !p.Removed),
        state.State.SeedKey,
        state.State.Documents,
        ActivePhase,
        state.State.Themes);

    [LoggerMessage(Level = LogLevel.Information, Message = "Workshop {WorkshopId} created (seed {SeedKey})")]
    private static partial void LogCreated(ILogger logger, string workshopId, string? seedKey);

    [LoggerMessage(Level = LogLevel.Information, Message = "Workshop {WorkshopId}: rejoin key of participant {ParticipantId} replaced")]
    private static partial void LogRejoinKeyReset(ILogger logger, string workshopId, string participantId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Workshop {WorkshopId}: participant {ParticipantId} removed")]
    private static partial void LogRemoved(ILogger logger, string workshopId, string participantId);
}
