using Collab.Errors;
using Collab.Sessions;
using Collab.Storage;
using Collab.Workshops;
using Microsoft.Extensions.Logging;

namespace Collab.Recommendations;

/// <summary>
/// A workshop's recommendations side by side: ids, summaries by theme, likely duplicates (found by a
/// <see cref="DuplicateDetector"/>), merges and the adoption rule. Summaries are a read model fed by the
/// recommendations themselves; each push carries the recommendation's version, so an older one never overwrites a
/// newer one.
/// </summary>
internal sealed class RecommendationBoardGrain(
    [PersistentState("board")] IPersistentState<BoardState> state,
    [PersistentState("board-observers")] IPersistentState<ObserverSetState<IRecommendationObserver>> observers,
    WorkshopOptions options,
    ILogger<RecommendationBoardGrain> logger) : Grain, IRecommendationBoardGrain
{
    private const int MaxRecommendations = 500;

    /// <summary>Recommendations told of a phase change at once.</summary>
    private const int PhaseFanOut = 32;
    private readonly DurableObservers<IRecommendationObserver> _observers = new(observers, options.ObserverExpiry, logger);

    // Kept in memory beside the summaries it was fed (never persisted); null until the board is first read.
    private DuplicateDetector? _duplicates;

    private string WorkshopId => this.GetPrimaryKeyString();

    async Task<RecommendationView> IRecommendationBoardGrain.ProposeAsync(ProposeRecommendation command)
    {
        var workshop = await GrainFactory.GetGrain<IWorkshopGrain>(WorkshopId).GetAsync(command.Caller);
        if (command.Caller.Role == Role.Observer)
        {
            throw new ForbiddenException("recommendation.read_only", "Observers read recommendations but do not propose them.");
        }

        var phase = workshop.ActivePhase ?? PhaseTable.Preparation;
        PhaseTable.EnsureAllowed(phase, command.Caller, PhaseTable.Command.Propose);
        return await CreateAsync(new CreateRecommendation(command, workshop.Languages, [], [], phase));
    }

    async Task<BoardView> IRecommendationBoardGrain.GetAsync(Caller caller)
    {
        await GrainFactory.GetGrain<IWorkshopGrain>(WorkshopId).GetAsync(caller);
        var summaries = state.State.Summaries.Values.OrderBy(s => Number(s.Id)).ToList();
        var themes = summaries
            .GroupBy(s => s.Theme ?? "")
            .OrderBy(g => g.Key, StringComparer.CurrentCultureIgnoreCase)
            .Select(g => new BoardTheme(g.Key, [.. g]))
            .ToList();
        return new BoardView(WorkshopId, themes, Duplicates().Find(), state.State.Rule ?? AdoptionRule.Default);
    }

    async Task<RecommendationView> IRecommendationBoardGrain.MergeAsync(MergeRecommendations command)
    {
        var caller = command.Caller;
        var workshop = await GrainFactory.GetGrain<IWorkshopGrain>(WorkshopId).GetAsync(caller);
        if (caller.Role != Role.Facilitator)
        {
            throw new ForbiddenException("recommendation.merge_forbidden", "Only facilitators merge recommendations.");
        }

        var sources = (command.Sources ?? []).Distinct(StringComparer.Ordinal).ToList();
        if (sources.Count < 2 || sources.Count > 20)
        {
            throw new ValidationFailedException("merge.sources_invalid", "Merge between 2 and 20 different recommendations.", "sources");
        }

        // Read every source first: nothing is created unless all of them can be merged.
        var views = new List<RecommendationView>();
        foreach (var id in sources)
        {
            var view = await Recommendation(id).GetAsync(caller);
            if (view.Status is not (RecommendationStatus.Draft or RecommendationStatus.Proposed or RecommendationStatus.InReview))
            {
                throw new ConflictException("merge.source_closed", $"Recommendation {id} is {view.Status.ToString().ToLowerInvariant()}; only open ones are merged.");
            }

            views.Add(view);
        }

        // The facilitator's prepared text (in its language), or else the sources' texts one after the other.
        var language = command.Language ?? views[0].LanguageOfRecord;
        var text = command.Text;
        if (text is null)
        {
            var texts = new List<string>();
            foreach (var view in views)
            {
                var ofRecord = view.Texts.First(t => t.OfRecord);
                var document = GrainFactory.GetGrain<Documents.IDocumentGrain>(ofRecord.DocId);
                texts.Add((await document.GetTextAsync(caller)).Text.Trim());
            }

            text = string.Join("\n\n", texts);
        }

        var provenance = views.SelectMany(v => v.Provenance.Select(p => new ProvenanceLink(p.DocId, p.AnchorId, p.ViaRecommendation ?? v.Id))).ToList();
        var merged = await CreateAsync(new CreateRecommendation(
            new ProposeRecommendation(caller, command.Title, command.Theme ?? views[0].Theme, text, language, "plenary", []),
            workshop.Languages,
            provenance,
            sources,
            workshop.ActivePhase));
        foreach (var id in sources)
        {
            await Recommendation(id).MergedIntoAsync(caller, merged.Id);
        }

        return merged;
    }

    async Task<AdoptionRule> IRecommendationBoardGrain.SetRuleAsync(Caller caller, AdoptionRule rule)
    {
        await GrainFactory.GetGrain<IWorkshopGrain>(WorkshopId).GetAsync(caller);
        if (caller.Role != Role.Facilitator)
        {
            throw new ForbiddenException("recommendation.rule_forbidden", "Only facilitators set how recommendations are adopted.");
        }

        if (!Enum.IsDefined(rule.Kind) || double.IsNaN(rule.Threshold) || rule.Threshold <= 0 || rule.Threshold > 1)
        {
            throw new ValidationFailedException("rule.invalid", "The rule is consensus or majority with a threshold above 0 and at most 1 (e.g. 0.67).", "threshold");
        }

        var changed = rule != (state.State.Rule ?? AdoptionRule.Default);
        var next = Copy();
        next.Rule = rule;
        await state.ReplaceAsync(next);
        if (changed)
        {
            // Every tally (and whether it allows adoption) follows the rule: each recommendation publishes its row
            // again, so that every open board shows the new count at once. One-way: the answer does not wait for them.
            foreach (var id in state.State.Summaries.Keys)
            {
                await Recommendation(id).RuleChangedAsync();
            }
        }

        return rule;
    }

    Task<AdoptionRule> IRecommendationBoardGrain.GetRuleAsync() => Task.FromResult(state.State.Rule ?? AdoptionRule.Default);

    async Task IRecommendationBoardGrain.PhaseChangedAsync(ActivePhase phase)
    {
        // Every id handed out, created or not (a creation that failed leaves none; the grain ignores the call): a
        // recommendation whose summary has not reached the board yet is one of them. A few at a time.
        var ids = Enumerable.Range(1, state.State.Next).Select(n => $"r{n}").ToList();
        foreach (var chunk in ids.Chunk(PhaseFanOut))
        {
            await Task.WhenAll(chunk.Select(id => Recommendation(id).PhaseChangedAsync(phase)));
        }
    }

    async Task IRecommendationBoardGrain.ChangedAsync(RecommendationSummary summary)
    {
        if (state.State.Summaries.TryGetValue(summary.Id, out var known) && known.Version > summary.Version)
        {
            return;
        }

        var next = Copy();
        next.Summaries = new Dictionary<string, RecommendationSummary>(next.Summaries) { [summary.Id] = summary };
        await state.ReplaceAsync(next);
        _duplicates?.Track(summary);
        await _observers.Notify(o => o.RecommendationChanged(summary));
    }

    Task IRecommendationBoardGrain.SubscribeAsync(IRecommendationObserver observer) => _observers.SubscribeAsync(observer);

    Task IRecommendationBoardGrain.UnsubscribeAsync(IRecommendationObserver observer) => _observers.UnsubscribeAsync(observer);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // The web nodes an earlier activation pushed to are pushed to from now on.
        _observers.Restore();
        return Task.CompletedTask;
    }

    private async Task<RecommendationView> CreateAsync(CreateRecommendation command)
    {
        if (state.State.Next >= MaxRecommendations)
        {
            throw new ConflictException("recommendation.too_many", $"A workshop has at most {MaxRecommendations} recommendations.");
        }

        // A number is taken (stored) once its recommendation exists: a refused proposal (a bad title, an unknown
        // language, a source out of range…) leaves it free for the next one, so ids have no gaps people wonder about.
        // A fault may have left part of a creation behind: that number is taken and never handed out again, and a
        // number a faulted attempt did create (recommendation.already_exists) is skipped.
        for (var attempt = 0; ; attempt++)
        {
            var id = $"r{state.State.Next + 1}";
            try
            {
                var created = await Recommendation(id).CreateAsync(command);
                await TakeNumberAsync();
                return created;
            }
            catch (ConflictException e) when (e.Code == "recommendation.already_exists" && attempt < 3)
            {
                await TakeNumberAsync();
            }
            catch (Exception e) when (e is not CollabException || e is UnavailableException)
            {
                await TakeNumberAsync();
                throw;
            }
        }
    }

    private async Task TakeNumberAsync()
    {
        if (state.State.Next >= MaxRecommendations)
        {
            throw new ConflictException("recommendation.too_many", $"A workshop has at most {MaxRecommendations} recommendations.");
        }

        var next = Copy();
        next.Next = state.State.Next + 1;
        await state.ReplaceAsync(next);
    }

    private IRecommendationGrain Recommendation(string id) => GrainFactory.GetGrain<IRecommendationGrain>($"{WorkshopId}/{id}");

    private BoardState Copy() => new() { Next = state.State.Next, Rule = state.State.Rule, Summaries = state.State.Summaries };

    private static int Number(string id) => int.TryParse(id.AsSpan(1), out var n) ? n : int.MaxValue;

    private DuplicateDetector Duplicates()
    {
        if (_duplicates is null)
        {
            _duplicates = new DuplicateDetector();
            foreach (var summary in state.State.Summaries.Values)
            {
                _duplicates.Track(summary);
            }
        }

        return _duplicates;
    }
}

/// <summary>Persisted state of <see cref="RecommendationBoardGrain"/>. Never renumber the ids.</summary>
[GenerateSerializer, Alias("collab.BoardState")]
internal sealed class BoardState
{
    [Id(0)] public int Next { get; set; }
    [Id(1)] public AdoptionRule? Rule { get; set; }
    [Id(2)] public Dictionary<string, RecommendationSummary> Summaries { get; set; } = [];
}
