using Collab.Client;
using Collab.Sessions;
using Microsoft.AspNetCore.SignalR.Client;

namespace Collab.Tests.Sessions;

/// <summary>
/// What a participant learns of their help request and of announcements (issue 15, item 12): the person who asked is
/// told when a facilitator handled it, nobody else is; announcements belong to their session, so a later session's
/// view carries none of an earlier one's, and a group's announcement says which group it was for.
/// </summary>
public sealed class HelpAndAnnouncementsTests(KestrelWebNode node) : IClassFixture<KestrelWebNode>
{
    private const string Breakouts = "d1-breakouts";
    private const string Opening = "d1-opening";

    private static string Api(TestWorkshop workshop, string session, string action) => $"/api/workshops/{workshop.Id}/sessions/{session}/{action}";

    [Fact]
    public async Task TheParticipantWhoAskedForHelpIsToldItWasHandledAndNobodyElseIs()
    {
        var workshop = await TestWorkshop.CreateAsync(() => new HttpClient { BaseAddress = node.Address });
        var awa = await workshop.JoinAsync("Awa", delegation: "bj");
        var kofi = await workshop.JoinAsync("Kofi", delegation: "gh");
        await workshop.OkAsync<SessionView>(workshop.Facilitator.Token, HttpMethod.Post, Api(workshop, Breakouts, "start"));
        await using var awaConnection = await CollabConnection.ConnectAsync(node.HubUrl, awa.Token);
        await using var kofiConnection = await CollabConnection.ConnectAsync(node.HubUrl, kofi.Token);
        await using var facilitatorConnection = await CollabConnection.ConnectAsync(node.HubUrl, workshop.Facilitator.Token);
        var toAwa = new Pushes<HelpHandled>();
        var toOthers = new Pushes<HelpHandled>();
        awaConnection.Connection.On<HelpHandled>("HelpHandled", toAwa.Add);
        kofiConnection.Connection.On<HelpHandled>("HelpHandled", toOthers.Add);
        facilitatorConnection.Connection.On<HelpHandled>("HelpHandled", toOthers.Add);
        var kofiAnnouncements = new Pushes<AnnouncementView>();
        kofiConnection.Announced += kofiAnnouncements.Add;
        await kofiConnection.WatchSessionAsync(Breakouts);

        var asked = await workshop.OkAsync<HelpRequestView>(awa.Token, HttpMethod.Post, Api(workshop, Breakouts, "help"), new { message = "Interpretation please" });
        await workshop.OkAsync<List<HelpRequestView>>(workshop.Facilitator.Token, HttpMethod.Post, Api(workshop, Breakouts, $"help/{asked.Id}/resolve"));

        var handled = await toAwa.FirstAsync(h => h.RequestId == asked.Id, "HelpHandled for Awa's request");
        Assert.Equal((workshop.Id, Breakouts, awa.Id, workshop.Facilitator.Name), (handled.WorkshopId, handled.SessionId, handled.ParticipantId, handled.HandledBy));

        // Nobody else hears of it (an announcement afterwards fences what was sent before it).
        var fence = await workshop.OkAsync<AnnouncementView>(workshop.Facilitator.Token, HttpMethod.Post, Api(workshop, Breakouts, "announcements"), new { text = "Thanks" });
        await kofiAnnouncements.FirstAsync(a => a.Id == fence.Id, "the announcement after the help was handled");
        Assert.Empty(toOthers.Received);

        // Handling it again is refused, and tells nobody anything more.
        Assert.Equal("help.not_found", await workshop.RejectedAsync(workshop.Facilitator.Token, HttpMethod.Post, Api(workshop, Breakouts, $"help/{asked.Id}/resolve"), null, 404));
        Assert.Single(toAwa.Received);
    }

    [Fact]
    public async Task AnnouncementsBelongToTheirSessionAndAGroupsOneNamesItsGroup()
    {
        var workshop = await TestWorkshop.CreateAsync(() => new HttpClient { BaseAddress = node.Address });
        var awa = await workshop.JoinAsync("Awa", delegation: "bj");
        await workshop.OkAsync<SessionView>(workshop.Facilitator.Token, HttpMethod.Post, Api(workshop, Opening, "start"));
        var earlier = await workshop.OkAsync<AnnouncementView>(workshop.Facilitator.Token, HttpMethod.Post, Api(workshop, Opening, "announcements"), new { text = "Lunch at 13:00" });
        Assert.Equal(Opening, earlier.SessionId);
        await workshop.OkAsync<SessionView>(workshop.Facilitator.Token, HttpMethod.Post, Api(workshop, Opening, "end"));

        await workshop.OkAsync<SessionView>(workshop.Facilitator.Token, HttpMethod.Post, Api(workshop, Breakouts, "start"));
        var opened = await workshop.OkAsync<SessionView>(
            workshop.Facilitator.Token, HttpMethod.Post, Api(workshop, Breakouts, "breakouts"), new { naming = "numbered", count = 1, assignment = "mixDelegations" });
        var group = Assert.Single(opened.Breakouts!.Groups);
        var toGroup = await workshop.OkAsync<AnnouncementView>(
            workshop.Facilitator.Token, HttpMethod.Post, Api(workshop, Breakouts, "announcements"), new { text = "Five minutes left", groupId = group.Id });

        await using var connection = await CollabConnection.ConnectAsync(node.HubUrl, awa.Token);
        var later = await connection.WatchSessionAsync(Breakouts);
        Assert.DoesNotContain(later.Announcements, a => a.Id == earlier.Id);
        var mine = Assert.Single(later.Announcements, a => a.Id == toGroup.Id);
        Assert.Equal((Breakouts, group.Id), (mine.SessionId, mine.GroupId));
        Assert.Equal([awa.Id], mine.Recipients);
    }
}
