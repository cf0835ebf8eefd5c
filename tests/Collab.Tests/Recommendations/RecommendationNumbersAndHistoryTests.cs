using System.Text.Json;
using Collab.Recommendations;

namespace Collab.Tests.Recommendations;

/// <summary>
/// Small things people noticed (issue 15, item 17): a recommendation's history starts with its proposal, recorded as
/// such (not as a status change draft → draft); a refused proposal takes no number, so the next one gets it, and with
/// its own sources, not those a refused attempt anchored.
/// </summary>
public sealed class RecommendationNumbersAndHistoryTests(KestrelWebNode node) : IClassFixture<KestrelWebNode>
{
    private static string Path(TestWorkshop workshop, string rest = "") => $"/api/workshops/{workshop.Id}/recommendations{rest}";

    [Fact]
    public async Task HistoryStartsWithTheProposalThenStatusChanges()
    {
        var workshop = await TestWorkshop.CreateAsync(() => new HttpClient { BaseAddress = node.Address });
        var awa = await workshop.JoinAsync("Awa Sow", delegation: "bj");
        var proposed = await workshop.OkAsync<JsonElement>(awa.Token, HttpMethod.Post, Path(workshop), new { title = "Joint committees", text = "Create joint border committees.", language = "en" });
        var id = proposed.GetProperty("id").GetString();
        var moved = await workshop.OkAsync<JsonElement>(awa.Token, HttpMethod.Post, Path(workshop, $"/{id}/status"), new { status = "proposed" });

        var history = moved.GetProperty("history").EnumerateArray().ToList();
        Assert.Equal(2, history.Count);
        Assert.Equal(("proposed", "draft", "draft", "Awa Sow", JsonValueKind.Null), (history[0].GetProperty("event").GetString(), history[0].GetProperty("from").GetString(), history[0].GetProperty("to").GetString(), history[0].GetProperty("byName").GetString(), history[0].GetProperty("note").ValueKind));
        Assert.Equal(("statusChanged", "draft", "proposed"), (history[1].GetProperty("event").GetString(), history[1].GetProperty("from").GetString(), history[1].GetProperty("to").GetString()));
    }

    [Fact]
    public async Task RefusedProposalsTakeNoNumberAndLeaveNoSourcesBehind()
    {
        var workshop = await TestWorkshop.CreateAsync(() => new HttpClient { BaseAddress = node.Address });
        var awa = await workshop.JoinAsync("Awa Sow", delegation: "bj");
        var notes = await workshop.NewDocumentAsync("Best practices", "Mixed patrols. Community radio. Joint markets.");

        var first = await workshop.OkAsync<RecommendationView>(awa.Token, HttpMethod.Post, Path(workshop), new { title = "Mixed patrols", text = "Mixed patrols.", language = "en" });
        Assert.Equal("r1", first.Id);

        // Refused: no title; a language the workshop does not work in; a second source beyond the text (the first one was fine).
        Assert.Equal("recommendation.title_required", await workshop.RejectedAsync(awa.Token, HttpMethod.Post, Path(workshop), new { title = " ", text = "x", language = "en" }, 400));
        Assert.Equal("recommendation.language_unsupported", await workshop.RejectedAsync(awa.Token, HttpMethod.Post, Path(workshop), new { title = "Radio", text = "x", language = "de" }, 400));
        var refused = await workshop.RejectedAsync(awa.Token, HttpMethod.Post, Path(workshop), new
        {
            title = "Radio",
            text = "Fund community radio.",
            language = "en",
            provenance = new[] { new { docId = notes, start = 0, end = 14, revision = 0 }, new { docId = notes, start = 0, end = 999, revision = 0 } },
        }, 400);
        Assert.StartsWith("anchor.", refused, StringComparison.Ordinal);

        // The next proposal is r2, with its own source ("Community radio"), not the refused attempt's ("Mixed patrols.").
        var second = await workshop.OkAsync<RecommendationView>(awa.Token, HttpMethod.Post, Path(workshop), new
        {
            title = "Community radio",
            text = "Fund community radio.",
            language = "en",
            provenance = new[] { new { docId = notes, start = 15, end = 30, revision = 0 } },
        });
        Assert.Equal("r2", second.Id);
        Assert.Equal("Community radio", Assert.Single(second.Provenance).Anchor!.Text);
        var board = await workshop.OkAsync<JsonElement>(awa.Token, HttpMethod.Get, Path(workshop));
        var ids = board.GetProperty("themes").EnumerateArray().SelectMany(t => t.GetProperty("recommendations").EnumerateArray()).Select(r => r.GetProperty("id").GetString()).Order();
        Assert.Equal(["r1", "r2"], ids);
    }
}
