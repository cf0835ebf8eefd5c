using System.Security.Cryptography;
using System.Text;
using Collab.Documents;
using Collab.Errors;
using Collab.Hosting;
using Collab.Sessions;
using Collab.Storage;
using Collab.Text;
using Microsoft.Extensions.Logging;

namespace Collab.Recommendations;

/// <summary>
/// A recommendation. Its texts are ordinary documents (one per working language) sequenced by their own grains; this
/// grain owns what surrounds them: status and its rules, provenance and comment anchors (kept by the documents, which
/// move them with every op), suggestions applied through the sequencer, endorsements, and translation sync marks.
/// </summary>
internal sealed partial class RecommendationGrain(
    [PersistentState("recommendation")] IPersistentState<RecommendationState> state,
    TimeProvider clock,
    ILogger<RecommendationGrain> logger) : Grain, IRecommendationGrain, IMayNotExist
{
    private const int MaxTitleLength = 200;
    private const int MaxNoteLength = 2_000;
    private const int MaxProvenance = 50;
    private const int MaxComments = 500;

    bool IMayNotExist.Exists => state.State.Created;

    /// <summary>
    /// An entry as it is read: entries stored before entries said what they record have no <see cref="StatusChange.Event"/>;
    /// their first one (draft → draft, note "proposed") was the proposal.
    /// </summary>
    private static StatusChange HistoryEntry(StatusChange change, int index) => change.Event switch
    {
        StatusChange.Proposed or StatusChange.Changed => change,
        _ when index == 0 && change.From == change.To && change.Note == "proposed" => change with { Note = null, Event = StatusChange.Proposed },
        _ => change with { Event = StatusChange.Changed },
    };

    private string WorkshopId => Key[0];

    private string RecommendationId => Key[1];

    private string[] Key => this.GetPrimaryKeyString().Split('/');

    /// <summary>The grain acting on its own documents, after it checked the person asking.</summary>
    private Caller System => new("collab", "Collab", WorkshopId, Role.Facilitator);

    async Task<RecommendationView> IRecommendationGrain.CreateAsync(CreateRecommendation command)
    {
        var proposal = command.Proposal;
        EnsureWorkshop(proposal.Caller);
        if (state.State.Created)
        {
            throw new ConflictException("recommendation.already_exists", $"Recommendation '{RecommendationId}' already exists.");
        }

        if (proposal.Caller.Role == Role.Observer)
        {
            throw new ForbiddenException("recommendation.read_only", "Observers read recommendations but do not propose them.");
        }

        var title = Clean(Name(proposal.Title, "title"), "title", MaxTitleLength, required: true)!;
        var theme = Clean(Name(proposal.Theme, "theme"), "theme", 80, required: false);
        var origin = Clean(Name(proposal.Origin, "origin"), "origin", 100, required: false) ?? "plenary";
        var language = (proposal.Language ?? command.Languages[0]).Trim().ToLowerInvariant();
        if (!command.Languages.Contains(language))
        {
            throw new ValidationFailedException(
                "recommendation.language_unsupported", $"'{Workshops.WorkshopRules.Shorten(language)}' is not a working language ({string.Join(", ", command.Languages)}).", "language");
        }

        var titles = TitlesOf(proposal.Titles, command.Languages, language, title);
        if ((proposal.Provenance?.Count ?? 0) + command.InheritedProvenance.Count > MaxProvenance)
        {
            throw new ValidationFailedException("recommendation.too_much_provenance", $"At most {MaxProvenance} source passages.", "provenance");
        }

        // Provenance first: anchoring validates every source range (workshop, revision, bounds) before anything exists.
        // Anchor ids of this attempt only: a refused attempt's anchors (a later source was out of range) are never
        // mistaken for those of the next proposal, which may get the same number (the board hands out refused numbers again).
        var provenance = new List<ProvenanceLink>(command.InheritedProvenance);
        var index = 0;
        var attempt = Convert.ToHexStringLower(global::System.Security.Cryptography.RandomNumberGenerator.GetBytes(4));
        foreach (var source in proposal.Provenance ?? [])
        {
            var anchorId = $"rec.{RecommendationId}.p{index++}.{attempt}";
            await GrainFactory.GetGrain<IDocumentGrain>(source.DocId)
                .AnchorAsync(new CreateAnchor(proposal.Caller, anchorId, source.Start, source.End, source.Revision));
            provenance.Add(new ProvenanceLink(source.DocId, anchorId, null));
        }

        var phase = command.Phase ?? PhaseTable.Preparation;
        var policy = PhaseTable.RecommendationText(phase, RecommendationStatus.Draft, translationToFix: false);
        var documents = new Dictionary<string, string>();
        foreach (var lang in command.Languages)
        {
            var docId = $"{WorkshopId}.rec.{RecommendationId}.{lang}";
            var document = GrainFactory.GetGrain<IDocumentGrain>(docId);
            try
            {
                await document.CreateAsync(new CreateDocument(
                    $"{title} ({lang})", lang == language ? proposal.Text : null, System, "recommendations", null, policy));
            }
            catch (ConflictException e) when (e.Code == "document.already_exists")
            {
                // A retry after a fault: the document from the first attempt is this recommendation's.
                await document.SetAccessPolicyAsync(new SetAccessPolicy(WorkshopId, policy));
            }

            await document.SetListenerAsync(WorkshopId, this.GetPrimaryKeyString());
            documents[lang] = docId;
        }

        var now = clock.GetUtcNow();
        var next = new RecommendationState
        {
            Created = true,
            Title = title,
            Theme = theme,
            Origin = origin,
            Status = RecommendationStatus.Draft,
            LanguageOfRecord = language,
            Documents = documents,
            Provenance = provenance,
            MergedFrom = [.. command.MergedFrom],
            AuthorId = proposal.Caller.ParticipantId,
            Version = 1,
            Languages = [.. command.Languages],
            Phase = phase,
            OwnsAccess = true,
            Titles = titles,
            // The proposal itself, recorded as such (not as a status change draft → draft).
            History = [new StatusChange(RecommendationStatus.Draft, RecommendationStatus.Draft, proposal.Caller.ParticipantId, proposal.Caller.DisplayName, now, null, StatusChange.Proposed)],
        };
        await state.ReplaceAsync(next);
        LogCreated(logger, WorkshopId, RecommendationId, provenance.Count);
        return await PublishAsync(proposal.Caller);
    }

    async Task<RecommendationView> IRecommendationGrain.GetAsync(Caller caller)
    {
        EnsureVisible(caller);
        return await ViewAsync(caller);
    }

    async Task<RecommendationView> IRecommendationGrain.AddSourceAsync(AddSource command)
    {
        var caller = command.Caller;
        EnsureVisible(caller);
        if (caller.Role == Role.Observer)
        {
            throw new ForbiddenException("recommendation.read_only", "Observers read recommendations but do not add sources to them.");
        }

        // A source is part of proposing: the phases that close proposing close it too (phase.propose_closed).
        PhaseTable.EnsureAllowed(Phase, caller, PhaseTable.Command.Propose);
        EnsureOpen();
        if (state.State.Provenance.Count >= MaxProvenance)
        {
            throw new ValidationFailedException("recommendation.too_much_provenance", $"At most {MaxProvenance} source passages.", "provenance");
        }

        // The proposal's own passages are numbered from 0 and inherited ones carry another recommendation's id, so the
        // count is a fresh number; a retry after a fault anchors the same id again, which the document answers unchanged.
        var source = command.Source;
        var anchorId = $"rec.{RecommendationId}.{state.State.Provenance.Count}";
        await GrainFactory.GetGrain<IDocumentGrain>(source.DocId)
            .AnchorAsync(new CreateAnchor(caller, anchorId, source.Start, source.End, source.Revision));
        var link = new ProvenanceLink(source.DocId, anchorId, null);
        await WriteAsync(s => s.Provenance = [.. s.Provenance, link]);
        return await PublishAsync(caller);
    }

    async Task<RecommendationView> IRecommendationGrain.TransitionAsync(Transition command)
    {
        var caller = command.Caller;
        EnsureVisible(caller);
        var from = state.State.Status;
        var to = command.To;
        var isAuthor = caller.ParticipantId == state.State.AuthorId;
        var allowed = (from, to) switch
        {
            (RecommendationStatus.Draft, RecommendationStatus.Proposed) => isAuthor || caller.EditsEverywhere,
            (RecommendationStatus.Proposed, RecommendationStatus.InReview) => caller.Role == Role.Facilitator,
            (RecommendationStatus.Proposed or RecommendationStatus.InReview, RecommendationStatus.Adopted or RecommendationStatus.Rejected) =>
                caller.Role == Role.Facilitator,
            (RecommendationStatus.Draft or RecommendationStatus.Proposed or RecommendationStatus.InReview, RecommendationStatus.Withdrawn) =>
                isAuthor || caller.Role == Role.Facilitator,
            _ => throw new ConflictException(
                "recommendation.invalid_transition", $"A recommendation that is {Name(from)} cannot become {Name(to)}."),
        };
        if (!allowed)
        {
            throw new ForbiddenException(
                "recommendation.transition_forbidden", $"Your role cannot make a {Name(from)} recommendation {Name(to)} (facilitators adopt, reject and review; authors propose and withdraw).");
        }

        var note = Clean(command.Note, "note", MaxNoteLength, required: false);
        if (to == RecommendationStatus.Adopted && !(await TallyAsync()).Adoptable)
        {
            var rule = await Board.GetRuleAsync();
            throw new ConflictException(
                "recommendation.not_adoptable",
                rule.Kind == AdoptionKind.Consensus
                    ? "Adoption by consensus needs at least one voice in favour and no objection."
                    : $"Adoption needs {rule.Threshold:P0} of the voices in favour.");
        }

        // The texts follow the status before it is stored (in review participants suggest; final, nobody edits but
        // fixers of an adopted text's stale translations): nobody is told of a status whose texts still take edits.
        await ApplyAccessAsync(to, Phase, state.State.Synced);
        var change = new StatusChange(from, to, caller.ParticipantId, caller.DisplayName, clock.GetUtcNow(), note);
        await WriteAsync(s =>
        {
            s.Status = to;
            s.History = [.. s.History, change];
            s.OwnsAccess = true;
        });
        return await PublishAsync(caller);
    }

    async Task<RecommendationView> IRecommendationGrain.EndorseAsync(Endorse command)
    {
        var caller = command.Caller;
        EnsureVisible(caller);
        if (caller.Role == Role.Observer)
        {
            throw new ForbiddenException("endorsement.observers_cannot_vote", "Observers do not endorse or object.");
        }

        PhaseTable.EnsureAllowed(Phase, caller, PhaseTable.Command.Endorse);

        if (state.State.Status is not (RecommendationStatus.Proposed or RecommendationStatus.InReview))
        {
            throw new ConflictException(
                "endorsement.closed", $"Endorsements are taken while a recommendation is proposed or in review; this one is {Name(state.State.Status)}.");
        }

        var rule = await Board.GetRuleAsync();
        string voter;
        if (rule.PerDelegation)
        {
            if (caller.Delegation is null)
            {
                throw new ForbiddenException("endorsement.no_delegation", "Voices are cast per delegation, and you joined without one.");
            }

            if (command.Delegation is { } claimed && !string.Equals(claimed, caller.Delegation, StringComparison.OrdinalIgnoreCase))
            {
                throw new ForbiddenException("endorsement.other_delegation", $"You speak for delegation '{caller.Delegation}', not '{claimed}'.");
            }

            voter = caller.Delegation;
        }
        else
        {
            voter = "p:" + caller.ParticipantId;
        }

        var reservation = Clean(command.Reservation, "reservation", MaxNoteLength, required: command.Stance == Stance.Reservation);
        if (!Enum.IsDefined(command.Stance))
        {
            throw new ValidationFailedException("endorsement.stance_invalid", "Give support, reservation, objection or abstain.", "stance");
        }

        var endorsement = new EndorsementView(voter, caller.ParticipantId, caller.DisplayName, command.Stance,
            command.Stance == Stance.Reservation ? reservation : null, clock.GetUtcNow());
        await WriteAsync(s => s.Endorsements = new Dictionary<string, EndorsementView>(s.Endorsements) { [voter] = endorsement });
        return await PublishAsync(caller);
    }

    async Task<RecommendationView> IRecommendationGrain.CommentAsync(AddComment command)
    {
        var caller = command.Caller;
        EnsureContributor(caller);
        PhaseTable.EnsureAllowed(Phase, caller, PhaseTable.Command.Comment);
        if (state.State.Comments.Count >= MaxComments)
        {
            throw new ConflictException("comment.too_many", $"A recommendation holds at most {MaxComments} comments.");
        }

        var text = Clean(command.Text, "text", MaxNoteLength, required: true)!;
        var docId = DocumentOf(command.Language);
        var id = NewId("c");
        await GrainFactory.GetGrain<IDocumentGrain>(docId).AnchorAsync(new CreateAnchor(caller, $"rec.{RecommendationId}.{id}", command.Start, command.End, command.Revision));
        var comment = new CommentRecord(id, command.Language.ToLowerInvariant(), $"rec.{RecommendationId}.{id}", caller.ParticipantId, caller.DisplayName, text, clock.GetUtcNow(), [], false);
        await WriteAsync(s => s.Comments = [.. s.Comments, comment]);
        return await PublishAsync(caller);
    }

    async Task<RecommendationView> IRecommendationGrain.ReplyAsync(ReplyToComment command)
    {
        var caller = command.Caller;
        EnsureContributor(caller);
        PhaseTable.EnsureAllowed(Phase, caller, PhaseTable.Command.Comment);
        var comment = FindComment(command.CommentId);
        var text = Clean(command.Text, "text", MaxNoteLength, required: true)!;
        var reply = new ReplyView(caller.ParticipantId, caller.DisplayName, text, clock.GetUtcNow());
        await WriteAsync(s => s.Comments = [.. s.Comments.Select(c => c.Id == comment.Id ? c with { Replies = [.. c.Replies, reply] } : c)]);
        return await PublishAsync(caller);
    }

    async Task<RecommendationView> IRecommendationGrain.ResolveCommentAsync(ResolveComment command)
    {
        var caller = command.Caller;
        EnsureContributor(caller);
        var comment = FindComment(command.CommentId);
        if (comment.AuthorId != caller.ParticipantId && !caller.EditsEverywhere)
        {
            throw new ForbiddenException("comment.resolve_forbidden", "Only the comment's author, facilitators and rapporteurs resolve or reopen it.");
        }

        await WriteAsync(s => s.Comments = [.. s.Comments.Select(c => c.Id == comment.Id ? c with { Resolved = command.Resolved } : c)]);
        return await PublishAsync(caller);
    }

    async Task<RecommendationView> IRecommendationGrain.SuggestAsync(Suggest command)
    {
        var caller = command.Caller;
        EnsureContributor(caller);
        PhaseTable.EnsureAllowed(Phase, caller, PhaseTable.Command.Suggest);
        EnsureOpen();
        var replacement = command.Replacement ?? "";
        if (replacement.Length > 10_000)
        {
            throw new ValidationFailedException("suggestion.too_long", "A suggestion replaces a passage with at most 10,000 characters.", "replacement");
        }

        var note = Clean(command.Note, "note", MaxNoteLength, required: false);
        var docId = DocumentOf(command.Language);
        var id = NewId("s");
        var anchorId = $"rec.{RecommendationId}.{id}";
        await GrainFactory.GetGrain<IDocumentGrain>(docId).AnchorAsync(new CreateAnchor(caller, anchorId, command.Start, command.End, command.Revision));
        var suggestion = new SuggestionRecord(
            id, command.Language.ToLowerInvariant(), anchorId, replacement, note, caller.ParticipantId, caller.DisplayName, clock.GetUtcNow(),
            SuggestionStatus.Open, null, null, null);
        await WriteAsync(s => s.Suggestions = [.. s.Suggestions, suggestion]);
        return await PublishAsync(caller);
    }

    async Task<RecommendationView> IRecommendationGrain.DecideSuggestionAsync(DecideSuggestion command)
    {
        var caller = command.Caller;
        EnsureVisible(caller);
        if (!caller.EditsEverywhere && caller.ParticipantId != state.State.AuthorId)
        {
            throw new ForbiddenException("suggestion.decide_forbidden", "The recommendation's author, facilitators and rapporteurs decide on suggestions.");
        }

        var suggestion = state.State.Suggestions.FirstOrDefault(s => s.Id == command.SuggestionId)
            ?? throw new NotFoundException("suggestion.not_found", $"There is no suggestion '{command.SuggestionId}'.");
        if (suggestion.Status != SuggestionStatus.Open)
        {
            throw new ConflictException("suggestion.decided", $"Suggestion '{suggestion.Id}' was already {suggestion.Status.ToString().ToLowerInvariant()}.");
        }

        int? applied = null;
        if (command.Accept)
        {
            // Accepting changes the text: as suggesting, the phase must allow it (rejecting changes nothing).
            PhaseTable.EnsureAllowed(Phase, caller, PhaseTable.Command.Suggest);
            EnsureOpen();
            applied = await ApplyAsync(suggestion, caller);
        }

        var decided = suggestion with
        {
            Status = command.Accept ? SuggestionStatus.Accepted : SuggestionStatus.Rejected,
            DecidedBy = caller.DisplayName,
            DecidedAt = clock.GetUtcNow(),
            AppliedAtRevision = applied,
        };
        await WriteAsync(s => s.Suggestions = [.. s.Suggestions.Select(x => x.Id == decided.Id ? decided : x)]);
        return await PublishAsync(caller);
    }

    async Task<RecommendationView> IRecommendationGrain.MarkInSyncAsync(MarkInSync command)
    {
        var caller = command.Caller;
        EnsureContributor(caller);
        var language = command.Language.Trim().ToLowerInvariant();
        DocumentOf(language);
        if (language == state.State.LanguageOfRecord)
        {
            throw new ValidationFailedException("translation.is_record", $"'{language}' is the language of record; mark a translation.", "language");
        }

        if (IsFinal(state.State.Status) && !caller.EditsEverywhere)
        {
            // Marking an adopted text's translation in sync ends its fixing: theirs who fix it.
            throw new ForbiddenException(
                "translation.sync_forbidden", $"This recommendation is {Name(state.State.Status)}; rapporteurs and facilitators mark its translations in sync.");
        }

        var hashes = Paragraphs((await TextAsync(state.State.LanguageOfRecord)).Text).Select(Hash).ToList();
        var synced = new Dictionary<string, List<string>>(state.State.Synced) { [language] = hashes };

        // An adopted text's translation in sync is locked again before anyone is told so (flags change nobody's access otherwise).
        if (state.State.Status == RecommendationStatus.Adopted)
        {
            await ApplyAccessAsync(state.State.Status, Phase, synced);
        }

        await WriteAsync(s =>
        {
            s.Synced = synced;
            s.OwnsAccess = true;
        });
        return await PublishAsync(caller);
    }

    async Task<RecommendationView> IRecommendationGrain.SetTitleAsync(SetTitle command)
    {
        var caller = command.Caller;
        EnsureContributor(caller);
        var language = (command.Language ?? "").Trim().ToLowerInvariant();
        DocumentOf(language);
        var isAuthor = caller.ParticipantId == state.State.AuthorId;
        if (!caller.EditsEverywhere && !(isAuthor && !IsFinal(state.State.Status)))
        {
            throw new ForbiddenException(
                "recommendation.title_forbidden", "The author changes the title while the recommendation is open; rapporteurs and facilitators at any time.");
        }

        if (language == state.State.LanguageOfRecord)
        {
            EnsureOpen();
            var title = Clean(Name(command.Title, "title"), "title", MaxTitleLength, required: true)!;
            if (title != state.State.Title)
            {
                await WriteAsync(s => s.Title = title);
            }

            return await PublishAsync(caller);
        }

        if (state.State.Status == RecommendationStatus.Merged)
        {
            throw new ConflictException("recommendation.closed", "This recommendation was merged into another; its titles no longer change.");
        }

        var translation = Clean(Name(command.Title, "title"), "title", MaxTitleLength, required: false);
        var known = state.State.Titles.GetValueOrDefault(language);
        if (translation is null ? known is not null : known is null || known.Title != translation || known.OfRecord != state.State.Title)
        {
            await WriteAsync(s =>
            {
                var titles = new Dictionary<string, TitleTranslation>(s.Titles);
                if (translation is null)
                {
                    titles.Remove(language);
                }
                else
                {
                    titles[language] = new TitleTranslation(translation, s.Title);
                }

                s.Titles = titles;
            });
        }

        return await PublishAsync(caller);
    }

    async Task<RecommendationView> IRecommendationGrain.MergedIntoAsync(Caller caller, string recommendationId)
    {
        EnsureVisible(caller);
        EnsureOpen();
        await ApplyAccessAsync(RecommendationStatus.Merged, Phase, state.State.Synced);
        var change = new StatusChange(state.State.Status, RecommendationStatus.Merged, caller.ParticipantId, caller.DisplayName, clock.GetUtcNow(), $"merged into {recommendationId}");
        await WriteAsync(s =>
        {
            s.Status = RecommendationStatus.Merged;
            s.MergedInto = recommendationId;
            s.History = [.. s.History, change];
            s.OwnsAccess = true;
        });
        return await PublishAsync(caller);
    }

    async Task<RecommendationDiff> IRecommendationGrain.DiffAsync(Caller caller, string language, int fromRevision, int toRevision)
    {
        EnsureVisible(caller);
        var document = GrainFactory.GetGrain<IDocumentGrain>(DocumentOf(language));
        if (toRevision < fromRevision)
        {
            throw new ValidationFailedException("diff.range_invalid", "The diff's end revision is before its start.", "to");
        }

        var from = await document.GetTextAtRevisionAsync(caller, fromRevision);
        var to = await document.GetTextAtRevisionAsync(caller, toRevision);
        var ops = await document.GetOpsAsync(caller, fromRevision, toRevision);
        var changes = new List<TextChange>();
        var text = from.Text;
        foreach (var op in ops)
        {
            var (inserted, deleted) = Describe(text, op.Op);
            changes.Add(new TextChange(op.Revision, op.AuthorId, op.AuthorName, op.CommittedAt, inserted, deleted));
            text = TextOt.Apply(text, op.Op);
        }

        return new RecommendationDiff(language.ToLowerInvariant(), fromRevision, toRevision, from.Text, to.Text, changes);
    }

    async Task IRecommendationGrain.RuleChangedAsync()
    {
        // Same version, new tally: the board stores and pushes it (it drops only older versions).
        if (state.State.Created)
        {
            await Board.ChangedAsync(await SummaryAsync());
        }
    }

    async Task IRecommendationGrain.PhaseChangedAsync(ActivePhase phase)
    {
        if (!state.State.Created || (state.State.Phase is { } known && known.Version > phase.Version))
        {
            return;
        }

        // The same phase again still reaches the texts: a phase change that failed half way is sent again.
        await ApplyAccessAsync(state.State.Status, phase, state.State.Synced);
        if (phase != state.State.Phase || !state.State.OwnsAccess)
        {
            // Nothing anyone reads of the recommendation changed: its version stays.
            await WriteAsync(
                s =>
                {
                    s.Phase = phase;
                    s.OwnsAccess = true;
                },
                newVersion: false);
        }
    }

    async Task IDocumentListener.DocumentCommittedAsync(string docId, int revision)
    {
        // Only the text of record can make translations stale; the board shows that flag (and the excerpt) live.
        if (state.State.Created && state.State.Documents.GetValueOrDefault(state.State.LanguageOfRecord) == docId)
        {
            await Board.ChangedAsync(await SummaryAsync());
        }
    }

    /// <summary>Applies an accepted suggestion where its passage is now, through the document's sequencer (exactly once).</summary>
    private async Task<int> ApplyAsync(SuggestionRecord suggestion, Caller decider)
    {
        var document = GrainFactory.GetGrain<IDocumentGrain>(state.State.Documents[suggestion.Language]);
        var anchor = (await document.GetAnchorsAsync(System, [suggestion.AnchorId])).Single();
        var length = (await document.GetTextAtRevisionAsync(System, anchor.Revision)).Text.Length;
        var components = new List<OpComponent>();
        if (anchor.Start > 0)
        {
            components.Add(OpComponent.Retain(anchor.Start));
        }

        if (anchor.End > anchor.Start)
        {
            components.Add(OpComponent.Delete(anchor.End - anchor.Start));
        }

        if (suggestion.Replacement.Length > 0)
        {
            components.Add(OpComponent.Insert(suggestion.Replacement));
        }

        if (length > anchor.End)
        {
            components.Add(OpComponent.Retain(length - anchor.End));
        }

        if (components.All(c => c.Kind == OpKind.Retain))
        {
            return anchor.Revision;
        }

        // The decider is the op's author; the recommendation grain vouches for the edit (participants may not edit in review).
        var author = decider with { Role = Role.Facilitator };
        var result = await document.SubmitAsync(new SubmitOp(
            $"suggestion:{RecommendationId}:{suggestion.Id}", 1, anchor.Revision, new TextOperation([.. components]), author, null));
        return result.Revision;
    }

    /// <summary>The workshop's active phase as this recommendation last learnt it.</summary>
    private ActivePhase Phase => state.State.Phase ?? PhaseTable.Preparation;

    /// <summary>
    /// Writes each text's access policy for <paramref name="status"/> in <paramref name="phase"/> (the rule is
    /// <see cref="PhaseTable.RecommendationText"/>); the translations of an adopted text that are stale or were never
    /// marked in sync (by <paramref name="synced"/>) stay open to their fixers. Unchanged policies change nothing.
    /// </summary>
    private async Task ApplyAccessAsync(RecommendationStatus status, ActivePhase phase, IReadOnlyDictionary<string, List<string>> synced)
    {
        var s = state.State;
        if (!s.OwnsAccess)
        {
            // Stored before policies: the texts were locked (final) or kept from participants (in review). Undone once.
            await Task.WhenAll(s.Documents.Values.Select(async docId =>
            {
                var document = GrainFactory.GetGrain<IDocumentGrain>(docId);
                await document.SetEditorsAsync(new SetEditors(WorkshopId, null));
                if (IsFinal(s.Status))
                {
                    await document.SetLockedAsync(new SetLocked(false, System));
                }
            }));
        }

        var record = status == RecommendationStatus.Adopted ? (await TextAsync(s.LanguageOfRecord)).Text : null;
        await Task.WhenAll(s.Documents.Select(pair =>
        {
            var toFix = record is not null && pair.Key != s.LanguageOfRecord
                && (!synced.ContainsKey(pair.Key) || StaleParagraphs(synced.GetValueOrDefault(pair.Key), record).Count > 0);
            var policy = PhaseTable.RecommendationText(phase, status, toFix);
            return GrainFactory.GetGrain<IDocumentGrain>(pair.Value).SetAccessPolicyAsync(new SetAccessPolicy(WorkshopId, policy));
        }));
    }

    private async Task<RecommendationView> PublishAsync(Caller caller)
    {
        await Board.ChangedAsync(await SummaryAsync());
        return await ViewAsync(caller);
    }

    private async Task<RecommendationSummary> SummaryAsync()
    {
        var record = await TextAsync(state.State.LanguageOfRecord);
        var stale = new List<string>();
        foreach (var language in state.State.Languages.Where(l => l != state.State.LanguageOfRecord))
        {
            if (StaleParagraphs(language, record.Text).Count > 0)
            {
                stale.Add(language);
            }
        }

        var excerpt = record.Text.Length > 500 ? record.Text[..500] : record.Text;
        return new RecommendationSummary(
            WorkshopId, RecommendationId, state.State.Title, state.State.Theme, state.State.Origin, state.State.Status, excerpt,
            await TallyAsync(), stale, state.State.MergedInto, state.State.Version, TitleTexts());
    }

    private async Task<RecommendationView> ViewAsync(Caller caller)
    {
        var s = state.State;
        var record = await TextAsync(s.LanguageOfRecord);
        var anchors = new Dictionary<(string DocId, string AnchorId), AnchorView>();
        var wanted = s.Provenance.Select(p => (p.DocId, p.AnchorId))
            .Concat(s.Comments.Select(c => (s.Documents[c.Language], c.AnchorId)))
            .Concat(s.Suggestions.Select(x => (s.Documents[x.Language], x.AnchorId)));
        foreach (var byDocument in wanted.GroupBy(w => w.Item1))
        {
            foreach (var anchor in await GrainFactory.GetGrain<IDocumentGrain>(byDocument.Key)
                .GetAnchorsAsync(caller, [.. byDocument.Select(w => w.Item2).Distinct()]))
            {
                anchors[(byDocument.Key, anchor.AnchorId)] = anchor;
            }
        }

        var texts = s.Languages.Select(l => new TextOfLanguage(
            l, s.Documents[l], l == s.LanguageOfRecord, l == s.LanguageOfRecord ? [] : StaleParagraphs(l, record.Text), s.Synced.ContainsKey(l))).ToList();
        return new RecommendationView(
            WorkshopId,
            RecommendationId,
            s.Title,
            s.Theme,
            s.Origin,
            s.Status,
            s.LanguageOfRecord,
            texts,
            [.. s.Provenance.Select(p => new ProvenanceView(p.DocId, p.AnchorId, p.ViaRecommendation, anchors.GetValueOrDefault((p.DocId, p.AnchorId))))],
            [.. s.Comments.Select(c => new CommentView(
                c.Id, c.Language, anchors.GetValueOrDefault((s.Documents[c.Language], c.AnchorId)), c.AuthorId, c.AuthorName, c.Text, c.At, c.Replies, c.Resolved))],
            [.. s.Suggestions.Select(x => new SuggestionView(
                x.Id, x.Language, anchors.GetValueOrDefault((s.Documents[x.Language], x.AnchorId)), x.Replacement, x.Note, x.AuthorId, x.AuthorName, x.At,
                x.Status, x.DecidedBy, x.DecidedAt, x.AppliedAtRevision))],
            [.. s.Endorsements.Values.OrderBy(e => e.Voter, StringComparer.Ordinal)],
            await TallyAsync(),
            [.. s.History.Select((c, i) => HistoryEntry(c, i))],
            s.MergedFrom,
            s.MergedInto,
            s.AuthorId,
            s.Version,
            TitleTexts(),
            [.. s.Languages.Where(l => s.Titles.TryGetValue(l, out var t) && t.OfRecord != s.Title)]);
    }

    /// <summary>The titles in other languages, in the workshop's order of languages.</summary>
    private Dictionary<string, string> TitleTexts()
    {
        var s = state.State;
        var titles = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var language in s.Languages.Where(s.Titles.ContainsKey))
        {
            titles[language] = s.Titles[language].Title;
        }

        return titles;
    }

    /// <summary>
    /// The titles given with a proposal, checked before anything exists: working languages other than the language of
    /// record, each bounded like the title; empty ones are left out.
    /// </summary>
    private static Dictionary<string, TitleTranslation> TitlesOf(
        IReadOnlyDictionary<string, string>? given, IReadOnlyList<string> languages, string languageOfRecord, string title)
    {
        var titles = new Dictionary<string, TitleTranslation>(StringComparer.Ordinal);
        foreach (var (key, value) in given ?? new Dictionary<string, string>())
        {
            var language = (key ?? "").Trim().ToLowerInvariant();
            if (!languages.Contains(language))
            {
                throw new ValidationFailedException(
                    "recommendation.language_unsupported", $"'{Workshops.WorkshopRules.Shorten(language)}' is not a working language ({string.Join(", ", languages)}).", "titles");
            }

            if (language == languageOfRecord)
            {
                throw new ValidationFailedException(
                    "recommendation.title_of_record_in_titles", $"'{language}' is the language of record: its title is the title, not one of the titles.", "titles");
            }

            if (Clean(Name(value, "title"), "title", MaxTitleLength, required: false) is { } translation)
            {
                titles[language] = new TitleTranslation(translation, title);
            }
        }

        return titles;
    }

    private async Task<Tally> TallyAsync()
    {
        var rule = await Board.GetRuleAsync();
        var votes = state.State.Endorsements.Values
            .Where(e => rule.PerDelegation ? !e.Voter.StartsWith("p:", StringComparison.Ordinal) : e.Voter.StartsWith("p:", StringComparison.Ordinal))
            .ToList();
        int support = votes.Count(v => v.Stance == Stance.Support), reservation = votes.Count(v => v.Stance == Stance.Reservation);
        var objection = votes.Count(v => v.Stance == Stance.Objection);
        var abstain = votes.Count(v => v.Stance == Stance.Abstain);

        // Abstentions are on neither side: they neither block a consensus nor count in a majority's share.
        var favour = support + reservation;
        var adoptable = rule.Kind == AdoptionKind.Consensus
            ? favour > 0 && objection == 0
            : favour > 0 && favour >= rule.Threshold * (favour + objection);
        return new Tally(support, reservation, objection, adoptable, rule, abstain);
    }

    /// <summary>Paragraph i of a translation is stale when paragraph i of the text of record changed since it was marked in sync.</summary>
    private List<int> StaleParagraphs(string language, string recordText) => StaleParagraphs(state.State.Synced.GetValueOrDefault(language), recordText);

    private static List<int> StaleParagraphs(List<string>? synced, string recordText)
    {
        var current = Paragraphs(recordText).Select(Hash).ToList();
        return [.. Enumerable.Range(0, current.Count).Where(i => synced is null || i >= synced.Count || synced[i] != current[i])];
    }

    private Task<TextAtRevision> TextAsync(string language) =>
        GrainFactory.GetGrain<IDocumentGrain>(state.State.Documents[language]).GetTextAsync(System);

    private async Task WriteAsync(Action<RecommendationState> change, bool newVersion = true)
    {
        var next = state.State.Copy();
        change(next);
        next.Version = state.State.Version + (newVersion ? 1 : 0);
        await state.ReplaceAsync(next);
    }

    private IRecommendationBoardGrain Board => GrainFactory.GetGrain<IRecommendationBoardGrain>(WorkshopId);

    private string DocumentOf(string? language) =>
        state.State.Documents.GetValueOrDefault((language ?? "").Trim().ToLowerInvariant())
        ?? throw new ValidationFailedException(
            "recommendation.language_unsupported", $"'{language}' is not a language of this recommendation ({string.Join(", ", state.State.Languages)}).", "language");

    private CommentRecord FindComment(string commentId) =>
        state.State.Comments.FirstOrDefault(c => c.Id == commentId)
        ?? throw new NotFoundException("comment.not_found", $"There is no comment '{commentId}'.");

    private void EnsureWorkshop(Caller caller)
    {
        if (caller.WorkshopId != WorkshopId)
        {
            throw new NotFoundException("recommendation.not_found", $"There is no recommendation '{RecommendationId}'.");
        }
    }

    private void EnsureVisible(Caller caller)
    {
        EnsureWorkshop(caller);
        if (!state.State.Created)
        {
            throw new NotFoundException("recommendation.not_found", $"There is no recommendation '{RecommendationId}'.");
        }
    }

    private void EnsureContributor(Caller caller)
    {
        EnsureVisible(caller);
        if (caller.Role == Role.Observer)
        {
            throw new ForbiddenException("recommendation.read_only", "Observers read recommendations but do not comment or suggest.");
        }
    }

    private void EnsureOpen()
    {
        if (IsFinal(state.State.Status))
        {
            throw new ConflictException(
                "recommendation.closed", $"This recommendation is {Name(state.State.Status)}; its text no longer changes.");
        }
    }

    private static bool IsFinal(RecommendationStatus status) => PhaseTable.IsFinal(status);

    private static string Name(RecommendationStatus status) => status switch
    {
        RecommendationStatus.InReview => "in review",
        _ => status.ToString().ToLowerInvariant(),
    };

    private static string NewId(string prefix) => prefix + "-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(5));

    /// <summary>Paragraphs are blocks separated by a blank line; their index aligns languages.</summary>
    internal static List<string> Paragraphs(string text) =>
        [.. text.Replace("\r\n", "\n", StringComparison.Ordinal).Split("\n\n").Select(p => p.Trim()).Where(p => p.Length > 0)];

    private static string Hash(string paragraph) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(paragraph)))[..16];

    /// <summary>What an op inserted and deleted in <paramref name="text"/>.</summary>
    private static (string Inserted, string Deleted) Describe(string text, TextOperation op)
    {
        var inserted = new StringBuilder();
        var deleted = new StringBuilder();
        var at = 0;
        foreach (var c in op.Components)
        {
            switch (c.Kind)
            {
                case OpKind.Retain:
                    at += c.Count;
                    break;
                case OpKind.Insert:
                    inserted.Append(c.Text);
                    break;
                case OpKind.Delete:
                    deleted.Append(text, at, c.Count);
                    at += c.Count;
                    break;
            }
        }

        return (inserted.ToString(), deleted.ToString());
    }

    /// <summary>A title or label is shown as a name is: the same clean text (<see cref="Workshops.WorkshopRules.CleanText"/>).</summary>
    private static string? Name(string? value, string field) =>
        value is { Length: > Workshops.WorkshopRules.MaxRawTextLength } ? value : Workshops.WorkshopRules.CleanText(value, field, "recommendation." + field);

    private static string? Clean(string? value, string field, int max, bool required)
    {
        var clean = value?.Trim() ?? "";
        if (clean.Length == 0)
        {
            return required ? throw new ValidationFailedException($"recommendation.{field}_required", $"The {field} is required.", field) : null;
        }

        return clean.Length <= max
            ? clean
            : throw new ValidationFailedException($"recommendation.{field}_too_long", $"The {field} has at most {max} characters.", field);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Workshop {WorkshopId}: recommendation {RecommendationId} created with {Sources} source passages")]
    private static partial void LogCreated(ILogger logger, string workshopId, string recommendationId, int sources);
}
