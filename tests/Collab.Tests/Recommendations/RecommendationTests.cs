using System.Text.Json;
using Collab.Client;
using Collab.Documents;
using Collab.Recommendations;
using Collab.Text;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Collab.Tests.Recommendations;

/// <summary>Recommendations through the real API and hub, with real tokens, on an embedded node.</summary>
public sealed class RecommendationTests(KestrelWebNode node) : IClassFixture<KestrelWebNode>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private sealed record Room(TestWorkshop Workshop, TestWorkshop.Member Benin, TestWorkshop.Member Benin2, TestWorkshop.Member Ghana, TestWorkshop.Member Togo)
    {
        public string Facilitator => Workshop.Facilitator.Token;

        public string Path(string rest = "") => $"/api/workshops/{Workshop.Id}/recommendations{rest}";
    }

    private async Task<Room> RoomAsync()
    {
        var workshop = await TestWorkshop.CreateAsync(() => new HttpClient { BaseAddress = node.Address });
        return new Room(
            workshop,
            await workshop.JoinAsync("Awa Sow", delegation: "bj"),
            await workshop.JoinAsync("Codjo Ahou", delegation: "bj"),
            await workshop.JoinAsync("Kofi Mensah", delegation: "gh"),
            await workshop.JoinAsync("Komi Agbeko", delegation: "tg"));
    }

    private static Task<RecommendationView> ProposeAsync(Room room, string token, string text = "Create joint border committees.", object? provenance = null) =>
        room.Workshop.OkAsync<RecommendationView>(token, HttpMethod.Post, room.Path(), new
        {
            title = "Joint border committees",
            theme = "Cooperation",
            text,
            language = "en",
            origin = "plenary",
            provenance,
        });

    private static Task<RecommendationView> MoveAsync(Room room, string id, string status, string? token = null) =>
        room.Workshop.OkAsync<RecommendationView>(token ?? room.Facilitator, HttpMethod.Post, room.Path($"/{id}/status"), new { status });

    private static Task<RecommendationView> VoteAsync(Room room, string id, TestWorkshop.Member member, string stance, string? reservation = null) =>
        room.Workshop.OkAsync<RecommendationView>(member.Token, HttpMethod.Post, room.Path($"/{id}/endorsements"), new { stance, reservation });

    private static Task PhaseAsync(Room room, string phase) => Plenary.PhaseAsync(room.Workshop, phase);

    private static async Task<(CollabConnection Connection, SharedDocument Document)> OpenAsync(KestrelWebNode node, string token, string docId)
    {
        var connection = await CollabConnection.ConnectAsync(node.HubUrl, token);
        return (connection, await connection.OpenAsync(docId));
    }

    private static async Task EditAsync(SharedDocument document, Func<string, TextOperation?> edit)
    {
        document.Edit(edit);
        await document.WaitSyncedAsync(Patience);
    }

    private static TextOperation Append(string text, string more) => text.Length == 0
        ? TextOperation.Of(OpComponent.Insert(more))
        : TextOperation.Of(OpComponent.Retain(text.Length), OpComponent.Insert(more));

    [Fact]
    public async Task EachDelegationHasOneVoiceAndTheLatestCounts()
    {
        var room = await RoomAsync();
        var proposed = await ProposeAsync(room, room.Benin.Token);
        await MoveAsync(room, proposed.Id, "proposed", room.Benin.Token);
        await PhaseAsync(room, "adopt");

        await VoteAsync(room, proposed.Id, room.Benin, "objection");
        var after = await VoteAsync(room, proposed.Id, room.Benin2, "support");

        var benin = Assert.Single(after.Endorsements);
        Assert.Equal(("bj", Stance.Support, "Codjo Ahou"), (benin.Voter, benin.Stance, benin.ByName));
        Assert.Equal((1, 0, 0), (after.Tally.Support, after.Tally.Reservation, after.Tally.Objection));
    }

    [Fact]
    public async Task ParticipantCannotVoteForAnotherDelegation()
    {
        var room = await RoomAsync();
        var proposed = await ProposeAsync(room, room.Benin.Token);
        await MoveAsync(room, proposed.Id, "proposed", room.Benin.Token);
        await PhaseAsync(room, "adopt");

        var code = await room.Workshop.RejectedAsync(room.Benin.Token, HttpMethod.Post, room.Path($"/{proposed.Id}/endorsements"),
            new { stance = "support", delegation = "gh" }, 403);

        Assert.Equal("endorsement.other_delegation", code);
        Assert.Empty((await room.Workshop.OkAsync<RecommendationView>(room.Facilitator, HttpMethod.Get, room.Path($"/{proposed.Id}"))).Endorsements);
    }

    [Fact]
    public async Task ConsensusIsBlockedByOneObjectionAndReservationsAreKept()
    {
        var room = await RoomAsync();
        var proposed = await ProposeAsync(room, room.Benin.Token);
        await MoveAsync(room, proposed.Id, "proposed", room.Benin.Token);
        await PhaseAsync(room, "adopt");
        await VoteAsync(room, proposed.Id, room.Benin, "support");
        await VoteAsync(room, proposed.Id, room.Ghana, "reservation", "Subject to national legislation.");
        await VoteAsync(room, proposed.Id, room.Togo, "objection");

        var blocked = await room.Workshop.RejectedAsync(room.Facilitator, HttpMethod.Post, room.Path($"/{proposed.Id}/status"), new { status = "adopted" }, 409);
        await VoteAsync(room, proposed.Id, room.Togo, "support");
        var adopted = await MoveAsync(room, proposed.Id, "adopted");

        Assert.Equal("recommendation.not_adoptable", blocked);
        Assert.Equal(RecommendationStatus.Adopted, adopted.Status);
        Assert.Equal("Subject to national legislation.", adopted.Endorsements.Single(e => e.Voter == "gh").Reservation);
        Assert.Equal(
            [RecommendationStatus.Draft, RecommendationStatus.Proposed, RecommendationStatus.Adopted],
            adopted.History.Select(h => h.To));
    }

    [Fact]
    public async Task MajorityThresholdIsRespected()
    {
        var room = await RoomAsync();
        await room.Workshop.OkAsync<AdoptionRule>(room.Facilitator, HttpMethod.Put, room.Path("/rule"),
            new { kind = "majority", threshold = 0.66, perDelegation = true });
        var proposed = await ProposeAsync(room, room.Benin.Token);
        await MoveAsync(room, proposed.Id, "proposed", room.Benin.Token);
        await PhaseAsync(room, "adopt");
        await VoteAsync(room, proposed.Id, room.Benin, "support");
        await VoteAsync(room, proposed.Id, room.Ghana, "objection");

        // 1 of 2 is below two thirds; 2 of 3 is not.
        var half = await room.Workshop.RejectedAsync(room.Facilitator, HttpMethod.Post, room.Path($"/{proposed.Id}/status"), new { status = "adopted" }, 409);
        var twoThirds = await VoteAsync(room, proposed.Id, room.Togo, "support");
        var adopted = await MoveAsync(room, proposed.Id, "adopted");

        Assert.Equal("recommendation.not_adoptable", half);
        Assert.True(twoThirds.Tally.Adoptable);
        Assert.Equal(RecommendationStatus.Adopted, adopted.Status);
    }

    [Fact]
    public async Task OnlyFacilitatorsAdoptAndAdoptionLocksTheText()
    {
        var room = await RoomAsync();
        var proposed = await ProposeAsync(room, room.Benin.Token);
        await MoveAsync(room, proposed.Id, "proposed", room.Benin.Token);
        await PhaseAsync(room, "adopt");
        await VoteAsync(room, proposed.Id, room.Ghana, "support");

        var forbidden = await room.Workshop.RejectedAsync(room.Benin.Token, HttpMethod.Post, room.Path($"/{proposed.Id}/status"), new { status = "adopted" }, 403);
        var adopted = await MoveAsync(room, proposed.Id, "adopted");
        var (connection, document) = await OpenAsync(node, room.Benin.Token, adopted.Texts.Single(t => t.OfRecord).DocId);
        await using (connection)
        {
            var locked = await Assert.ThrowsAsync<HubException>(() => connection.Connection.InvokeAsync<JsonElement>("SubmitOp", new
            {
                docId = document.DocId, baseRevision = document.Revision, clientId = "late", clientSeq = 1L, op = new object[] { "Too late: " , document.Text.Length },
            }));
            Assert.Equal("document.status_locked", HubErrors.CodeOf(locked));
        }

        Assert.Equal("recommendation.transition_forbidden", forbidden);
        Assert.Equal("Create joint border committees.", document.Text);
    }

    [Fact]
    public async Task EditingTheTextOfRecordMarksTranslationsStaleUntilResynced()
    {
        var room = await RoomAsync();
        var proposed = await ProposeAsync(room, room.Benin.Token, "Create joint committees.\n\nTrain border officers.");
        var english = proposed.Texts.Single(t => t.Language == "en").DocId;
        var french = proposed.Texts.Single(t => t.Language == "fr").DocId;
        var (connection, record) = await OpenAsync(node, room.Benin.Token, english);
        await using var _ = connection;
        var translation = await connection.OpenAsync(french);
        await EditAsync(translation, text => Append(text, "Créer des comités conjoints.\n\nFormer les agents des frontières."));

        var synced = await room.Workshop.OkAsync<RecommendationView>(room.Benin.Token, HttpMethod.Post, room.Path($"/{proposed.Id}/translations/fr/sync"));
        await EditAsync(translation, text => Append(text, " (sic)"));
        var afterTranslationEdit = await room.Workshop.OkAsync<RecommendationView>(room.Benin.Token, HttpMethod.Get, room.Path($"/{proposed.Id}"));
        await EditAsync(record, text => Append(text, " Every year."));
        var afterRecordEdit = await room.Workshop.OkAsync<RecommendationView>(room.Benin.Token, HttpMethod.Get, room.Path($"/{proposed.Id}"));
        var resynced = await room.Workshop.OkAsync<RecommendationView>(room.Benin.Token, HttpMethod.Post, room.Path($"/{proposed.Id}/translations/fr/sync"));

        Assert.Equal([0, 1], proposed.Texts.Single(t => t.Language == "fr").StaleParagraphs);
        Assert.Empty(synced.Texts.Single(t => t.Language == "fr").StaleParagraphs);
        Assert.Empty(afterTranslationEdit.Texts.Single(t => t.Language == "fr").StaleParagraphs);
        Assert.Equal([1], afterRecordEdit.Texts.Single(t => t.Language == "fr").StaleParagraphs);
        Assert.Empty(resynced.Texts.Single(t => t.Language == "fr").StaleParagraphs);
        var board = await room.Workshop.OkAsync<BoardView>(room.Facilitator, HttpMethod.Get, room.Path());
        Assert.Empty(board.Themes.SelectMany(t => t.Recommendations).Single(r => r.Id == proposed.Id).StaleLanguages);
    }

    [Fact]
    public async Task MergedSourcesAcceptNoMoreEditsAndTheBoardSurfacesDuplicates()
    {
        var room = await RoomAsync();
        var first = await ProposeAsync(room, room.Benin.Token, "Create joint border committees with local communities.");
        var second = await ProposeAsync(room, room.Ghana.Token, "Create joint border committees including local communities.");

        var board = await room.Workshop.OkAsync<BoardView>(room.Facilitator, HttpMethod.Get, room.Path());
        var forbidden = await room.Workshop.RejectedAsync(room.Benin.Token, HttpMethod.Post, room.Path("/merge"),
            new { sources = new[] { first.Id, second.Id }, title = "Joint committees" }, 403);
        var merged = await room.Workshop.OkAsync<RecommendationView>(room.Facilitator, HttpMethod.Post, room.Path("/merge"),
            new { sources = new[] { first.Id, second.Id }, title = "Joint committees", theme = "Cooperation" });
        var source = await room.Workshop.OkAsync<RecommendationView>(room.Facilitator, HttpMethod.Get, room.Path($"/{first.Id}"));
        var (connection, document) = await OpenAsync(node, room.Benin.Token, source.Texts.Single(t => t.OfRecord).DocId);
        await using (connection)
        {
            var refused = await Assert.ThrowsAsync<HubException>(() => connection.Connection.InvokeAsync<JsonElement>("SubmitOp", new
            {
                docId = document.DocId, baseRevision = document.Revision, clientId = "after-merge", clientSeq = 1L, op = new object[] { "x", document.Text.Length },
            }));
            Assert.Equal("document.status_locked", HubErrors.CodeOf(refused));
        }

        Assert.Contains(board.LikelyDuplicates, d => new[] { d.First, d.Second }.Order().SequenceEqual(new[] { first.Id, second.Id }.Order()));
        Assert.Equal("recommendation.merge_forbidden", forbidden);
        Assert.Equal([first.Id, second.Id], merged.MergedFrom);
        Assert.Equal((RecommendationStatus.Merged, merged.Id), (source.Status, source.MergedInto));
        var mergedText = await room.Workshop.OkAsync<TextAtRevision>(room.Facilitator, HttpMethod.Get, $"/api/documents/{merged.Texts.Single(t => t.OfRecord).DocId}/text");
        Assert.Contains("with local communities", mergedText.Text, StringComparison.Ordinal);
        Assert.Contains("including local communities", mergedText.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BoardListsParaphrasedProposalsAsLikelyDuplicatesWithTheWordsTheyShare()
    {
        var room = await RoomAsync();
        Task<RecommendationView> Propose(string token, string title, string text, string language) =>
            room.Workshop.OkAsync<RecommendationView>(token, HttpMethod.Post, room.Path(), new { title, theme = "Cooperation", text, language, origin = "plenary" });
        var quarterly = await Propose(room.Benin.Token, "Quarterly cross-border community forums",
            "Hold quarterly forums that bring together border communities from both sides to discuss security.", "en");
        var everyQuarter = await Propose(room.Ghana.Token, "Cross-border community forums every quarter",
            "Every quarter, communities from both sides of the border should meet in a forum to discuss security concerns.", "en");
        var fairs = await Propose(room.Togo.Token, "Yearly cross-border trade fairs",
            "Organise a cross-border trade fair every year where traders from both sides meet.", "en");
        var alerte = await Propose(room.Benin2.Token, "Système d'alerte précoce communautaire",
            "Mettre en place un système d'alerte précoce géré par les communautés frontalières pour signaler les menaces.", "fr");
        var alertes = await Propose(room.Togo.Token, "Systèmes communautaires d'alerte précoce",
            "Les communautés frontalières doivent gérer des systèmes d'alerte précoce qui signalent vite les menaces.", "fr");

        var board = await room.Workshop.OkAsync<BoardView>(room.Ghana.Token, HttpMethod.Get, room.Path());

        var forums = Assert.Single(board.LikelyDuplicates, d => (d.First, d.Second) == (quarterly.Id, everyQuarter.Id));
        Assert.InRange(forums.Similarity, 0.5, 1.0);
        Assert.Equal(["community", "cross-border", "forums", "quarterly"], forums.SharedWords.Take(4).Order(StringComparer.Ordinal));
        var warning = Assert.Single(board.LikelyDuplicates, d => (d.First, d.Second) == (alerte.Id, alertes.Id));
        Assert.Contains("alerte", warning.SharedWords);
        Assert.DoesNotContain(board.LikelyDuplicates, d => d.First == fairs.Id || d.Second == fairs.Id);
        Assert.Equal(2, board.LikelyDuplicates.Count);
    }

    [Fact]
    public async Task DiffListsEachChangeWithItsAuthor()
    {
        var room = await RoomAsync();
        var proposed = await ProposeAsync(room, room.Benin.Token, "Train officers.");
        var docId = proposed.Texts.Single(t => t.OfRecord).DocId;
        var (awa, awasCopy) = await OpenAsync(node, room.Benin.Token, docId);
        await using (awa)
        {
            await EditAsync(awasCopy, text => Append(text, " Every year."));
        }

        var (kofi, kofisCopy) = await OpenAsync(node, room.Ghana.Token, docId);
        await using (kofi)
        {
            await EditAsync(kofisCopy, text => TextOperation.Of(OpComponent.Retain(6), OpComponent.Delete(8), OpComponent.Insert("customs officers"), OpComponent.Retain(text.Length - 14)));
        }

        var diff = await room.Workshop.OkAsync<RecommendationDiff>(room.Facilitator, HttpMethod.Get, room.Path($"/{proposed.Id}/diff?lang=en&from=0&to=2"));

        Assert.Equal("Train officers.", diff.FromText);
        Assert.Equal("Train customs officers. Every year.", diff.ToText);
        Assert.Equal(
            [("Awa Sow", " Every year.", ""), ("Kofi Mensah", "customs officers", "officers")],
            diff.Changes.Select(c => (c.AuthorName, c.Inserted, c.Deleted)));
    }

    [Fact]
    public async Task ProvenanceFollowsConcurrentEditsOfTheGroupNotes()
    {
        var room = await RoomAsync();
        var notes = await room.Workshop.NewDocumentAsync("Best practices", "Mixed patrols. Community radio. Joint markets.");
        var (connection, document) = await OpenAsync(node, room.Benin.Token, notes);
        await using var _ = connection;

        // "Community radio" at revision 0 ...
        var proposed = await ProposeAsync(room, room.Benin.Token, "Fund community radio.", new[] { new { docId = notes, start = 15, end = 30, revision = 0 } });

        // ... then edits before it, inside it, and after it.
        await EditAsync(document, text => TextOperation.Of(OpComponent.Insert("1. "), OpComponent.Retain(text.Length)));
        await EditAsync(document, text => TextOperation.Of(OpComponent.Retain(text.IndexOf("radio", StringComparison.Ordinal)), OpComponent.Insert("FM "), OpComponent.Retain(text.Length - text.IndexOf("radio", StringComparison.Ordinal))));
        await EditAsync(document, text => Append(text, " Shared water points."));
        var now = await room.Workshop.OkAsync<RecommendationView>(room.Facilitator, HttpMethod.Get, room.Path($"/{proposed.Id}"));

        var link = Assert.Single(now.Provenance);
        Assert.Equal("Community FM radio", link.Anchor!.Text);
        Assert.Equal(document.Text.IndexOf("Community FM radio", StringComparison.Ordinal), link.Anchor.Start);
        Assert.Equal(notes, link.DocId);
    }

    [Fact]
    public async Task CommentAnchorFollowsEditsAndResolvesAndReopens()
    {
        var room = await RoomAsync();
        var proposed = await ProposeAsync(room, room.Benin.Token, "Create joint border committees.");
        var docId = proposed.Texts.Single(t => t.OfRecord).DocId;
        var commented = await room.Workshop.OkAsync<RecommendationView>(room.Ghana.Token, HttpMethod.Post, room.Path($"/{proposed.Id}/comments"),
            new { language = "en", start = 7, end = 12, revision = 0, text = "Joint with whom?" });
        var commentId = Assert.Single(commented.Comments).Id;
        var (connection, document) = await OpenAsync(node, room.Benin.Token, docId);
        await using (connection)
        {
            await EditAsync(document, text => TextOperation.Of(OpComponent.Insert("We recommend to "), OpComponent.Retain(text.Length)));
        }

        await room.Workshop.OkAsync<RecommendationView>(room.Benin.Token, HttpMethod.Post, room.Path($"/{proposed.Id}/comments/{commentId}/replies"), new { text = "Neighbouring countries." });
        var forbidden = await room.Workshop.RejectedAsync(room.Togo.Token, HttpMethod.Post, room.Path($"/{proposed.Id}/comments/{commentId}/resolve"), new { resolved = true }, 403);
        var resolved = await room.Workshop.OkAsync<RecommendationView>(room.Ghana.Token, HttpMethod.Post, room.Path($"/{proposed.Id}/comments/{commentId}/resolve"), new { resolved = true });
        var reopened = await room.Workshop.OkAsync<RecommendationView>(room.Facilitator, HttpMethod.Post, room.Path($"/{proposed.Id}/comments/{commentId}/resolve"), new { resolved = false });

        var comment = Assert.Single(resolved.Comments);
        Assert.Equal("joint", comment.Anchor!.Text);
        Assert.Equal(23, comment.Anchor.Start);
        Assert.Equal("Neighbouring countries.", Assert.Single(comment.Replies).Text);
        Assert.True(comment.Resolved);
        Assert.False(Assert.Single(reopened.Comments).Resolved);
        Assert.Equal("comment.resolve_forbidden", forbidden);
    }

    [Fact]
    public async Task AcceptedSuggestionLandsWhereItsTextMovedAndARejectedOneChangesNothing()
    {
        var room = await RoomAsync();
        var proposed = await ProposeAsync(room, room.Benin.Token, "Train officers every year.");
        var docId = proposed.Texts.Single(t => t.OfRecord).DocId;
        await MoveAsync(room, proposed.Id, "proposed", room.Benin.Token);
        await MoveAsync(room, proposed.Id, "inReview");

        // In review a participant may not edit directly: they suggest. "officers" → "customs and police officers".
        var suggested = await room.Workshop.OkAsync<RecommendationView>(room.Ghana.Token, HttpMethod.Post, room.Path($"/{proposed.Id}/suggestions"),
            new { language = "en", start = 6, end = 14, revision = 0, replacement = "customs and police officers" });
        var rejectedToo = await room.Workshop.OkAsync<RecommendationView>(room.Togo.Token, HttpMethod.Post, room.Path($"/{proposed.Id}/suggestions"),
            new { language = "en", start = 15, end = 25, revision = 0, replacement = "once" });
        var rapporteur = await room.Workshop.JoinAsync("Rapporteur", "rapporteur");
        var (connection, document) = await OpenAsync(node, rapporteur.Token, docId);
        await using (connection)
        {
            // The text moves under the suggestion before anyone decides.
            await EditAsync(document, text => TextOperation.Of(OpComponent.Insert("Recommendation: "), OpComponent.Retain(text.Length)));
        }

        var participantEdit = await room.Workshop.RejectedAsync(room.Togo.Token, HttpMethod.Post,
            room.Path($"/{proposed.Id}/suggestions/{Assert.Single(suggested.Suggestions).Id}/accept"), null, 403);
        var accepted = await room.Workshop.OkAsync<RecommendationView>(room.Facilitator, HttpMethod.Post,
            room.Path($"/{proposed.Id}/suggestions/{suggested.Suggestions[0].Id}/accept"));
        var rejected = await room.Workshop.OkAsync<RecommendationView>(room.Facilitator, HttpMethod.Post,
            room.Path($"/{proposed.Id}/suggestions/{rejectedToo.Suggestions.Single(s => s.Replacement == "once").Id}/reject"));
        var text = await room.Workshop.OkAsync<TextAtRevision>(room.Facilitator, HttpMethod.Get, $"/api/documents/{docId}/text");

        Assert.Equal("suggestion.decide_forbidden", participantEdit);
        Assert.Equal("Recommendation: Train customs and police officers every year.", text.Text);
        Assert.Equal(SuggestionStatus.Accepted, accepted.Suggestions.Single(s => s.Replacement != "once").Status);
        Assert.Equal(SuggestionStatus.Rejected, rejected.Suggestions.Single(s => s.Replacement == "once").Status);
        Assert.Equal(text.Revision, rejected.Suggestions.Single(s => s.Replacement != "once").AppliedAtRevision);
    }

    [Fact]
    public async Task AnAddedSourceIsAnchoredInItsNoteAndFollowsItsEdits()
    {
        var room = await RoomAsync();
        var notes = await room.Workshop.NewDocumentAsync("Lessons learnt", "Patrols alone do not build trust. Local radio does.");
        var proposed = await ProposeAsync(room, room.Benin.Token, "Fund local radio.");

        // "Local radio does." at revision 0, added by another delegation's participant; then the note is edited before it.
        var added = await room.Workshop.OkAsync<RecommendationView>(room.Ghana.Token, HttpMethod.Post, room.Path($"/{proposed.Id}/sources"),
            new { docId = notes, start = 34, end = 51, revision = 0 });
        var (connection, document) = await OpenAsync(node, room.Benin.Token, notes);
        await using (connection)
        {
            await EditAsync(document, text => TextOperation.Of(OpComponent.Insert("From Ghana: "), OpComponent.Retain(text.Length)));
        }

        var now = await room.Workshop.OkAsync<RecommendationView>(room.Facilitator, HttpMethod.Get, room.Path($"/{proposed.Id}"));

        Assert.Equal("Local radio does.", Assert.Single(added.Provenance).Anchor!.Text);
        var link = Assert.Single(now.Provenance);
        Assert.Equal((notes, "Local radio does.", 46, (string?)null), (link.DocId, link.Anchor!.Text, link.Anchor.Start, link.ViaRecommendation));
        Assert.True(now.Version > proposed.Version);
    }

    [Fact]
    public async Task AddingASourceIsRefusedToObserversOnClosedRecommendationsOutsideTheNoteAndWhenProposingIsClosedAndChangesNothing()
    {
        var room = await RoomAsync();
        var observer = await room.Workshop.JoinAsync("Observer", "observer");
        var other = await TestWorkshop.CreateAsync(() => new HttpClient { BaseAddress = node.Address });
        var notes = await room.Workshop.NewDocumentAsync("Challenges", "Porous borders.");
        var foreignNotes = await other.NewDocumentAsync("Elsewhere", "Not yours.");
        var open = await ProposeAsync(room, room.Benin.Token, "Open one.");
        var withdrawn = await ProposeAsync(room, room.Benin.Token, "Withdrawn one.");
        await MoveAsync(room, withdrawn.Id, "withdrawn", room.Benin.Token);
        var passage = new { docId = notes, start = 0, end = 6, revision = 0 };

        var byObserver = await room.Workshop.RejectedAsync(observer.Token, HttpMethod.Post, room.Path($"/{open.Id}/sources"), passage, 403);
        var closed = await room.Workshop.RejectedAsync(room.Benin.Token, HttpMethod.Post, room.Path($"/{withdrawn.Id}/sources"), passage, 409);
        var outside = await room.Workshop.RejectedAsync(room.Benin.Token, HttpMethod.Post, room.Path($"/{open.Id}/sources"),
            new { docId = notes, start = 3, end = 400, revision = 0 }, 400);
        var foreign = await room.Workshop.RejectedAsync(room.Benin.Token, HttpMethod.Post, room.Path($"/{open.Id}/sources"),
            new { docId = foreignNotes, start = 0, end = 3, revision = 0 }, 404);
        var unknown = await room.Workshop.RejectedAsync(room.Benin.Token, HttpMethod.Post, room.Path("/r999/sources"), passage, 404);

        // In the adoption phase nobody proposes, so nobody adds sources either.
        await PhaseAsync(room, "adopt");
        var inAdoption = await room.Workshop.RejectedAsync(room.Benin.Token, HttpMethod.Post, room.Path($"/{open.Id}/sources"), passage, 403);

        Assert.Equal(
            ["recommendation.read_only", "recommendation.closed", "anchor.range_invalid", "document.not_found", "recommendation.not_found", "phase.propose_closed"],
            [byObserver, closed, outside, foreign, unknown, inAdoption]);
        foreach (var id in new[] { open.Id, withdrawn.Id })
        {
            var now = await room.Workshop.OkAsync<RecommendationView>(room.Facilitator, HttpMethod.Get, room.Path($"/{id}"));
            Assert.Empty(now.Provenance);
        }
    }

    [Fact]
    public async Task MergeKeepsEverySourcesProvenance()
    {
        var room = await RoomAsync();
        var beninNotes = await room.Workshop.NewDocumentAsync("Benin: best practices", "Mixed patrols along the river.");
        var ghanaNotes = await room.Workshop.NewDocumentAsync("Ghana: lessons learnt", "Local radio builds trust.");
        var first = await ProposeAsync(room, room.Benin.Token, "Mixed patrols.", new[] { new { docId = beninNotes, start = 0, end = 13, revision = 0 } });
        var second = await ProposeAsync(room, room.Ghana.Token, "Local radio.", new[] { new { docId = ghanaNotes, start = 0, end = 11, revision = 0 } });

        var merged = await room.Workshop.OkAsync<RecommendationView>(room.Facilitator, HttpMethod.Post, room.Path("/merge"),
            new { sources = new[] { first.Id, second.Id }, title = "Security and trust" });

        Assert.Equal(
            [(beninNotes, "Mixed patrols", first.Id), (ghanaNotes, "Local radio", second.Id)],
            merged.Provenance.Select(p => (p.DocId, p.Anchor!.Text, p.ViaRecommendation)));
    }

    [Fact]
    public async Task ARapporteurFixesTheStaleTranslationOfAnAdoptedTextAndMarksItInSyncWhileTheTextOfRecordStaysLocked()
    {
        var room = await RoomAsync();
        var rapporteur = await room.Workshop.JoinAsync("Aïcha Rapporteure", "rapporteur");
        var proposed = await ProposeAsync(room, room.Benin.Token, "Create joint committees.\n\nTrain border officers.");
        var english = proposed.Texts.Single(t => t.OfRecord).DocId;
        var french = proposed.Texts.Single(t => t.Language == "fr").DocId;
        await MoveAsync(room, proposed.Id, "proposed", room.Benin.Token);
        await PhaseAsync(room, "adopt");
        await VoteAsync(room, proposed.Id, room.Ghana, "support");
        var adopted = await MoveAsync(room, proposed.Id, "adopted");
        Assert.Equal([0, 1], adopted.Texts.Single(t => t.Language == "fr").StaleParagraphs);

        await using var fixer = await CollabConnection.ConnectAsync(node.HubUrl, rapporteur.Token);
        await using var delegate_ = await CollabConnection.ConnectAsync(node.HubUrl, room.Benin.Token);
        var record = await fixer.OpenAsync(english);
        var translation = await fixer.OpenAsync(french);
        var accesses = new Pushes<DocumentAccess>();
        translation.AccessChanged += accesses.Add;

        // The translation is open to its fixers (even while endorsement is open), never to participants; the text of
        // record to nobody.
        Assert.Equal((AccessMode.Edit, null), (translation.Access.Mode, translation.Access.Reason));
        Assert.Equal((AccessMode.Read, AccessReasons.Status), (record.Access.Mode, record.Access.Reason));
        Assert.Equal((AccessMode.Read, AccessReasons.Status), ((await delegate_.OpenAsync(french)).Access.Mode, (await delegate_.OpenAsync(french)).Access.Reason));
        await EditAsync(translation, text => Append(text, "Créer des comités conjoints.\n\nFormer les agents des frontières."));
        Assert.Equal("document.status_locked", await RefusedAsync(fixer, record, "record-by-rapporteur"));
        await using (var facilitator = await CollabConnection.ConnectAsync(node.HubUrl, room.Facilitator))
        {
            Assert.Equal("document.status_locked", await RefusedAsync(facilitator, await facilitator.OpenAsync(english), "record-by-facilitator"));
        }

        Assert.Equal("document.status_locked", await RefusedAsync(delegate_, await delegate_.OpenAsync(french), "translation-by-participant"));
        var notTheirs = await room.Workshop.RejectedAsync(room.Benin.Token, HttpMethod.Post, room.Path($"/{proposed.Id}/translations/fr/sync"), null, 403);

        // Marked in sync: the flags clear, and the translation is locked again for everyone, at once.
        var synced = await room.Workshop.OkAsync<RecommendationView>(rapporteur.Token, HttpMethod.Post, room.Path($"/{proposed.Id}/translations/fr/sync"));
        var locked = await accesses.FirstAsync(a => a.Mode == AccessMode.Read, "the translation locked once in sync");
        var refusedAfter = await RefusedAsync(fixer, translation, "after-sync");
        var text = await room.Workshop.OkAsync<TextAtRevision>(room.Facilitator, HttpMethod.Get, $"/api/documents/{french}/text");
        var recordText = await room.Workshop.OkAsync<TextAtRevision>(room.Facilitator, HttpMethod.Get, $"/api/documents/{english}/text");

        Assert.Equal("translation.sync_forbidden", notTheirs);
        Assert.Empty(synced.Texts.Single(t => t.Language == "fr").StaleParagraphs);
        Assert.Equal(AccessReasons.Status, locked.Reason);
        Assert.Equal("document.status_locked", refusedAfter);
        Assert.Equal("Créer des comités conjoints.\n\nFormer les agents des frontières.", text.Text);
        Assert.Equal(("Create joint committees.\n\nTrain border officers.", 0), (recordText.Text, recordText.Revision));
        var board = await room.Workshop.OkAsync<BoardView>(room.Facilitator, HttpMethod.Get, room.Path());
        Assert.Empty(board.Themes.SelectMany(t => t.Recommendations).Single(r => r.Id == proposed.Id).StaleLanguages);
    }

    [Fact]
    public async Task MergeWithAPreparedTextKeepsEverySourcesProvenance()
    {
        var room = await RoomAsync();
        var beninNotes = await room.Workshop.NewDocumentAsync("Benin: best practices", "Quarterly cross-border community forums.");
        var ghanaNotes = await room.Workshop.NewDocumentAsync("Ghana: lessons learnt", "Forums every quarter build trust.");
        var first = await ProposeAsync(room, room.Benin.Token, "Quarterly cross-border community forums.", new[] { new { docId = beninNotes, start = 0, end = 39, revision = 0 } });
        var second = await ProposeAsync(room, room.Ghana.Token, "Cross-border community forums every quarter.", new[] { new { docId = ghanaNotes, start = 0, end = 20, revision = 0 } });
        var merged = await room.Workshop.OkAsync<RecommendationView>(room.Facilitator, HttpMethod.Post, room.Path("/merge"), new
        {
            sources = new[] { first.Id, second.Id },
            title = "Community forums",
            text = "Organiser chaque trimestre des forums communautaires transfrontaliers.",
            language = "fr",
        });
        var unprepared = await room.Workshop.OkAsync<RecommendationView>(room.Facilitator, HttpMethod.Post, room.Path("/merge"), new
        {
            sources = new[] { (await ProposeAsync(room, room.Togo.Token, "Joint patrols.")).Id, (await ProposeAsync(room, room.Togo.Token, "Mixed patrols.")).Id },
            title = "Patrols",
        });

        var ofRecord = merged.Texts.Single(t => t.OfRecord);
        var mergedText = await room.Workshop.OkAsync<TextAtRevision>(room.Facilitator, HttpMethod.Get, $"/api/documents/{ofRecord.DocId}/text");
        Assert.Equal(("fr", "fr"), (merged.LanguageOfRecord, ofRecord.Language));
        Assert.Equal("Organiser chaque trimestre des forums communautaires transfrontaliers.", mergedText.Text);
        Assert.Equal(
            [(beninNotes, "Quarterly cross-border community forums", first.Id), (ghanaNotes, "Forums every quarter", second.Id)],
            merged.Provenance.Select(p => (p.DocId, p.Anchor!.Text, p.ViaRecommendation)));
        Assert.Equal([first.Id, second.Id], merged.MergedFrom);
        var unpreparedText = await room.Workshop.OkAsync<TextAtRevision>(room.Facilitator, HttpMethod.Get, $"/api/documents/{unprepared.Texts.Single(t => t.OfRecord).DocId}/text");
        Assert.Equal("Joint patrols.\n\nMixed patrols.", unpreparedText.Text);
    }

    private static async Task<string> RefusedAsync(CollabConnection connection, SharedDocument document, string clientId)
    {
        var refused = await Assert.ThrowsAsync<HubException>(() => connection.Connection.InvokeAsync<JsonElement>("SubmitOp", new
        {
            docId = document.DocId, baseRevision = document.Revision, clientId, clientSeq = 1L, op = new object[] { "Late: ", document.Text.Length },
        }));
        return HubErrors.CodeOf(refused)!;
    }

    [Fact]
    public async Task TheLiveTallyAndStaleTranslationsArePushedToTheRoom()
    {
        var room = await RoomAsync();
        await using var watcher = node.Raw(room.Togo.Token);
        var tallied = new TaskCompletionSource<RecommendationSummary>(TaskCreationOptions.RunContinuationsAsynchronously);
        var stale = new TaskCompletionSource<RecommendationSummary>(TaskCreationOptions.RunContinuationsAsynchronously);
        watcher.On<RecommendationSummary>("RecommendationChanged", summary =>
        {
            if (summary.Tally.Objection == 1)
            {
                tallied.TrySetResult(summary);
            }

            if (summary.StaleLanguages.Contains("fr") && summary.Excerpt.EndsWith("Every year.", StringComparison.Ordinal))
            {
                stale.TrySetResult(summary);
            }
        });
        await watcher.StartAsync();
        await watcher.InvokeAsync<JsonElement>("EnterWorkshop");
        var proposed = await ProposeAsync(room, room.Benin.Token, "Train officers.");
        await MoveAsync(room, proposed.Id, "proposed", room.Benin.Token);
        await room.Workshop.OkAsync<RecommendationView>(room.Benin.Token, HttpMethod.Post, room.Path($"/{proposed.Id}/translations/fr/sync"));

        var (connection, document) = await OpenAsync(node, room.Benin.Token, proposed.Texts.Single(t => t.OfRecord).DocId);
        await using (connection)
        {
            await EditAsync(document, text => Append(text, " Every year."));
        }

        await PhaseAsync(room, "adopt");
        await VoteAsync(room, proposed.Id, room.Ghana, "objection");

        var tally = await tallied.Task.WaitAsync(Patience);
        var flagged = await stale.Task.WaitAsync(Patience);
        Assert.Equal((proposed.Id, 0, 1), (tally.Id, tally.Tally.Support, tally.Tally.Objection));
        Assert.Equal(["fr"], flagged.StaleLanguages);
    }

    [Fact]
    public async Task ObserversCannotProposeAndOtherWorkshopsSeeNothing()
    {
        var room = await RoomAsync();
        var observer = await room.Workshop.JoinAsync("Observer", "observer");
        var other = await TestWorkshop.CreateAsync(() => new HttpClient { BaseAddress = node.Address });
        var proposed = await ProposeAsync(room, room.Benin.Token);

        var forbidden = await room.Workshop.RejectedAsync(observer.Token, HttpMethod.Post, room.Path(), new { title = "Mine", text = "x" }, 403);
        var hidden = await room.Workshop.RejectedAsync(other.Facilitator.Token, HttpMethod.Get, room.Path($"/{proposed.Id}"), null, 404);

        Assert.Equal("recommendation.read_only", forbidden);
        Assert.Equal("recommendation.not_found", hidden);
    }
}
