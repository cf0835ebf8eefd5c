using System.Net.Http.Json;
using Collab.Client;
using Collab.Documents;
using Collab.Recommendations;
using Collab.Sessions;
using Collab.Workshops;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Collab.Tests.Sessions;

/// <summary>
/// The phase table of docs/recommendations.md through the real hub and HTTP API, with real tokens: what each role may
/// do with group notes, plenary notes and a recommendation's text in each phase (<c>OpenDocument</c> answers it,
/// <c>SubmitOp</c> accepts or refuses with the contract's code and changes nothing), the commands a phase opens or
/// closes, the pushes that tell open editors at once, and per-session rules.
/// </summary>
public sealed class PhaseRulesTests(KestrelWebNode node) : IClassFixture<KestrelWebNode>
{
    private const string Breakouts = "d1-breakouts";

    /// <summary>Roles in the order of the expectations below: the group member and another participant are both participants.</summary>
    private static readonly string[] Roles = ["facilitator", "rapporteur", "member", "participant", "observer"];

    private const string Observer = "read observer";
    private const string NotMember = "read not_a_member";

    /// <summary>What each role may do with each kind of document, and which commands a participant may send, per stage.</summary>
    public static readonly TheoryData<string> Stages = ["preparation", "share", "draft", "review", "adopt", "ended"];

    private static readonly Dictionary<string, Expected> Table = new()
    {
        ["preparation"] = new(
            Group: null,
            Plenary: ["edit", "edit", "edit", "edit", Observer],
            Text: ["edit", "edit", "edit", "edit", Observer],
            Commands: "propose comment suggest -endorse"),
        ["share"] = new(
            Group: ["edit", "edit", "edit", NotMember, Observer],
            Plenary: ["edit", "edit", "edit", "edit", Observer],
            Text: ["edit", "edit", "edit", "edit", Observer],
            Commands: "propose comment suggest -endorse"),
        ["draft"] = new(
            Group: ["edit", "edit", "edit", NotMember, Observer],
            Plenary: ["edit", "edit", "edit", "edit", Observer],
            Text: ["edit", "edit", "edit", "edit", Observer],
            Commands: "propose comment suggest -endorse"),
        ["review"] = new(
            Group: ["edit", "edit", "read phase review", NotMember, Observer],
            Plenary: ["edit", "edit", "read phase review", "read phase review", Observer],
            Text: ["edit", "edit", "suggest phase review", "suggest phase review", Observer],
            Commands: "-propose comment suggest -endorse"),
        ["adopt"] = new(
            Group: ["edit", "read phase adopt", "read phase adopt", NotMember, Observer],
            Plenary: ["edit", "read phase adopt", "read phase adopt", "read phase adopt", Observer],
            Text: ["edit", "read phase adopt", "read phase adopt", "read phase adopt", Observer],
            Commands: "-propose -comment -suggest endorse"),
        ["ended"] = new(
            Group: ["edit", "edit", "read session_ended", NotMember, Observer],
            Plenary: ["edit", "edit", "read session_ended", "read session_ended", Observer],
            Text: ["edit", "edit", "read session_ended", "read session_ended", Observer],
            Commands: "-propose -comment -suggest -endorse"),
    };

    [Theory, MemberData(nameof(Stages))]
    public async Task EachRoleMayDoWhatThePhaseTableSays(string stage)
    {
        var world = await WorldAsync(stage);
        var expected = Table[stage];
        var connections = new Dictionary<string, CollabConnection>();
        try
        {
            foreach (var role in Roles)
            {
                connections[role] = await CollabConnection.ConnectAsync(node.HubUrl, world.Token(role));
            }

            var actual = new List<string>();
            var wanted = new List<string>();
            foreach (var (kind, docId, roles) in new[] { ("group", world.GroupNotes, expected.Group), ("plenary", world.Plenary, expected.Plenary), ("text", world.Text, expected.Text) })
            {
                if (docId is null || roles is null)
                {
                    continue;
                }

                for (var i = 0; i < Roles.Length; i++)
                {
                    var role = Roles[i];
                    wanted.Add($"{kind}/{role}: {roles[i]} → {OpAnswerFor(roles[i])}");
                    actual.Add($"{kind}/{role}: {await AccessAndOpAsync(world, connections[role], docId, $"{kind}-{role}")}");
                }
            }

            wanted.AddRange(expected.Commands.Split(' ').Select(c => c.StartsWith('-') ? $"{c[1..]}: phase.{c[1..]}_closed" : $"{c}: ok"));
            actual.AddRange(await CommandsAsync(world, world.Participant));
            Assert.Equal(string.Join("\n", wanted), string.Join("\n", actual));

            // Facilitators may always; rapporteurs follow the row for commands.
            Assert.Equal("ok", await ProposeAsync(world, world.Workshop.Facilitator.Token));
            Assert.Equal(expected.Commands.Contains("-comment", StringComparison.Ordinal) ? "phase.comment_closed" : "ok", await CommentAsync(world, world.Rapporteur.Token));
        }
        finally
        {
            foreach (var connection in connections.Values)
            {
                await connection.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task APhaseChangeTellsOpenEditorsAtOnceAndReopeningGivesTheNewAccess()
    {
        var world = await WorldAsync("share");
        await using var member = await CollabConnection.ConnectAsync(node.HubUrl, world.Member.Token);
        var pushed = new Pushes<AccessChanged>();
        member.Connection.On<AccessChanged>("AccessChanged", pushed.Add);
        var notes = await member.OpenAsync(world.GroupNotes!);
        var text = await member.OpenAsync(world.Text);
        var accesses = Watch(notes);
        var textAccesses = Watch(text);
        Assert.Equal("edit", Describe(notes.Access));

        await world.RunAsync("phase", new { phase = "review" });

        // Pushed to the open documents (no reload, no keystroke needed), and reopening gave each its new access.
        await pushed.FirstAsync(p => p.DocId == world.GroupNotes, "AccessChanged for the group notes");
        await pushed.FirstAsync(p => p.DocId == world.Text, "AccessChanged for the recommendation's text");
        Assert.Equal("read phase review", Describe(await accesses.FirstAsync(a => a.Mode == AccessMode.Read, "the notes' new access")));
        Assert.Equal("suggest phase review", Describe(await textAccesses.FirstAsync(a => a.Mode == AccessMode.Suggest, "the text's new access")));
        Assert.Equal("read phase review", Describe(notes.Access));

        // And back: drafting opens them again.
        await world.RunAsync("phase", new { phase = "draft" });
        Assert.Equal("edit", Describe(await accesses.FirstAsync(a => a.Mode == AccessMode.Edit, "the notes editable again")));
        notes.Edit(current => current.Length == 0
            ? Collab.Text.TextOperation.Of(Collab.Text.OpComponent.Insert("Draft: "))
            : Collab.Text.TextOperation.Of(Collab.Text.OpComponent.Insert("Draft: "), Collab.Text.OpComponent.Retain(current.Length)));
        await notes.WaitSyncedAsync(Pushes<AccessChanged>.Patience);
    }

    [Fact]
    public async Task OpenDocumentAndAccessChangedSpeakTheContractsJson()
    {
        var world = await WorldAsync("share");
        await using var raw = node.Raw(world.Participant.Token);
        var pushed = new TaskCompletionSource<System.Text.Json.JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        raw.On<System.Text.Json.JsonElement>("AccessChanged", change => pushed.TrySetResult(change));
        await raw.StartAsync();
        var opened = await raw.InvokeAsync<System.Text.Json.JsonElement>("OpenDocument", new { docId = world.Text, lastRevision = (int?)null });
        Assert.Equal("""{"mode":"edit","reason":null,"phase":null}""", opened.GetProperty("access").GetRawText());

        await world.RunAsync("phase", new { phase = "review" });
        var change = await pushed.Task.WaitAsync(Pushes<AccessChanged>.Patience);
        var reopened = await raw.InvokeAsync<System.Text.Json.JsonElement>("OpenDocument", new { docId = world.Text, lastRevision = change.GetProperty("revision").GetInt32() });
        var workshop = await world.Workshop.OkAsync<System.Text.Json.JsonElement>(world.Participant.Token, HttpMethod.Get, $"/api/workshops/{world.Workshop.Id}");

        Assert.Equal(world.Text, change.GetProperty("docId").GetString());
        Assert.Equal("""{"mode":"suggest","reason":"phase","phase":"review"}""", reopened.GetProperty("access").GetRawText());
        Assert.Equal(0, reopened.GetProperty("ops").GetArrayLength());
        var active = workshop.GetProperty("activePhase");
        Assert.Equal(("live", Breakouts, "review", "suggest"), (
            active.GetProperty("stage").GetString(), active.GetProperty("sessionId").GetString(), active.GetProperty("phase").GetString(),
            active.GetProperty("rule").GetProperty("recommendations").GetString()));
        var table = workshop.GetProperty("agenda").EnumerateArray().Single(s => s.GetProperty("id").GetString() == Breakouts).GetProperty("phaseRules");
        Assert.Equal(
            """{"notes":"read","plenary":"read","propose":false,"recommendations":"read","comment":false,"suggest":false,"endorse":true}""",
            table.GetProperty("adopt").GetRawText());
    }

    [Fact]
    public async Task EndingTheSessionMakesItsGroupNotesReadOnlyForParticipants()
    {
        var world = await WorldAsync("draft");
        await using var member = await CollabConnection.ConnectAsync(node.HubUrl, world.Member.Token);
        var notes = await member.OpenAsync(world.GroupNotes!);
        var accesses = Watch(notes);

        await world.RunAsync("end");

        Assert.Equal("read session_ended", Describe(await accesses.FirstAsync(a => a.Mode == AccessMode.Read, "the notes read only after the end")));
        Assert.Equal("document.phase_read_only", await RefusedOpAsync(world, member, world.GroupNotes!, "after-end"));

        // The rapporteur still writes the group's notes up; starting the session again opens them to members.
        await using (var rapporteur = await CollabConnection.ConnectAsync(node.HubUrl, world.Rapporteur.Token))
        {
            Assert.Equal("edit", Describe((await rapporteur.OpenAsync(world.GroupNotes!)).Access));
        }

        await world.RunAsync("start");
        Assert.Equal("edit", Describe(await accesses.FirstAsync(a => a.Mode == AccessMode.Edit, "the notes editable once the session runs again")));
    }

    [Fact]
    public async Task ASessionsOwnPhaseRulesReplaceTheDefaultRowsAndTheWorkshopShowsTheTable()
    {
        var body = WorkshopWithRules(new Dictionary<string, object>
        {
            // Members keep writing their notes in review; a custom phase where everyone votes and still comments.
            ["review"] = new { notes = "edit" },
            ["vote"] = new { notes = "read", plenary = "read", propose = false, recommendations = "read", comment = true, suggest = false, endorse = true },
        });
        var world = await WorldAsync("share", body);

        var shown = (await world.Workshop.OkAsync<WorkshopView>(world.Workshop.Facilitator.Token, HttpMethod.Get, $"/api/workshops/{world.Workshop.Id}"))
            .Agenda.Single(s => s.Id == Breakouts).PhaseRules!;
        Assert.Equal(["share", "review", "vote", "closing"], shown.Keys);
        Assert.Equal(new PhaseRule(AccessMode.Edit, AccessMode.Read, false, AccessMode.Suggest, true, true, false), shown["review"]);
        Assert.Equal(new PhaseRule(AccessMode.Read, AccessMode.Read, false, AccessMode.Read, true, false, true), shown["vote"]);
        Assert.Equal(new PhaseRule(AccessMode.Edit, AccessMode.Edit, true, AccessMode.Edit, true, true, false), shown["share"]);

        // A phase with no row of its own behaves as review.
        Assert.Equal(new PhaseRule(AccessMode.Read, AccessMode.Read, false, AccessMode.Suggest, true, true, false), shown["closing"]);

        await world.RunAsync("phase", new { phase = "review" });
        await using (var member = await CollabConnection.ConnectAsync(node.HubUrl, world.Member.Token))
        {
            Assert.Equal("edit", Describe((await member.OpenAsync(world.GroupNotes!)).Access));
            Assert.Equal("read phase review", Describe((await member.OpenAsync(world.Plenary)).Access));
        }

        await world.RunAsync("phase", new { phase = "vote" });
        Assert.Equal(["-propose", "comment", "-suggest", "endorse"], (await CommandsAsync(world, world.Participant)).Select(Short));

        await world.RunAsync("phase", new { phase = "closing" });
        Assert.Equal(["-propose", "comment", "suggest", "-endorse"], (await CommandsAsync(world, world.Participant)).Select(Short));

        static string Short(string answer) => answer.EndsWith(": ok", StringComparison.Ordinal) ? answer[..answer.IndexOf(':', StringComparison.Ordinal)] : "-" + answer[..answer.IndexOf(':', StringComparison.Ordinal)];
    }

    [Fact]
    public async Task ChangingTheLiveSessionsRulesAppliesThemToOpenEditorsAtOnce()
    {
        var world = await WorldAsync("review");
        await using var member = await CollabConnection.ConnectAsync(node.HubUrl, world.Member.Token);
        var notes = await member.OpenAsync(world.GroupNotes!);
        var accesses = Watch(notes);
        Assert.Equal("read phase review", Describe(notes.Access));
        var workshop = await world.Workshop.OkAsync<WorkshopView>(world.Workshop.Facilitator.Token, HttpMethod.Get, $"/api/workshops/{world.Workshop.Id}");

        var agenda = workshop.Agenda.Select(s => new
        {
            s.Id, s.Day, s.Title, s.Kind, s.Phases,
            phaseRules = s.Id == Breakouts ? new Dictionary<string, object> { ["review"] = new { notes = "edit" } } : null,
        });
        await world.Workshop.OkAsync<WorkshopView>(world.Workshop.Facilitator.Token, HttpMethod.Put, $"/api/workshops/{world.Workshop.Id}", new
        {
            workshop.Title, workshop.StartsOn, workshop.EndsOn, workshop.Languages, agenda,
        });

        Assert.Equal("edit", Describe(await accesses.FirstAsync(a => a.Mode == AccessMode.Edit, "the notes editable under the new review row")));
    }

    [Theory]
    [InlineData("""{"brainstorm":{"notes":"edit"}}""")]
    [InlineData("""{"review":{"notes":"suggest"}}""")]
    [InlineData("""{"review":{"plenary":"suggest"}}""")]
    [InlineData("""{"review":{"recommendations":7}}""")]
    [InlineData("""{"review":null}""")]
    [InlineData("""{"Review":{"notes":"edit"},"review":{"notes":"read"}}""")]
    public async Task PhaseRulesThatCannotApplyAreRefusedWithTheirCode(string rules)
    {
        var json = $$"""
            {"title":"T","startsOn":"2026-11-30","endsOn":"2026-11-30","languages":["en"],"creator":{"name":"F"},
             "agenda":[{"day":1,"title":"S","phases":["share","review"],"phaseRules":{{rules}}}]}
            """;
        using var client = new HttpClient { BaseAddress = node.Address };
        using var response = await client.PostAsync("/api/workshops", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));
        var problem = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("session.phase_rules_invalid", problem.GetProperty("code").GetString());
    }

    [Fact]
    public async Task AFacilitatorsLockIsTheReasonWhileItLastsAndIsPushedAsAccessChanged()
    {
        var world = await WorldAsync("share");
        await using var participant = await CollabConnection.ConnectAsync(node.HubUrl, world.Participant.Token);
        var plenary = await participant.OpenAsync(world.Plenary);
        var accesses = Watch(plenary);

        await world.Workshop.OkAsync<DocumentView>(world.Workshop.Facilitator.Token, HttpMethod.Post, $"/api/documents/{world.Plenary}/lock");
        Assert.Equal("read locked", Describe(await accesses.FirstAsync(a => a.Mode == AccessMode.Read, "the plenary notes locked")));
        Assert.Equal("document.locked", await RefusedOpAsync(world, participant, world.Plenary, "locked"));

        await world.Workshop.OkAsync<DocumentView>(world.Workshop.Facilitator.Token, HttpMethod.Post, $"/api/documents/{world.Plenary}/unlock");
        Assert.Equal("edit", Describe(await accesses.FirstAsync(a => a.Mode == AccessMode.Edit, "the plenary notes unlocked")));
    }

    [Fact]
    public async Task MovingAMemberOutOfTheGroupTellsTheirEditorAtOnce()
    {
        var world = await WorldAsync("share");
        await using var member = await CollabConnection.ConnectAsync(node.HubUrl, world.Member.Token);
        var notes = await member.OpenAsync(world.GroupNotes!);
        var accesses = Watch(notes);

        await world.RunAsync("breakouts/move", new { participantId = world.Member.Id, groupId = (string?)null });

        Assert.Equal(NotMember, Describe(await accesses.FirstAsync(a => a.Mode == AccessMode.Read, "the notes closed to a former member")));
    }

    [Fact]
    public async Task InReviewParticipantsSuggestWhateverThePhaseAllowsMoreAndTheirAuthorCannotAcceptWhenThePhaseClosesSuggesting()
    {
        var world = await WorldAsync("draft");
        var path = $"/api/workshops/{world.Workshop.Id}/recommendations/{world.Recommendation}";
        await world.Workshop.OkAsync<RecommendationView>(world.Workshop.Facilitator.Token, HttpMethod.Post, path + "/status", new { status = "inReview" });
        await using var author = await CollabConnection.ConnectAsync(node.HubUrl, world.Member.Token);

        // Drafting lets participants edit, but the status restricts them to suggesting: the status is the reason.
        Assert.Equal("suggest status", Describe((await author.OpenAsync(world.Text)).Access));
        Assert.Equal("document.suggest_only", await RefusedOpAsync(world, author, world.Text, "in-review"));
        var suggested = await world.Workshop.OkAsync<RecommendationView>(world.Participant.Token, HttpMethod.Post, path + "/suggestions",
            new { language = "en", start = 0, end = 6, revision = 0, replacement = "Set up" });

        await world.RunAsync("phase", new { phase = "adopt" });
        var closed = await world.Workshop.RejectedAsync(world.Member.Token, HttpMethod.Post, $"{path}/suggestions/{suggested.Suggestions[0].Id}/accept", null, 403);
        var text = await world.Workshop.OkAsync<TextAtRevision>(world.Workshop.Facilitator.Token, HttpMethod.Get, $"/api/documents/{world.Text}/text");

        Assert.Equal("phase.suggest_closed", closed);
        Assert.Equal("Create joint border committees.", text.Text);

        // A facilitator may: accepting applies it through the sequencer.
        await world.Workshop.OkAsync<RecommendationView>(world.Workshop.Facilitator.Token, HttpMethod.Post, $"{path}/suggestions/{suggested.Suggestions[0].Id}/accept");
        Assert.Equal("Set up joint border committees.", (await world.Workshop.OkAsync<TextAtRevision>(world.Workshop.Facilitator.Token, HttpMethod.Get, $"/api/documents/{world.Text}/text")).Text);
    }

    // --- the world of one test -----------------------------------------------------------------------------------

    /// <summary>
    /// A workshop with a facilitator, a rapporteur, a participant in the breakout group ("member"), one outside it
    /// ("participant"), an observer; plenary notes; a proposed recommendation; then the stage: no session yet
    /// (preparation), the breakouts session in a phase, or that session ended.
    /// </summary>
    private async Task<World> WorldAsync(string stage, object? body = null)
    {
        var workshop = await TestWorkshop.CreateAsync(() => new HttpClient { BaseAddress = node.Address }, body);
        var world = new World(
            workshop,
            await workshop.JoinAsync("Aïcha Rapporteure", "rapporteur"),
            await workshop.JoinAsync("Awa Sow", delegation: "bj"),
            await workshop.JoinAsync("Kofi Mensah", delegation: "gh"),
            await workshop.JoinAsync("Observer", "observer"),
            await workshop.NewDocumentAsync("Plenary notes", "Opening remarks."));
        var proposed = await workshop.OkAsync<RecommendationView>(world.Member.Token, HttpMethod.Post, $"/api/workshops/{workshop.Id}/recommendations",
            new { title = "Joint border committees", text = "Create joint border committees.", language = "en" });
        await workshop.OkAsync<RecommendationView>(world.Member.Token, HttpMethod.Post, $"/api/workshops/{workshop.Id}/recommendations/{proposed.Id}/status", new { status = "proposed" });
        world.Recommendation = proposed.Id;
        world.Text = proposed.Texts.Single(t => t.OfRecord).DocId;
        if (stage == "preparation")
        {
            return world;
        }

        await world.RunAsync("start");
        var opened = await world.RunAsync("breakouts", new { naming = "named", names = new[] { "Coastal states" }, assignment = "manual" });
        var group = opened.Breakouts!.Groups.Single();
        await world.RunAsync("breakouts/move", new { participantId = world.Member.Id, groupId = group.Id });
        world.GroupNotes = group.Documents.Single(d => d.Section == "best-practices").DocId;
        if (stage == "ended")
        {
            await world.RunAsync("end");
        }
        else
        {
            await world.RunAsync("phase", new { phase = stage });
        }

        return world;
    }

    private static object WorkshopWithRules(Dictionary<string, object> rules) => new
    {
        title = "Rules of our own",
        startsOn = "2026-11-30",
        endsOn = "2026-11-30",
        languages = new[] { "en", "fr" },
        creator = new { name = "Facilitator Fatou" },
        delegations = new object[] { new { id = "bj", name = "Benin" }, new { id = "gh", name = "Ghana" } },
        agenda = new object[] { new { id = Breakouts, day = 1, title = "Breakouts", kind = "breakouts", phases = new[] { "share", "review", "vote", "closing" }, phaseRules = rules } },
    };

    /// <summary>The access the role gets on opening, and what its op gets: <c>ok</c> or the refusal's code (and the text unchanged).</summary>
    private static async Task<string> AccessAndOpAsync(World world, CollabConnection connection, string docId, string clientId)
    {
        var access = Describe((await connection.OpenAsync(docId)).Access);
        var before = await world.TextAsync(docId);
        try
        {
            var ack = await connection.Connection.InvokeAsync<SubmitResult>("SubmitOp", new
            {
                docId, baseRevision = before.Revision, clientId, clientSeq = 1L, op = Prepend(before.Text),
            });
            return $"{access} → {(ack.Revision == before.Revision + 1 ? "ok" : $"ok at revision {ack.Revision}?")}";
        }
        catch (HubException refused)
        {
            var after = await world.TextAsync(docId);
            return $"{access} → {HubErrors.CodeOf(refused)}{(after == before ? "" : " (but the text changed)")}";
        }
    }

    private static async Task<string> RefusedOpAsync(World world, CollabConnection connection, string docId, string clientId)
    {
        var before = await world.TextAsync(docId);
        var refused = await Assert.ThrowsAsync<HubException>(() => connection.Connection.InvokeAsync<SubmitResult>("SubmitOp", new
        {
            docId, baseRevision = before.Revision, clientId, clientSeq = 1L, op = Prepend(before.Text),
        }));
        Assert.Equal(before, await world.TextAsync(docId));
        return HubErrors.CodeOf(refused)!;
    }

    /// <summary>An op (wire form) writing "x" before <paramref name="text"/>.</summary>
    private static object[] Prepend(string text) => text.Length == 0 ? ["x"] : ["x", text.Length];

    /// <summary>The code <c>SubmitOp</c> answers for an access: docs/protocol.md's table.</summary>
    private static string OpAnswerFor(string access) => access switch
    {
        "edit" => "ok",
        Observer => "document.read_only",
        NotMember => "document.not_a_member",
        "read locked" => "document.locked",
        _ when access.StartsWith("suggest", StringComparison.Ordinal) => "document.suggest_only",
        _ when access.StartsWith("read status", StringComparison.Ordinal) => "document.status_locked",
        _ => "document.phase_read_only",
    };

    /// <summary>Propose, comment, suggest and endorse as <paramref name="member"/>: <c>name: ok</c> or <c>name: code</c>.</summary>
    private static async Task<List<string>> CommandsAsync(World world, TestWorkshop.Member member) =>
    [
        $"propose: {await ProposeAsync(world, member.Token)}",
        $"comment: {await CommentAsync(world, member.Token)}",
        $"suggest: {await world.CommandAsync(member.Token, "/suggestions", new { language = "en", start = 0, end = 6, revision = 0, replacement = "Set up" })}",
        $"endorse: {await world.CommandAsync(member.Token, "/endorsements", new { stance = "support" })}",
    ];

    private static Task<string> ProposeAsync(World world, string token) =>
        world.CommandAsync(token, null, new { title = "Community radio", text = "Fund community radio.", language = "en" });

    private static Task<string> CommentAsync(World world, string token) =>
        world.CommandAsync(token, "/comments", new { language = "en", start = 0, end = 6, revision = 0, text = "Which committees?" });

    private static Pushes<DocumentAccess> Watch(SharedDocument document)
    {
        var pushes = new Pushes<DocumentAccess>();
        document.AccessChanged += pushes.Add;
        return pushes;
    }

    private static string Describe(DocumentAccess access) =>
        string.Join(' ', new[] { access.Mode.ToString().ToLowerInvariant(), access.Reason, access.Phase }.Where(p => p is not null));

    private sealed record Expected(string[]? Group, string[] Plenary, string[] Text, string Commands);

    private sealed class World(
        TestWorkshop workshop, TestWorkshop.Member rapporteur, TestWorkshop.Member member, TestWorkshop.Member participant, TestWorkshop.Member observer, string plenary)
    {
        public TestWorkshop Workshop => workshop;

        public TestWorkshop.Member Rapporteur => rapporteur;

        /// <summary>A participant in the breakout group (and the recommendation's author).</summary>
        public TestWorkshop.Member Member => member;

        /// <summary>A participant in no group.</summary>
        public TestWorkshop.Member Participant => participant;

        public string Plenary => plenary;

        public string? GroupNotes { get; set; }

        public string Recommendation { get; set; } = "";

        public string Text { get; set; } = "";

        public string Token(string role) => role switch
        {
            "facilitator" => workshop.Facilitator.Token,
            "rapporteur" => rapporteur.Token,
            "member" => member.Token,
            "participant" => participant.Token,
            _ => observer.Token,
        };

        /// <summary>A facilitator's command on the breakouts session, which must succeed.</summary>
        public Task<SessionView> RunAsync(string action, object? body = null) =>
            workshop.OkAsync<SessionView>(workshop.Facilitator.Token, HttpMethod.Post, $"/api/workshops/{workshop.Id}/sessions/{Breakouts}/{action}", body);

        public Task<TextAtRevision> TextAsync(string docId) =>
            workshop.OkAsync<TextAtRevision>(workshop.Facilitator.Token, HttpMethod.Get, $"/api/documents/{docId}/text");

        /// <summary>A recommendation command (<paramref name="rest"/> under the recommendation; null: propose): <c>ok</c> or its code.</summary>
        public async Task<string> CommandAsync(string token, string? rest, object body)
        {
            var path = $"/api/workshops/{workshop.Id}/recommendations" + (rest is null ? "" : $"/{Recommendation}{rest}");
            using var response = await workshop.SendAsync(token, HttpMethod.Post, path, body);
            if (response.IsSuccessStatusCode)
            {
                return "ok";
            }

            var problem = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
            return problem.GetProperty("code").GetString()!;
        }
    }
}
