using Collab.Documents;
using Collab.Errors;
using Collab.Recommendations;
using Collab.Sessions;
using Collab.Storage;
using Collab.Workshops;
using Microsoft.Extensions.Logging;

namespace Collab.Outcome;

/// <summary>
/// Assembles the outcome from the grains that own each part (workshop, sessions and their groups, documents, the
/// recommendation board and each adopted recommendation) and keeps the index of published versions. Each version's
/// frozen document lives in its own <see cref="IPublishedOutcomeGrain"/>: publishing writes it first, then the index,
/// then tells subscribers, so a version nobody can read is never announced.
/// </summary>
internal sealed class OutcomeGrain(
    [PersistentState("outcome")] IPersistentState<OutcomeState> state,
    [PersistentState("outcome-observers")] IPersistentState<ObserverSetState<IOutcomeObserver>> observers,
    WorkshopOptions options,
    TimeProvider clock,
    ILogger<OutcomeGrain> logger) : Grain, IOutcomeGrain
{
    private const int MaxVersions = 100;
    private const int MaxNameLength = 100;

    /// <summary>The order of a group's notes in the annexes: its report first, then the template's sections.</summary>
    private const string GroupReport = "group-report";

    private readonly DurableObservers<IOutcomeObserver> _observers = new(observers, options.ObserverExpiry, logger);

    private string WorkshopId => this.GetPrimaryKeyString();

    private IWorkshopGrain Workshop => GrainFactory.GetGrain<IWorkshopGrain>(WorkshopId);

    async Task<OutcomeDocument> IOutcomeGrain.GetCurrentAsync(Caller caller)
    {
        var workshop = await Workshop.GetAsync(caller);
        EnsureRapporteur(caller);
        return await AssembleAsync(caller, workshop, version: null, clock.GetUtcNow());
    }

    async Task<OutcomeVersionView> IOutcomeGrain.PublishAsync(PublishOutcome command)
    {
        var caller = command.Caller;
        var workshop = await Workshop.GetAsync(caller);
        EnsureRapporteur(caller);

        var name = command.Name is { Length: > MaxNameLength * 8 } raw ? raw : WorkshopRules.CleanText(command.Name, "name", "outcome.version_name") ?? "";
        if (name.Length is 0 or > MaxNameLength)
        {
            throw new ValidationFailedException("outcome.version_name_invalid", $"A version's name has 1 to {MaxNameLength} characters.", "name");
        }

        var id = OutcomeSlug.Of(name);
        if (id.Length == 0)
        {
            throw new ValidationFailedException("outcome.version_name_invalid", "A version's name needs at least one letter or digit.", "name");
        }

        if (id == "current")
        {
            throw new ValidationFailedException("outcome.version_name_reserved", "'Current' means the live state; give the version another name.", "name");
        }

        if (state.State.Versions.Any(v => v.Id == id))
        {
            throw new ConflictException("outcome.version_exists", $"A version '{id}' is already published; published versions never change. Give this one another name.");
        }

        if (state.State.Versions.Count >= MaxVersions)
        {
            throw new ConflictException("outcome.too_many_versions", $"A workshop keeps at most {MaxVersions} published versions.");
        }

        var now = clock.GetUtcNow();
        var version = new OutcomeVersionView(id, name, now, caller.DisplayName, caller.ParticipantId);
        var document = await AssembleAsync(caller, workshop, version, now);

        await GrainFactory.GetGrain<IPublishedOutcomeGrain>(VersionKey(id)).StoreAsync(document);
        await state.ReplaceAsync(new OutcomeState { Versions = [.. state.State.Versions, version] });
        await _observers.Notify(o => o.OutcomePublished(new OutcomePublished(WorkshopId, version)));
        return version;
    }

    async Task<IReadOnlyList<OutcomeVersionView>> IOutcomeGrain.GetVersionsAsync(Caller caller)
    {
        await Workshop.GetAsync(caller);
        return state.State.Versions;
    }

    async Task<OutcomeDocument> IOutcomeGrain.GetVersionAsync(Caller caller, string version)
    {
        await Workshop.GetAsync(caller);
        var wanted = (version ?? "").Trim();
        var found = state.State.Versions.FirstOrDefault(v => v.Id == wanted || v.Id == OutcomeSlug.Of(wanted))
            ?? throw new NotFoundException("outcome.version_not_found", $"No version '{wanted}' of the outcome has been published.");
        return await GrainFactory.GetGrain<IPublishedOutcomeGrain>(VersionKey(found.Id)).GetAsync()
            ?? throw new UnavailableException("outcome.version_missing", $"Version '{found.Id}' is listed but its document cannot be read.");
    }

    Task IOutcomeGrain.SubscribeAsync(IOutcomeObserver observer) => _observers.SubscribeAsync(observer);

    Task IOutcomeGrain.UnsubscribeAsync(IOutcomeObserver observer) => _observers.UnsubscribeAsync(observer);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // The web nodes an earlier activation pushed to are pushed to from now on.
        _observers.Restore();
        return Task.CompletedTask;
    }

    private string VersionKey(string versionId) => WorkshopId + "/" + versionId;

    private static void EnsureRapporteur(Caller caller)
    {
        if (!caller.EditsEverywhere)
        {
            throw new ForbiddenException("outcome.rapporteurs_only", "Only rapporteurs and facilitators export the working state and publish versions; everyone may read published versions.");
        }
    }

    /// <summary>Reads every part as <paramref name="caller"/> sees it now and puts the outcome together.</summary>
    private async Task<OutcomeDocument> AssembleAsync(Caller caller, WorkshopView workshop, OutcomeVersionView? version, DateTimeOffset asOf)
    {
        var sessions = new List<(AgendaSession Agenda, SessionView View)>();
        foreach (var agenda in workshop.Agenda)
        {
            var view = await GrainFactory.GetGrain<ISessionGrain>(SessionKeys.Of(WorkshopId, agenda.Id)).GetAsync(caller);
            sessions.Add((agenda, view));
        }

        // Where every note lives, to say where a recommendation came from.
        var places = new Dictionary<string, NotePlace>(StringComparer.Ordinal);
        var annexes = new List<OutcomeAnnex>();
        foreach (var (agenda, view) in sessions)
        {
            foreach (var group in view.Breakouts?.Groups ?? [])
            {
                var notes = new List<OutcomeNote>();
                foreach (var document in group.Documents.OrderBy(d => d.Section == GroupReport ? 0 : 1))
                {
                    var title = workshop.Languages.Select(l => new LocalizedText(l, document.Titles.GetValueOrDefault(l) ?? document.Titles.Values.FirstOrDefault() ?? document.Section)).ToList();
                    places[document.DocId] = new NotePlace(group.Name, agenda.Title, title);
                    notes.Add(new OutcomeNote(document.Section, title, await TextOfAsync(caller, document.DocId)));
                }

                annexes.Add(new OutcomeAnnex(group.Name, agenda.Title, notes, Forms(workshop.Languages, agenda.Title, agenda.Titles)));
            }
        }

        var plenary = new List<OutcomeNote>();
        foreach (var document in workshop.Documents)
        {
            var title = new List<LocalizedText> { new(workshop.Languages[0], document.Title ?? document.DocId) };
            places[document.DocId] = new NotePlace("", null, title);
            plenary.Add(new OutcomeNote("note", title, await TextOfAsync(caller, document.DocId)));
        }

        if (plenary.Count > 0)
        {
            annexes.Add(new OutcomeAnnex("", null, plenary));
        }

        var board = await GrainFactory.GetGrain<IRecommendationBoardGrain>(WorkshopId).GetAsync(caller);
        var all = board.Themes.SelectMany(t => t.Recommendations).ToList();
        var status = all.ToDictionary(r => r.Id, r => r.Status, StringComparer.Ordinal);
        var voters = workshop.Delegations.ToDictionary(d => d.Id, d => d.Name, StringComparer.Ordinal);

        var themes = new List<OutcomeTheme>();
        var number = 0;
        foreach (var theme in board.Themes)
        {
            var adopted = new List<OutcomeRecommendation>();
            foreach (var summary in theme.Recommendations.Where(r => r.Status == RecommendationStatus.Adopted))
            {
                var view = await GrainFactory.GetGrain<IRecommendationGrain>(WorkshopId + "/" + summary.Id).GetAsync(caller);
                adopted.Add(await RecommendationAsync(caller, ++number, view, places, voters, all));
            }

            if (adopted.Count > 0)
            {
                themes.Add(new OutcomeTheme(theme.Theme, adopted, ThemeNames(workshop, theme.Theme)));
            }
        }

        var outcomeSessions = sessions.Select(s =>
        {
            var rooms = (s.View.Breakouts?.Groups ?? []).Select(g => g.Room).ToHashSet(StringComparer.Ordinal);
            var proposed = all.Where(r => rooms.Contains(r.Origin) && r.Status != RecommendationStatus.Draft).ToList();
            var adopted = proposed.Count(r => r.Status == RecommendationStatus.Adopted
                || (r.MergedInto is { } into && status.GetValueOrDefault(into) == RecommendationStatus.Adopted));
            return new OutcomeSession(
                s.Agenda.Id, s.Agenda.Day, s.Agenda.Title, s.Agenda.Kind, s.Agenda.StartsAt, s.Agenda.EndsAt, s.View.Status,
                [.. (s.View.Breakouts?.Groups ?? []).Select(g => g.Name)], proposed.Count, adopted,
                Forms(workshop.Languages, s.Agenda.Title, s.Agenda.Titles));
        }).ToList();

        return new OutcomeDocument(
            WorkshopId, workshop.Title, workshop.Venue, workshop.StartsOn, workshop.EndsOn, workshop.Languages,
            workshop.Organisers, workshop.Funders,
            [.. workshop.Delegations.Select(d => new OutcomeDelegation(d.Id, d.Name, d.Kind, Forms(workshop.Languages, d.Name, d.Names)))],
            outcomeSessions, themes, annexes, version, asOf);
    }

    /// <summary>A name in every working language, the first language's being <paramref name="name"/>; null when only that one was given.</summary>
    private static List<LocalizedText>? Forms(IReadOnlyList<string> languages, string name, IReadOnlyDictionary<string, string>? forms) =>
        forms is { Count: > 0 }
            ? [.. languages.Select(l => new LocalizedText(l, forms.GetValueOrDefault(l) ?? name))]
            : null;

    /// <summary>The organisers' names of a recommendations' theme, found by any of its forms.</summary>
    private static List<LocalizedText>? ThemeNames(WorkshopView workshop, string theme)
    {
        if (theme.Length == 0)
        {
            return null;
        }

        var key = WorkshopRules.NameKey(theme);
        var named = (workshop.Themes ?? []).FirstOrDefault(t =>
            WorkshopRules.NameKey(t.Name) == key || (t.Names ?? new Dictionary<string, string>()).Values.Any(n => WorkshopRules.NameKey(n) == key));
        return named is null ? null : Forms(workshop.Languages, named.Name, named.Names ?? new Dictionary<string, string>());
    }

    private async Task<OutcomeRecommendation> RecommendationAsync(
        Caller caller, int number, RecommendationView view, Dictionary<string, NotePlace> places,
        Dictionary<string, string> voters, List<RecommendationSummary> all)
    {
        var texts = new List<OutcomeText>();
        foreach (var text in view.Texts.OrderBy(t => t.OfRecord ? 0 : 1))
        {
            texts.Add(new OutcomeText(text.Language, await TextOfAsync(caller, text.DocId), text.OfRecord, !text.OfRecord && text.StaleParagraphs.Count > 0));
        }

        var sources = view.Provenance.Select(p =>
        {
            var place = places.GetValueOrDefault(p.DocId) ?? new NotePlace("", null, [new LocalizedText("", p.DocId)]);
            return new OutcomeSource(place.Place, place.Session, place.Note, p.Anchor is { Collapsed: false } anchor ? anchor.Text : "");
        }).ToList();

        var reservations = view.Endorsements
            .Where(e => e.Stance == Stance.Reservation)
            .OrderBy(e => e.Voter, StringComparer.Ordinal)
            .Select(e => new OutcomeReservation(voters.GetValueOrDefault(e.Voter) ?? e.ByName, e.Reservation ?? ""))
            .ToList();

        var titles = all.ToDictionary(r => r.Id, r => r.Title, StringComparer.Ordinal);
        var mergedFrom = view.MergedFrom.Select(id => titles.GetValueOrDefault(id) ?? id).ToList();
        var forms = view.Titles is { Count: > 0 } translated
            ? new Dictionary<string, string>(translated) { [view.LanguageOfRecord] = view.Title }
            : null;
        return new OutcomeRecommendation(
            number, view.Id, view.Title, view.LanguageOfRecord, texts, sources, reservations, mergedFrom, view.Origin,
            Forms([.. view.Texts.Select(t => t.Language)], view.Title, forms));
    }

    private async Task<string> TextOfAsync(Caller caller, string docId) =>
        (await GrainFactory.GetGrain<IDocumentGrain>(docId).GetTextAsync(caller)).Text;

    private sealed record NotePlace(string Place, string? Session, IReadOnlyList<LocalizedText> Note);
}

/// <summary>A frozen version, written once by <see cref="OutcomeGrain"/>.</summary>
internal sealed class PublishedOutcomeGrain([PersistentState("published")] IPersistentState<PublishedOutcomeState> state) : Grain, IPublishedOutcomeGrain
{
    Task IPublishedOutcomeGrain.StoreAsync(OutcomeDocument document) =>
        state.ReplaceAsync(new PublishedOutcomeState { Document = document });

    Task<OutcomeDocument?> IPublishedOutcomeGrain.GetAsync() => Task.FromResult(state.State.Document);
}
