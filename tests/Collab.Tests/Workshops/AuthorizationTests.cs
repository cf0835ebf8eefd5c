using System.Net.Http.Json;
using System.Text;
using Collab.Client;
using Collab.Documents;
using Collab.Sessions;
using Collab.Workshops;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Collab.Tests.Workshops;

/// <summary>
/// Who may do what, through the real front doors (HTTP API and hub over Kestrel) with real signed tokens: the grains
/// decide, every refusal is a typed error, and a refused command changes nothing.
/// </summary>
public sealed class AuthorizationTests(KestrelWebNode node) : IClassFixture<KestrelWebNode>
{
    private const string BreakoutSession = "d1-breakouts";

    private static readonly object TwoNumberedGroups = new { naming = "numbered", count = 2, assignment = "mixDelegations" };

    [Fact]
    public async Task ParticipantCannotStartASession()
    {
        var workshop = await NewWorkshopAsync();
        var participant = await workshop.JoinAsync("Awa Dossou", delegation: "bj");

        var code = await workshop.RejectedAsync(participant.Token, HttpMethod.Post, SessionPath(workshop, "d1-opening", "start"), null, 403);

        Assert.Equal("session.facilitators_only", code);
        var session = await workshop.OkAsync<SessionView>(workshop.Facilitator.Token, HttpMethod.Get, SessionPath(workshop, "d1-opening"));
        Assert.Equal(SessionStatus.Scheduled, session.Status);
        Assert.Null((await WorkshopOf(workshop)).LiveSessionId);
    }

    [Fact]
    public async Task ParticipantCannotOpenBreakouts()
    {
        var workshop = await NewWorkshopAsync();
        var participant = await workshop.JoinAsync("Kofi Mensah", delegation: "gh");
        await workshop.JoinAsync("Yao Kouassi", delegation: "ci");
        var running = await workshop.OkAsync<SessionView>(workshop.Facilitator.Token, HttpMethod.Post, SessionPath(workshop, BreakoutSession, "start"));

        var code = await workshop.RejectedAsync(participant.Token, HttpMethod.Post, SessionPath(workshop, BreakoutSession, "breakouts"), TwoNumberedGroups, 403);

        Assert.Equal("session.facilitators_only", code);
        var session = await workshop.OkAsync<SessionView>(workshop.Facilitator.Token, HttpMethod.Get, SessionPath(workshop, BreakoutSession));
        Assert.Null(session.Breakouts);
        Assert.Equal(running.Version, session.Version);
    }

    [Fact]
    public async Task ParticipantCannotEditAnotherGroupsDocument()
    {
        var breakouts = await OpenTwoGroupsAsync();
        var docId = breakouts.B.Documents[0].DocId;
        var before = await TextAsync(breakouts.Workshop, docId);
        await using var outsider = await ConnectAsync(breakouts.MemberOfA.Token);

        // Reading another group's notes is allowed; writing into them is not.
        var opened = await outsider.InvokeAsync<OpenedDocument>("OpenDocument", new { docId, lastRevision = (int?)null });
        var error = await Assert.ThrowsAsync<HubException>(() => SubmitAsync(outsider, docId, before, "Not my group"));

        Assert.Equal(before.Text, opened.Text);
        Assert.Equal("document.not_a_member", HubErrors.CodeOf(error));
        Assert.Equal(before, await TextAsync(breakouts.Workshop, docId));
    }

    [Fact]
    public async Task GroupMemberEditsTheGroupsDocument()
    {
        var breakouts = await OpenTwoGroupsAsync();
        var docId = breakouts.B.Documents[0].DocId;
        var before = await TextAsync(breakouts.Workshop, docId);
        await using var member = await ConnectAsync(breakouts.MemberOfB.Token);
        await member.InvokeAsync<OpenedDocument>("OpenDocument", new { docId, lastRevision = (int?)null });

        var ack = await SubmitAsync(member, docId, before, "Cross-border radio ");

        Assert.Equal(before.Revision + 1, ack.Revision);
        Assert.Equal("Cross-border radio " + before.Text, (await TextAsync(breakouts.Workshop, docId)).Text);
    }

    [Fact]
    public async Task RapporteurEditsAnyGroupsDocument()
    {
        var breakouts = await OpenTwoGroupsAsync();
        var rapporteur = await breakouts.Workshop.JoinAsync("Rapporteur Ruth", "rapporteur");
        var docId = breakouts.B.Documents[0].DocId;
        var before = await TextAsync(breakouts.Workshop, docId);
        await using var connection = await ConnectAsync(rapporteur.Token);

        var ack = await SubmitAsync(connection, docId, before, "Synthèse : ");

        Assert.DoesNotContain(rapporteur.Id, breakouts.A.Members.Concat(breakouts.B.Members));
        Assert.Equal(before.Revision + 1, ack.Revision);
        Assert.Equal("Synthèse : " + before.Text, (await TextAsync(breakouts.Workshop, docId)).Text);
    }

    [Fact]
    public async Task ObserverCannotEditAPlenaryDocument()
    {
        var workshop = await node.WorkshopAsync();
        var docId = await workshop.NewDocumentAsync("Recommendations", "1. Harmonise border procedures.");
        var observer = await node.MemberAsync("Observer Odile", "observer");
        await using var connection = await ConnectAsync(observer.Token);

        var error = await Assert.ThrowsAsync<HubException>(() =>
            SubmitAsync(connection, docId, new TextAtRevision(0, "1. Harmonise border procedures.", null), "0. "));

        Assert.Equal("document.read_only", HubErrors.CodeOf(error));
        var after = await TextAsync(workshop, docId);
        Assert.Equal((0, "1. Harmonise border procedures."), (after.Revision, after.Text));
    }

    [Fact]
    public async Task ObserverReadsAPlenaryDocument()
    {
        var workshop = await node.WorkshopAsync();
        var docId = await workshop.NewDocumentAsync("Lessons learnt", "Early warning works when communities own it.");
        var observer = await node.MemberAsync("Observer Omar", "observer");
        await using var connection = await ConnectAsync(observer.Token);

        var overHttp = await workshop.OkAsync<TextAtRevision>(observer.Token, HttpMethod.Get, $"/api/documents/{docId}/text");
        var overHub = await connection.InvokeAsync<OpenedDocument>("OpenDocument", new { docId, lastRevision = (int?)null });

        Assert.Equal("Early warning works when communities own it.", overHttp.Text);
        Assert.Equal("Early warning works when communities own it.", overHub.Text);
    }

    [Fact]
    public async Task TokenOfAnotherWorkshopCannotReadTheWorkshop()
    {
        var other = await NewWorkshopAsync();
        var outsider = (await node.WorkshopAsync()).Facilitator;

        // Not even "forbidden": a caller of another workshop learns nothing, not that it exists.
        Assert.Equal("workshop.not_found", await other.RejectedAsync(outsider.Token, HttpMethod.Get, $"/api/workshops/{other.Id}", null, 404));
        Assert.Equal("workshop.not_found", await other.RejectedAsync(outsider.Token, HttpMethod.Get, $"/api/workshops/{other.Id}/roster", null, 404));
        Assert.Equal("workshop.not_found", await other.RejectedAsync(outsider.Token, HttpMethod.Get, $"/api/workshops/{other.Id}/join-codes", null, 404));
        Assert.Equal(
            "workshop.not_found",
            await other.RejectedAsync(outsider.Token, HttpMethod.Post, $"/api/workshops/{other.Id}/documents", new { title = "Intruder", text = "" }, 404));
        Assert.Empty((await WorkshopOf(other)).Documents);
    }

    [Fact]
    public async Task TokenOfAnotherWorkshopCannotReadOrEditItsDocuments()
    {
        var other = await NewWorkshopAsync();
        var docId = await other.NewDocumentAsync("Challenges", "Porous borders.");
        var outsider = (await node.WorkshopAsync()).Facilitator;
        await using var connection = await ConnectAsync(outsider.Token);

        foreach (var path in new[] { $"/api/documents/{docId}", $"/api/documents/{docId}/text", $"/api/documents/{docId}/ops" })
        {
            Assert.Equal("document.not_found", await other.RejectedAsync(outsider.Token, HttpMethod.Get, path, null, 404));
        }

        Assert.Equal("document.not_found", await other.RejectedAsync(outsider.Token, HttpMethod.Post, $"/api/documents/{docId}/lock", null, 404));
        var open = await Assert.ThrowsAsync<HubException>(() =>
            connection.InvokeAsync<OpenedDocument>("OpenDocument", new { docId, lastRevision = (int?)null }));
        var submit = await Assert.ThrowsAsync<HubException>(() =>
            SubmitAsync(connection, docId, new TextAtRevision(0, "Porous borders.", null), "Very "));

        Assert.Equal("document.not_found", HubErrors.CodeOf(open));
        Assert.Equal("document.not_found", HubErrors.CodeOf(submit));
        var after = await other.OkAsync<DocumentView>(other.Facilitator.Token, HttpMethod.Get, $"/api/documents/{docId}");
        Assert.Equal((0, false), (after.Revision, after.Locked));
        Assert.Equal("Porous borders.", (await TextAsync(other, docId)).Text);
    }

    [Fact]
    public async Task TokenOfAnotherWorkshopCannotReadOrRunItsSessions()
    {
        var other = await NewWorkshopAsync();
        var outsider = (await node.WorkshopAsync()).Facilitator;

        Assert.Equal("session.not_found", await other.RejectedAsync(outsider.Token, HttpMethod.Get, SessionPath(other, "d1-opening"), null, 404));
        Assert.Equal("session.not_found", await other.RejectedAsync(outsider.Token, HttpMethod.Post, SessionPath(other, "d1-opening", "start"), null, 404));

        var session = await other.OkAsync<SessionView>(other.Facilitator.Token, HttpMethod.Get, SessionPath(other, "d1-opening"));
        Assert.Equal(SessionStatus.Scheduled, session.Status);
        Assert.Null((await WorkshopOf(other)).LiveSessionId);
    }

    [Fact]
    public async Task LockedDocumentRejectsOpsFromEveryone()
    {
        var workshop = await node.WorkshopAsync();
        var docId = await workshop.NewDocumentAsync("Adopted text", "Adopted.");
        await workshop.OkAsync<DocumentView>(workshop.Facilitator.Token, HttpMethod.Post, $"/api/documents/{docId}/lock");
        await using var participant = await ConnectAsync((await node.MemberAsync("Locked Out")).Token);
        await using var facilitator = await ConnectAsync(workshop.Facilitator.Token);
        var before = await TextAsync(workshop, docId);

        var byParticipant = await Assert.ThrowsAsync<HubException>(() => SubmitAsync(participant, docId, before, "Not "));
        var byFacilitator = await Assert.ThrowsAsync<HubException>(() => SubmitAsync(facilitator, docId, before, "Not "));

        Assert.Equal("document.locked", HubErrors.CodeOf(byParticipant));
        Assert.Equal("document.locked", HubErrors.CodeOf(byFacilitator));
        Assert.Equal(before, await TextAsync(workshop, docId));

        // The lock, and nothing else, stood in the way.
        await workshop.OkAsync<DocumentView>(workshop.Facilitator.Token, HttpMethod.Post, $"/api/documents/{docId}/unlock");
        Assert.Equal(1, (await SubmitAsync(participant, docId, before, "Now ")).Revision);
    }

    [Theory]
    [InlineData("participant")]
    [InlineData("rapporteur")]
    [InlineData("observer")]
    public async Task OnlyFacilitatorsLockAndUnlockDocuments(string role)
    {
        var workshop = await node.WorkshopAsync();
        var open = await workshop.NewDocumentAsync("Open text", "Open.");
        var locked = await workshop.NewDocumentAsync("Locked text", "Locked.");
        await workshop.OkAsync<DocumentView>(workshop.Facilitator.Token, HttpMethod.Post, $"/api/documents/{locked}/lock");
        var member = await node.MemberAsync("Would-be locker", role);

        var lockCode = await workshop.RejectedAsync(member.Token, HttpMethod.Post, $"/api/documents/{open}/lock", null, 403);
        var unlockCode = await workshop.RejectedAsync(member.Token, HttpMethod.Post, $"/api/documents/{locked}/unlock", null, 403);

        Assert.Equal(("document.lock_forbidden", "document.lock_forbidden"), (lockCode, unlockCode));
        Assert.False((await DocumentAsync(workshop, open)).Locked);
        Assert.True((await DocumentAsync(workshop, locked)).Locked);
    }

    [Fact]
    public async Task ParticipantCannotImportARoster()
    {
        var workshop = await NewWorkshopAsync();
        var participant = await workshop.JoinAsync("Adjoa Mensah", delegation: "gh");
        using var http = new HttpClient { BaseAddress = node.Address };
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/workshops/{workshop.Id}/roster")
        {
            Content = new StringContent("name,email\nIntruder Ivan,ivan@example.org\n", Encoding.UTF8, "text/csv"),
        };
        request.Headers.Authorization = new("Bearer", participant.Token);

        using var response = await http.SendAsync(request);
        var problem = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>(TestWorkshop.Json);

        Assert.Equal(403, (int)response.StatusCode);
        Assert.Equal("workshop.facilitators_only", problem.GetProperty("code").GetString());
        var roster = await RosterAsync(workshop);
        Assert.Equal(["Adjoa Mensah", "Facilitator Fatou"], roster.Select(p => p.Name));
    }

    [Theory]
    [InlineData("participant")]
    [InlineData("rapporteur")]
    [InlineData("observer")]
    public async Task OnlyFacilitatorsSeeJoinCodes(string role)
    {
        var workshop = await NewWorkshopAsync();
        var member = await workshop.JoinAsync("Curious Kwame", role);

        var code = await workshop.RejectedAsync(member.Token, HttpMethod.Get, $"/api/workshops/{workshop.Id}/join-codes", null, 403);

        Assert.Equal("workshop.facilitators_only", code);
    }

    [Fact]
    public async Task ParticipantCannotRotateAJoinCode()
    {
        var workshop = await NewWorkshopAsync();
        var participant = await workshop.JoinAsync("Rotating Rita");
        var codes = await JoinCodesAsync(workshop);

        var code = await workshop.RejectedAsync(participant.Token, HttpMethod.Post, $"/api/workshops/{workshop.Id}/join-codes/participant/rotate", null, 403);

        Assert.Equal("workshop.facilitators_only", code);
        Assert.Equal(codes, await JoinCodesAsync(workshop));
        await workshop.JoinAsync("Still Welcome");
    }

    [Fact]
    public async Task ParticipantCannotRemoveAnotherParticipant()
    {
        var workshop = await NewWorkshopAsync();
        var remover = await workshop.JoinAsync("Remover Rémi");
        var target = await workshop.JoinAsync("Target Tanko");

        var code = await workshop.RejectedAsync(remover.Token, HttpMethod.Delete, $"/api/workshops/{workshop.Id}/participants/{target.Id}", null, 403);

        Assert.Equal("workshop.facilitators_only", code);
        Assert.Equal(target.Id, (await workshop.OkAsync<Caller>(target.Token, HttpMethod.Get, $"/api/workshops/{workshop.Id}/me")).ParticipantId);
        Assert.Equal(3, (await WorkshopOf(workshop)).ParticipantCount);
    }

    /// <summary>A fresh workshop (its own live session) with four participants split into two breakout groups.</summary>
    private async Task<Breakouts> OpenTwoGroupsAsync()
    {
        var workshop = await NewWorkshopAsync();
        var participants = new List<TestWorkshop.Member>();
        foreach (var (name, delegation) in new[] { ("Awa", "bj"), ("Issa", "bf"), ("Kofi", "gh"), ("Afi", "tg") })
        {
            participants.Add(await workshop.JoinAsync(name, delegation: delegation));
        }

        var facilitator = workshop.Facilitator.Token;
        await workshop.OkAsync<SessionView>(facilitator, HttpMethod.Post, SessionPath(workshop, BreakoutSession, "start"));
        var session = await workshop.OkAsync<SessionView>(facilitator, HttpMethod.Post, SessionPath(workshop, BreakoutSession, "breakouts"), TwoNumberedGroups);

        var groups = session.Breakouts!.Groups;
        Assert.Equal(2, groups.Count);
        Assert.All(groups, g => Assert.NotEmpty(g.Documents));
        TestWorkshop.Member MemberOf(GroupView group) => participants.First(p => group.Members.Contains(p.Id));
        return new Breakouts(workshop, groups[0], groups[1], MemberOf(groups[0]), MemberOf(groups[1]));
    }

    private sealed record Breakouts(TestWorkshop Workshop, GroupView A, GroupView B, TestWorkshop.Member MemberOfA, TestWorkshop.Member MemberOfB);

    private Task<TestWorkshop> NewWorkshopAsync() => TestWorkshop.CreateAsync(() => new HttpClient { BaseAddress = node.Address });

    private async Task<HubConnection> ConnectAsync(string token)
    {
        var connection = node.Raw(token);
        await connection.StartAsync();
        return connection;
    }

    /// <summary>Inserts <paramref name="insert"/> at the start of the text as it was at <paramref name="seen"/>; a fresh client id each time.</summary>
    private static Task<SubmitResult> SubmitAsync(HubConnection connection, string docId, TextAtRevision seen, string insert) =>
        connection.InvokeAsync<SubmitResult>("SubmitOp", new
        {
            docId,
            baseRevision = seen.Revision,
            clientId = Guid.NewGuid().ToString("N"),
            clientSeq = 1L,
            op = seen.Text.Length == 0 ? new object[] { insert } : [insert, seen.Text.Length],
        });

    private static string SessionPath(TestWorkshop workshop, string sessionId, string? action = null) =>
        $"/api/workshops/{workshop.Id}/sessions/{sessionId}" + (action is null ? "" : "/" + action);

    private static Task<TextAtRevision> TextAsync(TestWorkshop workshop, string docId) =>
        workshop.OkAsync<TextAtRevision>(workshop.Facilitator.Token, HttpMethod.Get, $"/api/documents/{docId}/text");

    private static Task<DocumentView> DocumentAsync(TestWorkshop workshop, string docId) =>
        workshop.OkAsync<DocumentView>(workshop.Facilitator.Token, HttpMethod.Get, $"/api/documents/{docId}");

    private static Task<WorkshopView> WorkshopOf(TestWorkshop workshop) =>
        workshop.OkAsync<WorkshopView>(workshop.Facilitator.Token, HttpMethod.Get, $"/api/workshops/{workshop.Id}");

    private static Task<List<ParticipantView>> RosterAsync(TestWorkshop workshop) =>
        workshop.OkAsync<List<ParticipantView>>(workshop.Facilitator.Token, HttpMethod.Get, $"/api/workshops/{workshop.Id}/roster");

    private static Task<List<JoinCode>> JoinCodesAsync(TestWorkshop workshop) =>
        workshop.OkAsync<List<JoinCode>>(workshop.Facilitator.Token, HttpMethod.Get, $"/api/workshops/{workshop.Id}/join-codes");
}
