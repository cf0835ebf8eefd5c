using Collab.Client;
using Collab.Documents;
using Collab.Sessions;
using Collab.Workshops;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Collab.Tests.Sessions;

/// <summary>
/// The rules of a live session over the real HTTP API, with pushes observed on real SignalR connections: control
/// transitions, phases, the countdown, announcements, help requests and breakout assignment. Each test runs its own
/// workshop (one live session per workshop). Every rejection is checked to leave the session as it was.
/// </summary>
public sealed class SessionRulesTests(KestrelWebNode node) : IClassFixture<KestrelWebNode>
{
    private const string Breakouts = "d1-breakouts";
    private const string Opening = "d1-opening";

    private Task<TestWorkshop> NewWorkshopAsync() => TestWorkshop.CreateAsync(() => new HttpClient { BaseAddress = node.Address });

    private static string Api(TestWorkshop workshop, string action, string session = Breakouts) =>
        $"/api/workshops/{workshop.Id}/sessions/{session}" + (action.Length == 0 ? "" : "/" + action);

    /// <summary>A facilitator's command that must succeed.</summary>
    private static Task<SessionView> RunAsync(TestWorkshop workshop, string action, object? body = null, string session = Breakouts) =>
        workshop.OkAsync<SessionView>(workshop.Facilitator.Token, HttpMethod.Post, Api(workshop, action, session), body);

    private static Task<SessionView> ReadAsync(TestWorkshop workshop, string? token = null, string session = Breakouts) =>
        workshop.OkAsync<SessionView>(token ?? workshop.Facilitator.Token, HttpMethod.Get, Api(workshop, "", session));

    /// <summary>The command is refused with <paramref name="status"/> and <paramref name="code"/>, and the session is exactly as it was.</summary>
    private static async Task RefusedAsync(
        TestWorkshop workshop, string action, object? body, int status, string code, string? token = null, string session = Breakouts)
    {
        var before = await ReadAsync(workshop, session: session);
        Assert.Equal(code, await workshop.RejectedAsync(token ?? workshop.Facilitator.Token, HttpMethod.Post, Api(workshop, action, session), body, status));
        var after = await ReadAsync(workshop, session: session);
        Assert.Equal(before.Version, after.Version);
        Assert.Equivalent(before with { ServerTime = default }, after with { ServerTime = default }, strict: true);
    }

    private static Task<SessionView> OpenBreakoutsAsync(TestWorkshop workshop, object request) => RunAsync(workshop, "breakouts", request);

    private async Task<Watcher> WatchAsync(TestWorkshop.Member member, string session = Breakouts)
    {
        var watcher = new Watcher(member, await CollabConnection.ConnectAsync(node.HubUrl, member.Token));
        watcher.First = await watcher.Connection.WatchSessionAsync(session);
        return watcher;
    }

    // --- Status and phases -------------------------------------------------------------------------------------

    [Fact]
    public async Task FacilitatorStartsPausesResumesAndEndsASessionAndWatchersSeeEachStep()
    {
        var workshop = await NewWorkshopAsync();
        await using var watcher = await WatchAsync(await workshop.JoinAsync("Awa", delegation: "bj"));
        Assert.Equal(SessionStatus.Scheduled, watcher.First.Status);

        var started = await RunAsync(workshop, "start");
        Assert.Equal((SessionStatus.Running, "share"), (started.Status, started.Phase));
        Assert.Equal(Breakouts, (await workshop.OkAsync<WorkshopView>(workshop.Facilitator.Token, HttpMethod.Get, $"/api/workshops/{workshop.Id}")).LiveSessionId);

        var paused = await RunAsync(workshop, "pause");
        var resumed = await RunAsync(workshop, "resume");
        var ended = await RunAsync(workshop, "end");

        Assert.Equal(
            [SessionStatus.Paused, SessionStatus.Running, SessionStatus.Ended],
            new[] { paused, resumed, ended }.Select(s => s.Status));
        Assert.True(started.Version < paused.Version && paused.Version < resumed.Version && resumed.Version < ended.Version);
        var pushed = await watcher.Sessions.FirstAsync(s => s.Status == SessionStatus.Ended, "SessionChanged with the session ended");
        Assert.Equal(ended.Version, pushed.Version);
        foreach (var step in new[] { started, paused, resumed })
        {
            Assert.Contains(watcher.Sessions.Received, s => s.Version == step.Version && s.Status == step.Status);
        }

        Assert.Null((await workshop.OkAsync<WorkshopView>(workshop.Facilitator.Token, HttpMethod.Get, $"/api/workshops/{workshop.Id}")).LiveSessionId);
    }

    [Fact]
    public async Task ANewActivationOfTheSessionPushesToWatchersAtOnceWithoutWaitingForTheirRenewal()
    {
        var workshop = await NewWorkshopAsync();
        await using var watcher = await WatchAsync(await workshop.JoinAsync("Kossi", delegation: "tg"));

        // The session's activation goes (as when its silo dies); the web node's renewal is 30 s away.
        var session = node.Services.GetRequiredService<IClusterClient>().GetGrain<ISessionGrain>(SessionKeys.Of(workshop.Id, Breakouts));
        await session.AsReference<Orleans.Core.Internal.IGrainManagementExtension>().DeactivateOnIdle();

        // The facilitator's start wakes a new activation, which pushes to the watcher's node from its first change.
        var started = await RunAsync(workshop, "start");
        var pushed = await watcher.Sessions.FirstAsync(s => s.Status == SessionStatus.Running, "SessionChanged from the new activation", TimeSpan.FromSeconds(10));
        Assert.Equal(started.Version, pushed.Version);
    }

    [Fact]
    public async Task TransitionThatDoesNotFollowFromTheStatusIsRefusedAndChangesNothing()
    {
        var workshop = await NewWorkshopAsync();
        foreach (var action in new[] { "pause", "resume", "end" })
        {
            await RefusedAsync(workshop, action, null, 409, "session.invalid_transition");
        }

        await RunAsync(workshop, "start");
        foreach (var action in new[] { "start", "resume" })
        {
            await RefusedAsync(workshop, action, null, 409, "session.invalid_transition");
        }

        await RunAsync(workshop, "end");
        await RefusedAsync(workshop, "pause", null, 409, "session.invalid_transition");
    }

    [Fact]
    public async Task ParticipantCannotRunTheSession()
    {
        var workshop = await NewWorkshopAsync();
        var participant = await workshop.JoinAsync("Kofi", delegation: "gh");

        await RefusedAsync(workshop, "start", null, 403, "session.facilitators_only", participant.Token);
        await RunAsync(workshop, "start");
        await RefusedAsync(workshop, "breakouts", new { naming = "numbered", count = 2 }, 403, "session.facilitators_only", participant.Token);
        await RefusedAsync(workshop, "announcements", new { text = "Hello" }, 403, "session.facilitators_only", participant.Token);
        await RefusedAsync(workshop, "timer", new { action = "start", seconds = 60 }, 403, "session.facilitators_only", participant.Token);
    }

    [Fact]
    public async Task OnlyOneSessionOfAWorkshopIsLiveAtATime()
    {
        var workshop = await NewWorkshopAsync();
        await RunAsync(workshop, "start", session: Opening);

        await RefusedAsync(workshop, "start", null, 409, "session.another_live");
        Assert.Equal(SessionStatus.Scheduled, (await ReadAsync(workshop)).Status);

        await RunAsync(workshop, "end", session: Opening);
        Assert.Equal(SessionStatus.Running, (await RunAsync(workshop, "start")).Status);
    }

    [Fact]
    public async Task PhaseMovesWithinTheSessionsPhasesAndAnUnknownPhaseIsRefused()
    {
        var workshop = await NewWorkshopAsync();
        var started = await RunAsync(workshop, "start");
        Assert.Equal(["share", "draft", "review", "adopt"], started.Phases);

        var review = await RunAsync(workshop, "phase", new { phase = "Review" });
        Assert.Equal("review", review.Phase);

        await RefusedAsync(workshop, "phase", new { phase = "brainstorm" }, 400, "session.phase_unknown");
        await RefusedAsync(workshop, "phase", new { phase = "" }, 400, "session.phase_unknown");
        Assert.Equal("draft", (await RunAsync(workshop, "phase", new { phase = "draft" })).Phase);
    }

    // --- Countdown ---------------------------------------------------------------------------------------------

    [Fact]
    public async Task StartedCountdownPushesItsDeadlineAndPausingKeepsTheTimeLeftUntilResume()
    {
        var workshop = await NewWorkshopAsync();
        await using var watcher = await WatchAsync(await workshop.JoinAsync("Awa", delegation: "bj"));
        await RunAsync(workshop, "start");

        // The server's clock decides; each bound below is a server time taken before or after the command ran.
        var before = DateTimeOffset.UtcNow;
        var started = await RunAsync(workshop, "timer", new { action = "start", seconds = 600, label = "Group work" });
        var pushed = await watcher.Sessions.FirstAsync(s => s.Version == started.Version, "SessionChanged with the countdown");
        Assert.Equal(started.Timer!.Deadline, pushed.Timer!.Deadline);
        Assert.Equal("Group work", pushed.Timer.Label);
        var deadline = pushed.Timer.Deadline!.Value;
        Assert.InRange(deadline - TimeSpan.FromSeconds(600), before, started.ServerTime);

        var paused = await RunAsync(workshop, "pause");
        Assert.Null(paused.Timer!.Deadline);
        var remaining = paused.Timer.Remaining!.Value;
        Assert.InRange(remaining, deadline - paused.ServerTime, deadline - started.ServerTime);
        Assert.Equal(remaining, (await ReadAsync(workshop)).Timer!.Remaining);

        var resumed = await RunAsync(workshop, "resume");
        Assert.Null(resumed.Timer!.Remaining);
        Assert.InRange(resumed.Timer.Deadline!.Value - remaining, paused.ServerTime, resumed.ServerTime);
        await watcher.Sessions.FirstAsync(s => s.Version == resumed.Version && s.Timer?.Deadline == resumed.Timer.Deadline, "SessionChanged with the resumed deadline");
    }

    [Fact]
    public async Task ExtendingMovesTheDeadlineAndCancellingRemovesTheCountdown()
    {
        var workshop = await NewWorkshopAsync();
        await using var watcher = await WatchAsync(await workshop.JoinAsync("Awa", delegation: "bj"));
        await RunAsync(workshop, "start");
        var started = await RunAsync(workshop, "timer", new { action = "start", seconds = 600 });

        var extended = await RunAsync(workshop, "timer", new { action = "extend", seconds = 120 });
        Assert.Equal(started.Timer!.Deadline + TimeSpan.FromSeconds(120), extended.Timer!.Deadline);
        Assert.Equal(TimeSpan.FromSeconds(720), extended.Timer.Duration);

        var cancelled = await RunAsync(workshop, "timer", new { action = "cancel" });
        Assert.Null(cancelled.Timer);
        await watcher.Sessions.FirstAsync(s => s.Version == cancelled.Version && s.Timer is null, "SessionChanged without a countdown");
    }

    [Fact]
    public async Task CountdownCommandsThatMakeNoSenseAreRefusedAndChangeNothing()
    {
        var workshop = await NewWorkshopAsync();
        await RefusedAsync(workshop, "timer", new { action = "start", seconds = 60 }, 409, "session.not_running");
        await RunAsync(workshop, "start");

        await RefusedAsync(workshop, "timer", new { action = "extend", seconds = 60 }, 409, "timer.not_running");
        await RefusedAsync(workshop, "timer", new { action = "cancel" }, 409, "timer.not_running");
        await RefusedAsync(workshop, "timer", new { action = "start", seconds = 0 }, 400, "timer.duration_invalid");
        await RefusedAsync(workshop, "timer", new { action = "start", seconds = -5 }, 400, "timer.duration_invalid");

        await RunAsync(workshop, "timer", new { action = "start", seconds = 60 });
        await RefusedAsync(workshop, "timer", new { action = "extend", seconds = 0 }, 400, "timer.duration_invalid");
    }

    // --- Announcements and help --------------------------------------------------------------------------------

    [Fact]
    public async Task AnnouncementToEveryoneReachesEveryWatcher()
    {
        var workshop = await NewWorkshopAsync();
        await RunAsync(workshop, "start");
        await using var facilitator = await WatchAsync(workshop.Facilitator);
        await using var awa = await WatchAsync(await workshop.JoinAsync("Awa", delegation: "bj"));
        await using var kofi = await WatchAsync(await workshop.JoinAsync("Kofi", delegation: "gh"));
        await using var observer = await WatchAsync(await workshop.JoinAsync("Press", "observer"));

        var sent = await workshop.OkAsync<AnnouncementView>(
            workshop.Facilitator.Token, HttpMethod.Post, Api(workshop, "announcements"), new { text = "Coffee break until 11:00 / Pause café" });

        Assert.Null(sent.Recipients);
        foreach (var watcher in new[] { facilitator, awa, kofi, observer })
        {
            var heard = await watcher.Announcements.FirstAsync(a => a.Id == sent.Id, $"{watcher.Name}: the announcement to everyone");
            Assert.Equal(("Coffee break until 11:00 / Pause café", "Facilitator Fatou"), (heard.Text, heard.AuthorName));
        }

        Assert.Contains(sent.Id, (await ReadAsync(workshop, awa.Token)).Announcements.Select(a => a.Id));
    }

    [Fact]
    public async Task AnnouncementToOneGroupReachesItsMembersAndTheFacilitatorsButNoOtherGroup()
    {
        var workshop = await NewWorkshopAsync();
        var people = new[]
        {
            await workshop.JoinAsync("Awa", delegation: "bj"),
            await workshop.JoinAsync("Kofi", delegation: "gh"),
            await workshop.JoinAsync("Yao", delegation: "bj"),
            await workshop.JoinAsync("Ama", delegation: "gh"),
        };
        await RunAsync(workshop, "start");
        var groups = (await OpenBreakoutsAsync(workshop, new { naming = "numbered", count = 2, assignment = "mixDelegations" })).Breakouts!.Groups;
        await using var facilitator = await WatchAsync(workshop.Facilitator);
        var watchers = new List<Watcher>();
        foreach (var person in people)
        {
            watchers.Add(await WatchAsync(person));
        }

        try
        {
            var target = groups[0];
            var insiders = watchers.Where(w => target.Members.Contains(w.Id)).ToList();
            var outsiders = watchers.Except(insiders).ToList();
            Assert.Equal((2, 2), (insiders.Count, outsiders.Count));

            var toGroup = await workshop.OkAsync<AnnouncementView>(
                workshop.Facilitator.Token, HttpMethod.Post, Api(workshop, "announcements"), new { text = "Five minutes left", groupId = target.Id });
            Assert.Equal(target.Members, toGroup.Recipients);
            foreach (var watcher in insiders.Append(facilitator))
            {
                await watcher.Announcements.FirstAsync(a => a.Id == toGroup.Id, $"{watcher.Name}: the announcement to {target.Name}");
            }

            // An announcement to everyone afterwards: once the other group has it, the group's one would have arrived too.
            var toAll = await workshop.OkAsync<AnnouncementView>(
                workshop.Facilitator.Token, HttpMethod.Post, Api(workshop, "announcements"), new { text = "Back in plenary at noon" });
            foreach (var watcher in outsiders)
            {
                await watcher.Announcements.FirstAsync(a => a.Id == toAll.Id, $"{watcher.Name}: the announcement to everyone");
                Assert.DoesNotContain(watcher.Announcements.Received, a => a.Id == toGroup.Id);
                Assert.DoesNotContain(toGroup.Id, (await ReadAsync(workshop, watcher.Token)).Announcements.Select(a => a.Id));
            }

            Assert.Contains(toGroup.Id, (await ReadAsync(workshop, insiders[0].Token)).Announcements.Select(a => a.Id));
            await RefusedAsync(workshop, "announcements", new { text = "Hello", groupId = "g9" }, 404, "group.not_found");
            await RefusedAsync(workshop, "announcements", new { text = "   " }, 400, "announcement.length");
        }
        finally
        {
            foreach (var watcher in watchers)
            {
                await watcher.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task HelpRequestReachesTheFacilitatorsQueueUntilResolvedAndParticipantsCannotReadTheQueue()
    {
        var workshop = await NewWorkshopAsync();
        var awaMember = await workshop.JoinAsync("Awa", delegation: "bj");
        await RunAsync(workshop, "start");
        await using var facilitator = await WatchAsync(workshop.Facilitator);
        await using var awa = await WatchAsync(awaMember);
        await using var kofi = await WatchAsync(await workshop.JoinAsync("Kofi", delegation: "gh"));
        var help = $"/api/workshops/{workshop.Id}/sessions/{Breakouts}/help";

        var asked = await workshop.OkAsync<HelpRequestView>(awa.Token, HttpMethod.Post, help, new { message = "Our document will not open" });

        var queued = await facilitator.Help.FirstAsync(q => q.Open.Any(r => r.Id == asked.Id), "HelpQueueChanged with Awa's request");
        var request = Assert.Single(queued.Open);
        Assert.Equal((awaMember.Id, "Awa", SessionKeys.Plenary, "Our document will not open"), (request.ParticipantId, request.Name, request.Room, request.Message));
        Assert.Equal([asked.Id], (await workshop.OkAsync<List<HelpRequestView>>(workshop.Facilitator.Token, HttpMethod.Get, help)).Select(r => r.Id));
        Assert.Equal("session.facilitators_only", await workshop.RejectedAsync(awa.Token, HttpMethod.Get, help, null, 403));
        Assert.Equal("session.facilitators_only", await workshop.RejectedAsync(kofi.Token, HttpMethod.Post, $"{help}/{asked.Id}/resolve", null, 403));

        var remaining = await workshop.OkAsync<List<HelpRequestView>>(workshop.Facilitator.Token, HttpMethod.Post, $"{help}/{asked.Id}/resolve");

        Assert.Empty(remaining);
        await facilitator.Help.FirstAsync(q => q.Open.Count == 0, "HelpQueueChanged with the queue empty");
        Assert.Empty(await workshop.OkAsync<List<HelpRequestView>>(workshop.Facilitator.Token, HttpMethod.Get, help));
        Assert.Equal("help.not_found", await workshop.RejectedAsync(workshop.Facilitator.Token, HttpMethod.Post, $"{help}/{asked.Id}/resolve", null, 404));

        // Participants never get the queue pushed (an announcement afterwards fences what was sent before it).
        var fence = await workshop.OkAsync<AnnouncementView>(workshop.Facilitator.Token, HttpMethod.Post, Api(workshop, "announcements"), new { text = "Thanks" });
        foreach (var participant in new[] { awa, kofi })
        {
            await participant.Announcements.FirstAsync(a => a.Id == fence.Id, $"{participant.Name}: the announcement after the help request");
            Assert.Empty(participant.Help.Received);
        }
    }

    // --- Breakout assignment -----------------------------------------------------------------------------------

    [Fact]
    public async Task MovedParticipantEditsTheirNewGroupsDocumentsAndNoLongerTheOldOnes()
    {
        var workshop = await NewWorkshopAsync();
        var awaMember = await workshop.JoinAsync("Awa", delegation: "bj");
        var kofiMember = await workshop.JoinAsync("Kofi", delegation: "gh");
        await RunAsync(workshop, "start");
        var opened = await OpenBreakoutsAsync(workshop, new { naming = "numbered", count = 2, assignment = "mixDelegations" });
        var from = Assert.Single(opened.Breakouts!.Groups, g => g.Members.Contains(awaMember.Id));
        var to = Assert.Single(opened.Breakouts.Groups, g => g.Members.Contains(kofiMember.Id));
        Assert.NotEqual(from.Id, to.Id);
        await using var awa = await WatchAsync(awaMember);
        Assert.Equal("ok", await awa.SubmitAsync(BestPractices(from)));
        Assert.Equal("document.not_a_member", await awa.SubmitAsync(BestPractices(to)));

        var moved = await RunAsync(workshop, "breakouts/move", new { participantId = awaMember.Id, groupId = to.Id });

        Assert.Equal(new[] { awaMember.Id, kofiMember.Id }.Order(StringComparer.Ordinal), moved.Breakouts!.Groups.Single(g => g.Id == to.Id).Members);
        var pushed = await awa.Sessions.FirstAsync(
            s => s.Breakouts!.Groups.Single(g => g.Id == to.Id).Members.Contains(awaMember.Id), "SessionChanged with Awa in her new group");
        Assert.Empty(pushed.Breakouts!.Groups.Single(g => g.Id == from.Id).Members);
        Assert.Equal("ok", await awa.SubmitAsync(BestPractices(to)));
        Assert.Equal("document.not_a_member", await awa.SubmitAsync(BestPractices(from)));

        await RefusedAsync(workshop, "breakouts/move", new { participantId = awaMember.Id, groupId = "g9" }, 404, "group.not_found");
        await RefusedAsync(workshop, "breakouts/move", new { participantId = "nobody", groupId = from.Id }, 404, "participant.not_found");
        await RefusedAsync(workshop, "breakouts/move", new { participantId = awaMember.Id, groupId = from.Id }, 403, "session.facilitators_only", kofiMember.Token);

        // Back to plenary: no group's documents are hers any more.
        var plenary = await RunAsync(workshop, "breakouts/move", new { participantId = awaMember.Id, groupId = (string?)null });
        Assert.DoesNotContain(plenary.Breakouts!.Groups, g => g.Members.Contains(awaMember.Id));
        Assert.Equal("document.not_a_member", await awa.SubmitAsync(BestPractices(to)));
    }

    [Fact]
    public async Task ParticipantSentBackToPlenaryStaysThereWhenTheyWatchAgain()
    {
        var workshop = await NewWorkshopAsync();
        var awaMember = await workshop.JoinAsync("Awa", delegation: "bj");
        await workshop.JoinAsync("Kofi", delegation: "gh");
        await RunAsync(workshop, "start");
        await OpenBreakoutsAsync(workshop, new { naming = "numbered", count = 2, assignment = "mixDelegations" });
        var sent = await RunAsync(workshop, "breakouts/move", new { participantId = awaMember.Id, groupId = (string?)null });

        // A reload (a new connection watching the session) is not a late arrival: the facilitator's move stands.
        await using var awa = await WatchAsync(awaMember);

        Assert.DoesNotContain(awa.First.Breakouts!.Groups, g => g.Members.Contains(awaMember.Id));
        Assert.Equal(sent.Version, awa.First.Version);
    }

    [Fact]
    public async Task InSelfSelectModeParticipantsChooseTheirGroup()
    {
        var workshop = await NewWorkshopAsync();
        var awaMember = await workshop.JoinAsync("Awa", delegation: "bj");
        await RunAsync(workshop, "start");
        var opened = await OpenBreakoutsAsync(workshop, new { naming = "named", names = new[] { "Cross-border trade", "Security" }, assignment = "selfSelect" });
        Assert.All(opened.Breakouts!.Groups, g => Assert.Empty(g.Members));
        await using var awa = await WatchAsync(awaMember);
        var choose = Api(workshop, "breakouts/choose");

        var security = opened.Breakouts.Groups.Single(g => g.Name == "Security");
        var chosen = await workshop.OkAsync<SessionView>(awa.Token, HttpMethod.Post, choose, new { groupId = security.Id });
        Assert.Equal([awaMember.Id], chosen.Breakouts!.Groups.Single(g => g.Id == security.Id).Members);
        await awa.Sessions.FirstAsync(s => s.Breakouts!.Groups.Single(g => g.Id == security.Id).Members.Contains(awaMember.Id), "SessionChanged with Awa in Security");
        Assert.Equal("ok", await awa.SubmitAsync(BestPractices(security)));

        var trade = opened.Breakouts.Groups.Single(g => g.Name == "Cross-border trade");
        var changed = await workshop.OkAsync<SessionView>(awa.Token, HttpMethod.Post, choose, new { groupId = trade.Id });
        Assert.Equal([awaMember.Id], changed.Breakouts!.Groups.Single(g => g.Id == trade.Id).Members);
        Assert.Empty(changed.Breakouts.Groups.Single(g => g.Id == security.Id).Members);

        await RefusedAsync(workshop, "breakouts/choose", new { groupId = "g9" }, 404, "group.not_found", awa.Token);
        await RefusedAsync(workshop, "breakouts/choose", new { groupId = trade.Id }, 403, "breakouts.participants_only");
    }

    [Fact]
    public async Task ChoosingAGroupWhenTheFacilitatorAssignsIsRefusedAndChangesNothing()
    {
        var workshop = await NewWorkshopAsync();
        var awa = await workshop.JoinAsync("Awa", delegation: "bj");
        await RunAsync(workshop, "start");
        await RefusedAsync(workshop, "breakouts/choose", new { groupId = "g1" }, 409, "breakouts.not_self_select", awa.Token);

        var opened = await OpenBreakoutsAsync(workshop, new { naming = "numbered", count = 2, assignment = "mixDelegations" });
        var other = Assert.Single(opened.Breakouts!.Groups, g => !g.Members.Contains(awa.Id));

        await RefusedAsync(workshop, "breakouts/choose", new { groupId = other.Id }, 409, "breakouts.not_self_select", awa.Token);
    }

    [Fact]
    public async Task GroupsPerDelegationKeepingDelegationsPutEachDelegationInItsOwnGroup()
    {
        var workshop = await NewWorkshopAsync();
        var people = new List<(TestWorkshop.Member Member, string Delegation)>();
        foreach (var (name, delegation) in new[] { ("Awa", "bj"), ("Yao", "bj"), ("Kofi", "gh"), ("Ama", "gh"), ("Komi", "tg") })
        {
            people.Add((await workshop.JoinAsync(name, delegation: delegation), delegation));
        }

        await RunAsync(workshop, "start");
        var opened = await OpenBreakoutsAsync(workshop, new { naming = "perDelegation", assignment = "keepDelegations" });

        var groups = opened.Breakouts!.Groups;
        Assert.Equal(["Benin", "Burkina Faso", "Côte d'Ivoire", "Ghana", "Togo", "ECOWAS"], groups.Select(g => g.Name));
        foreach (var (id, name) in new[] { ("bj", "Benin"), ("bf", "Burkina Faso"), ("ci", "Côte d'Ivoire"), ("gh", "Ghana"), ("tg", "Togo"), ("ecowas", "ECOWAS") })
        {
            Assert.Equal(
                people.Where(p => p.Delegation == id).Select(p => p.Member.Id).Order(StringComparer.Ordinal),
                groups.Single(g => g.Name == name).Members);
        }
    }

    [Fact]
    public async Task ParticipantWhoJoinsAfterBreakoutsOpenedIsPlacedInTheSmallestGroupWhenTheyFirstWatch()
    {
        var workshop = await NewWorkshopAsync();
        foreach (var (name, delegation) in new[] { ("Awa", "bj"), ("Yao", "bj"), ("Kofi", "gh"), ("Ama", "gh"), ("Komi", "tg") })
        {
            await workshop.JoinAsync(name, delegation: delegation);
        }

        await RunAsync(workshop, "start");
        var opened = await OpenBreakoutsAsync(workshop, new { naming = "numbered", count = 3, assignment = "mixDelegations" });
        Assert.Equal([1, 2, 2], opened.Breakouts!.Groups.Select(g => g.Members.Count).Order());
        var smallest = opened.Breakouts.Groups.Single(g => g.Members.Count == 1);
        await using var facilitator = await WatchAsync(workshop.Facilitator);

        var lateMember = await workshop.JoinAsync("Adjoa", delegation: "ci");
        Assert.DoesNotContain((await ReadAsync(workshop)).Breakouts!.Groups, g => g.Members.Contains(lateMember.Id));
        await using var late = await WatchAsync(lateMember);

        Assert.Equal(smallest.Id, Assert.Single(late.First.Breakouts!.Groups, g => g.Members.Contains(lateMember.Id)).Id);
        var seen = await facilitator.Sessions.FirstAsync(
            s => s.Breakouts!.Groups.Any(g => g.Members.Contains(lateMember.Id)), "SessionChanged with the late joiner placed");
        Assert.Equal([2, 2, 2], seen.Breakouts!.Groups.Select(g => g.Members.Count));
        Assert.Equal("ok", await late.SubmitAsync(BestPractices(smallest)));

        // Watching again (another tab, a reconnect) keeps them where they are.
        await using var again = await WatchAsync(lateMember);
        Assert.Equal(smallest.Id, Assert.Single(again.First.Breakouts!.Groups, g => g.Members.Contains(lateMember.Id)).Id);
        Assert.Equal(seen.Version, again.First.Version);
    }

    [Fact]
    public async Task ParticipantWhoJoinsAfterGroupsPerDelegationOpenedIsPlacedInTheirDelegationsGroup()
    {
        var workshop = await NewWorkshopAsync();
        await workshop.JoinAsync("Awa", delegation: "bj");
        await RunAsync(workshop, "start");
        await OpenBreakoutsAsync(workshop, new { naming = "perDelegation", assignment = "keepDelegations" });

        // Nobody from Côte d'Ivoire was there when the groups opened; its group is empty, like several others.
        var lateMember = await workshop.JoinAsync("Adjoa", delegation: "ci");
        await using var late = await WatchAsync(lateMember);

        Assert.Equal("Côte d'Ivoire", Assert.Single(late.First.Breakouts!.Groups, g => g.Members.Contains(lateMember.Id)).Name);
    }

    private static string BestPractices(GroupView group) => group.Documents.Single(d => d.Section == "best-practices").DocId;

    /// <summary>One participant's (or facilitator's) connection watching a session, and what it received.</summary>
    private sealed class Watcher : IAsyncDisposable
    {
        private readonly TestWorkshop.Member _member;
        private int _submissions;

        public Watcher(TestWorkshop.Member member, CollabConnection connection)
        {
            _member = member;
            Connection = connection;
            connection.SessionChanged += Sessions.Add;
            connection.Announced += Announcements.Add;
            connection.HelpQueueChanged += Help.Add;
        }

        public string Id => _member.Id;

        public string Name => _member.Name;

        public string Token => _member.Token;

        public CollabConnection Connection { get; }

        /// <summary>The view <c>WatchSession</c> answered.</summary>
        public SessionView First { get; set; } = null!;

        public Pushes<SessionView> Sessions { get; } = new();

        public Pushes<AnnouncementView> Announcements { get; } = new();

        public Pushes<HelpQueue> Help { get; } = new();

        /// <summary>Inserts one character at the start of a document: "ok", or the code it was refused with.</summary>
        public async Task<string?> SubmitAsync(string docId)
        {
            var seq = Interlocked.Increment(ref _submissions);
            try
            {
                await Connection.Connection.InvokeAsync<SubmitResult>(
                    "SubmitOp", new { docId, baseRevision = 0, clientId = $"{_member.Id}-{seq}", clientSeq = 1, op = new object[] { "x" } });
                return "ok";
            }
            catch (HubException e)
            {
                return HubErrors.CodeOf(e);
            }
        }

        public ValueTask DisposeAsync() => Connection.DisposeAsync();
    }
}
