using System.Text.Json;
using Collab.Recommendations;
using Microsoft.AspNetCore.SignalR.Client;

namespace Collab.Tests.Recommendations;

/// <summary>
/// Endorsing in the plenary through the real API and hub, with real tokens: abstaining, and a rule change reaching
/// every open board.
/// </summary>
public sealed class EndorsementTests(KestrelWebNode node) : IClassFixture<KestrelWebNode>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private sealed record Room(TestWorkshop Workshop, TestWorkshop.Member Benin, TestWorkshop.Member Ghana, TestWorkshop.Member Togo)
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
            await workshop.JoinAsync("Kofi Mensah", delegation: "gh"),
            await workshop.JoinAsync("Komi Agbeko", delegation: "tg"));
    }

    private static async Task<RecommendationView> ProposedAsync(Room room)
    {
        var draft = await room.Workshop.OkAsync<RecommendationView>(room.Benin.Token, HttpMethod.Post, room.Path(), new
        {
            title = "Quarterly cross-border community forums",
            theme = "Cooperation",
            text = "Hold a forum of border communities every quarter.",
            language = "en",
        });
        var proposed = await room.Workshop.OkAsync<RecommendationView>(room.Benin.Token, HttpMethod.Post, room.Path($"/{draft.Id}/status"), new { status = "proposed" });

        // Endorsements are taken in the plenary's adopt phase.
        await Plenary.PhaseAsync(room.Workshop, "adopt");
        return proposed;
    }

    private static async Task<T> WithinPatience<T>(Task<T> task, string expected)
    {
        try
        {
            return await task.WaitAsync(Patience);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"Waited {Patience.TotalSeconds} s for {expected}.", e);
        }
    }

    private static Task<RecommendationView> VoteAsync(Room room, string id, TestWorkshop.Member member, string stance, string? reservation = null) =>
        room.Workshop.OkAsync<RecommendationView>(member.Token, HttpMethod.Post, room.Path($"/{id}/endorsements"), new { stance, reservation });

    [Fact]
    public async Task AnAbstentionIsShownInTheTallyAndCountsOnNeitherSide()
    {
        var room = await RoomAsync();
        var proposed = await ProposedAsync(room);

        // Consensus: one voice for and one abstention is a consensus (the abstention blocks nothing).
        await VoteAsync(room, proposed.Id, room.Benin, "support");
        var abstained = await VoteAsync(room, proposed.Id, room.Ghana, "abstain", "Ignored: only reservations carry a text.");

        var ghana = abstained.Endorsements.Single(e => e.Voter == "gh");
        Assert.Equal((Stance.Abstain, null), (ghana.Stance, ghana.Reservation));
        Assert.Equal((1, 0, 0, 1, true), (abstained.Tally.Support, abstained.Tally.Reservation, abstained.Tally.Objection, abstained.Tally.Abstain, abstained.Tally.Adoptable));

        // Majority of two thirds: one for, one against, one abstaining is one half of the voices cast, not enough.
        await room.Workshop.OkAsync<AdoptionRule>(room.Facilitator, HttpMethod.Put, room.Path("/rule"), new { kind = "majority", threshold = 0.66, perDelegation = true });
        var split = await VoteAsync(room, proposed.Id, room.Togo, "objection");
        Assert.Equal((1, 1, 1, false), (split.Tally.Support, split.Tally.Objection, split.Tally.Abstain, split.Tally.Adoptable));
        var refused = await room.Workshop.RejectedAsync(room.Facilitator, HttpMethod.Post, room.Path($"/{proposed.Id}/status"), new { status = "adopted" }, 409);
        Assert.Equal("recommendation.not_adoptable", refused);

        // Ghana moves from abstaining to for: two of three.
        var carried = await VoteAsync(room, proposed.Id, room.Ghana, "support");
        Assert.Equal((2, 1, 0, true), (carried.Tally.Support, carried.Tally.Objection, carried.Tally.Abstain, carried.Tally.Adoptable));
    }

    [Fact]
    public async Task AnUnknownStanceIsRefusedAndChangesNothing()
    {
        var room = await RoomAsync();
        var proposed = await ProposedAsync(room);

        var code = await room.Workshop.RejectedAsync(room.Ghana.Token, HttpMethod.Post, room.Path($"/{proposed.Id}/endorsements"), new { stance = "maybe" }, 400);
        var after = await room.Workshop.OkAsync<RecommendationView>(room.Ghana.Token, HttpMethod.Get, room.Path($"/{proposed.Id}"));

        Assert.Equal("request.malformed", code);
        Assert.Empty(after.Endorsements);
    }

    [Fact]
    public async Task ChangingTheRulePushesEveryRecommendationsTallyAgain()
    {
        var room = await RoomAsync();
        var proposed = await ProposedAsync(room);
        await VoteAsync(room, proposed.Id, room.Benin, "support");
        await VoteAsync(room, proposed.Id, room.Ghana, "objection");

        await using var watcher = node.Raw(room.Togo.Token);
        var retallied = new TaskCompletionSource<RecommendationSummary>(TaskCreationOptions.RunContinuationsAsynchronously);
        watcher.On<RecommendationSummary>("RecommendationChanged", summary =>
        {
            if (summary.Id == proposed.Id && summary.Tally.Rule.Kind == AdoptionKind.Majority)
            {
                retallied.TrySetResult(summary);
            }
        });
        await watcher.StartAsync();
        await watcher.InvokeAsync<JsonElement>("EnterWorkshop");

        // Under consensus Ghana's objection blocks; a simple majority of one half lets one for and one against through.
        await room.Workshop.OkAsync<AdoptionRule>(room.Facilitator, HttpMethod.Put, room.Path("/rule"), new { kind = "majority", threshold = 0.5, perDelegation = true });

        var pushed = await WithinPatience(retallied.Task, "a RecommendationChanged push with the majority rule's tally after PUT /rule");
        Assert.Equal((1, 1, true, 0.5), (pushed.Tally.Support, pushed.Tally.Objection, pushed.Tally.Adoptable, pushed.Tally.Rule.Threshold));
        var board = await room.Workshop.OkAsync<BoardView>(room.Togo.Token, HttpMethod.Get, room.Path());
        Assert.True(board.Themes.SelectMany(t => t.Recommendations).Single().Tally.Adoptable);
    }
}
