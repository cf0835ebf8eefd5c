using System.Text.Json.Nodes;
using Collab.Client;
using Collab.Documents;
using Collab.Sessions;
using Collab.Text;

namespace Collab.Tests.Sessions;

/// <summary>
/// The documents of breakout groups over the real HTTP API and hub: each session's own templates (the seed's Day-2
/// drafting template), and every group of every round listed for facilitators and rapporteurs, also after the end.
/// </summary>
public sealed class GroupDocumentsTests(KestrelWebNode node) : IClassFixture<KestrelWebNode>
{
    private static readonly TimeSpan Patience = Pushes<SessionView>.Patience;

    [Fact]
    public async Task Day2DraftingGroupsGetTheDraftingTemplateWhileDay1GroupsGetTheNotes()
    {
        var workshop = await SeedWorkshopAsync();
        await workshop.JoinAsync("Adjoa Mensah", "participant", "gh");
        await workshop.JoinAsync("Koffi Agbeko", "participant", "tg");

        var day1 = await OpenGroupsAsync(workshop, "d1-breakouts", new { naming = "numbered", count = 2 });
        Assert.All(day1, g => Assert.Equal(["best-practices", "lessons-learnt", "challenges", "group-report"], g.Documents.Select(d => d.Section)));
        await RunAsync(workshop, "d1-breakouts", "end");

        var day2 = await OpenGroupsAsync(workshop, "d2-drafting", new { naming = "numbered", count = 2 });
        foreach (var group in day2)
        {
            Assert.Equal(["draft-recommendations", "drafting-notes"], group.Documents.Select(d => d.Section));
            var draft = group.Documents[0];
            Assert.Equal("Projets de recommandations", draft.Titles["fr"]);
            Assert.StartsWith("One recommendation per block", draft.Guidance!["en"], StringComparison.Ordinal);
            Assert.StartsWith("Une recommandation par bloc", draft.Guidance["fr"], StringComparison.Ordinal);
            var text = await workshop.OkAsync<TextAtRevision>(workshop.Facilitator.Token, HttpMethod.Get, $"/api/documents/{draft.DocId}/text");
            Assert.StartsWith("Recommendation 1 / Recommandation 1\nTo / À l'intention de: ", text.Text, StringComparison.Ordinal);

            // The empty one says what to write instead of having a text.
            var notes = await workshop.OkAsync<TextAtRevision>(workshop.Facilitator.Token, HttpMethod.Get, $"/api/documents/{group.Documents[1].DocId}/text");
            Assert.Equal("", notes.Text);
        }
    }

    [Fact]
    public async Task SectionsGivenWhenOpeningReplaceTheSessionsTemplate()
    {
        var workshop = await SeedWorkshopAsync();
        await workshop.JoinAsync("Awa Traoré", "participant", "bf");
        var groups = await OpenGroupsAsync(workshop, "d2-drafting", new
        {
            naming = "numbered",
            count = 1,
            sections = new[] { new { key = "Ideas", titles = new Dictionary<string, string> { ["en"] = "Ideas", ["FR"] = "Idées" }, guidance = new Dictionary<string, string> { ["en"] = "Anything goes." } } },
        });

        var document = Assert.Single(Assert.Single(groups).Documents);
        Assert.Equal(("ideas", "Idées", "Anything goes."), (document.Section, document.Titles["fr"], document.Guidance!["en"]));
    }

    [Fact]
    public async Task AnAgendaWithInvalidGroupDocumentsIsRefusedAndChangesNothing()
    {
        var workshop = await SeedWorkshopAsync();
        var before = await workshop.OkAsync<Collab.Workshops.WorkshopView>(workshop.Facilitator.Token, HttpMethod.Get, $"/api/workshops/{workshop.Id}");
        var twice = new { key = "notes", titles = new Dictionary<string, string> { ["en"] = "Notes" } };
        var tooLong = new { key = "notes", titles = new Dictionary<string, string> { ["en"] = "Notes" }, guidance = new Dictionary<string, string> { ["en"] = new string('x', 501) } };
        var noTitle = new { key = "notes", titles = new Dictionary<string, string>() };
        foreach (var documents in new object[] { new[] { twice, twice }, new[] { tooLong }, new[] { noTitle }, Enumerable.Repeat(twice, 9).Select((d, i) => d with { key = $"n{i}" }).ToArray() })
        {
            var body = new
            {
                expectedVersion = before.Version,
                title = before.Title,
                startsOn = before.StartsOn,
                endsOn = before.EndsOn,
                languages = before.Languages,
                agenda = new[] { new { id = "d2-drafting", day = 2, title = "Drafting", kind = "breakouts", groupDocuments = documents } },
            };
            var code = await workshop.RejectedAsync(workshop.Facilitator.Token, HttpMethod.Put, $"/api/workshops/{workshop.Id}", body, 400);
            Assert.Equal("session.group_documents_invalid", code);
        }

        var after = await workshop.OkAsync<Collab.Workshops.WorkshopView>(workshop.Facilitator.Token, HttpMethod.Get, $"/api/workshops/{workshop.Id}");
        Assert.Equal(before.Version, after.Version);
        Assert.Equal(2, after.Agenda.Single(a => a.Id == "d2-drafting").GroupDocuments!.Count);
    }

    [Fact]
    public async Task EveryGroupOfEveryRoundIsListedForFacilitatorsAndRapportersOnlyAlsoAfterTheEnd()
    {
        var workshop = await SeedWorkshopAsync();
        var member = await workshop.JoinAsync("Moussa Ouédraogo", "participant", "bf");
        var rapporteur = await workshop.JoinAsync("Rapporteur Rose", "rapporteur");
        var observer = await workshop.JoinAsync("Observer Olu", "observer");
        const string Session = "d1-breakouts";
        string Groups() => $"/api/workshops/{workshop.Id}/sessions/{Session}/groups";

        // Before any breakout: nothing to list.
        Assert.Empty(await workshop.OkAsync<List<GroupView>>(rapporteur.Token, HttpMethod.Get, Groups()));

        await OpenGroupsAsync(workshop, Session, new { naming = "numbered", count = 2 });
        await RunAsync(workshop, Session, "breakouts/recall");
        await RunAsync(workshop, Session, "breakouts", new { naming = "named", names = new[] { "Radio", "Markets", "Schools" } });
        await RunAsync(workshop, Session, "end");

        foreach (var token in new[] { workshop.Facilitator.Token, rapporteur.Token })
        {
            var groups = await workshop.OkAsync<List<GroupView>>(token, HttpMethod.Get, Groups());
            Assert.Equal(["Group 1", "Group 2", "Radio", "Markets", "Schools"], groups.Select(g => g.Name));
            Assert.All(groups, g => Assert.Equal(4, g.Documents.Count));
        }

        // Participants and observers are refused with a code, whatever they try; another workshop's facilitator finds nothing.
        Assert.Equal("session.groups_forbidden", await workshop.RejectedAsync(member.Token, HttpMethod.Get, Groups(), null, 403));
        Assert.Equal("session.groups_forbidden", await workshop.RejectedAsync(observer.Token, HttpMethod.Get, Groups(), null, 403));
        var other = await SeedWorkshopAsync();
        Assert.Equal("session.not_found", await other.RejectedAsync(other.Facilitator.Token, HttpMethod.Get, Groups(), null, 404));

        // After the end the rapporteur and the facilitator still edit a group's notes live; the member reads them.
        var docId = (await workshop.OkAsync<List<GroupView>>(rapporteur.Token, HttpMethod.Get, Groups()))[2].Documents[0].DocId;
        await using var byRapporteur = await CollabConnection.ConnectAsync(node.HubUrl, rapporteur.Token);
        await using var byFacilitator = await CollabConnection.ConnectAsync(node.HubUrl, workshop.Facilitator.Token);
        await using var byMember = await CollabConnection.ConnectAsync(node.HubUrl, member.Token);
        var rapporteurs = await byRapporteur.OpenAsync(docId);
        var facilitators = await byFacilitator.OpenAsync(docId);
        var members = await byMember.OpenAsync(docId);
        Assert.Equal((AccessMode.Edit, AccessMode.Edit, AccessMode.Read), (rapporteurs.Access.Mode, facilitators.Access.Mode, members.Access.Mode));
        Assert.Equal(AccessReasons.SessionEnded, members.Access.Reason);
        rapporteurs.Edit(TextOperation.Of(OpComponent.Insert("Radio in local languages.")));
        await rapporteurs.WaitSyncedAsync(Patience);
        await facilitators.WaitForRevisionAsync(1, Patience);
        facilitators.Edit(TextOperation.Of(OpComponent.Retain(25), OpComponent.Insert(" Weekly.")));
        await facilitators.WaitSyncedAsync(Patience);
        await members.WaitForRevisionAsync(2, Patience);
        Assert.Equal("Radio in local languages. Weekly.", members.Text);
    }

    [Fact]
    public async Task AFacilitatorSetsASessionsGroupDocumentsWhichTheNextGroupsGetAndOthersAreRefused()
    {
        var workshop = await SeedWorkshopAsync();
        var rapporteur = await workshop.JoinAsync("Rapporteur Rémi", "rapporteur");
        await workshop.JoinAsync("Esi Boateng", "participant", "gh");
        string Path(string session) => $"/api/workshops/{workshop.Id}/sessions/{session}/group-documents";
        var commitments = new
        {
            groupDocuments = new[]
            {
                new
                {
                    key = (string?)null,
                    titles = new Dictionary<string, string> { ["en"] = "Commitments", ["fr"] = "Engagements" },
                    text = "Who / Qui: ",
                    guidance = new Dictionary<string, string> { ["en"] = "Who commits to what.", ["fr"] = "Qui s'engage à quoi." },
                },
            },
        };

        // Refused to a rapporteur, for a session not on the agenda, and when invalid: nothing changes.
        var before = await workshop.OkAsync<Collab.Workshops.WorkshopView>(workshop.Facilitator.Token, HttpMethod.Get, $"/api/workshops/{workshop.Id}");
        Assert.Equal("workshop.facilitators_only", await workshop.RejectedAsync(rapporteur.Token, HttpMethod.Put, Path("d2-closing"), commitments, 403));
        Assert.Equal("session.not_found", await workshop.RejectedAsync(workshop.Facilitator.Token, HttpMethod.Put, Path("d9-nowhere"), commitments, 404));
        var untitled = new { groupDocuments = new[] { new { key = "x", titles = new Dictionary<string, string>() } } };
        Assert.Equal("session.group_documents_invalid", await workshop.RejectedAsync(workshop.Facilitator.Token, HttpMethod.Put, Path("d2-closing"), untitled, 400));
        var unchanged = await workshop.OkAsync<Collab.Workshops.WorkshopView>(workshop.Facilitator.Token, HttpMethod.Get, $"/api/workshops/{workshop.Id}");
        Assert.Equal(before.Version, unchanged.Version);

        // Set: the workshop says so, and the session's next groups get them.
        var set = await workshop.OkAsync<Collab.Workshops.WorkshopView>(workshop.Facilitator.Token, HttpMethod.Put, Path("d2-closing"), commitments);
        Assert.Equal(before.Version + 1, set.Version);
        var template = Assert.Single(set.Agenda.Single(a => a.Id == "d2-closing").GroupDocuments!);
        Assert.Equal(("commitments", "Qui s'engage à quoi."), (template.Key, template.Guidance!["fr"]));
        var groups = await OpenGroupsAsync(workshop, "d2-closing", new { naming = "numbered", count = 1 });
        var document = Assert.Single(Assert.Single(groups).Documents);
        Assert.Equal(("commitments", "Engagements"), (document.Section, document.Titles["fr"]));
        Assert.Equal("Who / Qui: ", (await workshop.OkAsync<TextAtRevision>(workshop.Facilitator.Token, HttpMethod.Get, $"/api/documents/{document.DocId}/text")).Text);

        // Null: back to the default documents.
        var reset = await workshop.OkAsync<Collab.Workshops.WorkshopView>(workshop.Facilitator.Token, HttpMethod.Put, Path("d2-closing"), new { groupDocuments = (object?)null });
        Assert.Null(reset.Agenda.Single(a => a.Id == "d2-closing").GroupDocuments);
    }

    /// <summary>The seed conference, created again for each test (its seed key dropped so that it may be).</summary>
    private async Task<TestWorkshop> SeedWorkshopAsync()
    {
        var seed = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(RepoRoot.Path, "seeds", "cotonou-2023.json")))!.AsObject();
        seed.Remove("seedKey");
        return await TestWorkshop.CreateAsync(() => new HttpClient { BaseAddress = node.Address }, seed);
    }

    private static async Task<IReadOnlyList<GroupView>> OpenGroupsAsync(TestWorkshop workshop, string session, object body)
    {
        await RunAsync(workshop, session, "start");
        return (await RunAsync(workshop, session, "breakouts", body)).Breakouts!.Groups;
    }

    private static Task<SessionView> RunAsync(TestWorkshop workshop, string session, string action, object? body = null) =>
        workshop.OkAsync<SessionView>(workshop.Facilitator.Token, HttpMethod.Post, $"/api/workshops/{workshop.Id}/sessions/{session}/{action}", body ?? new { });
}
