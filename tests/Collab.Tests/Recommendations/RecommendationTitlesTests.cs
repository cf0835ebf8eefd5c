using System.Text.Json;
using Collab.Recommendations;
using Collab.Tests.Web;

namespace Collab.Tests.Recommendations;

/// <summary>A recommendation's title in each working language, in Development.</summary>
public sealed class RecommendationTitlesTests(KestrelWebNode node) : RecommendationTitleRules(node), IClassFixture<KestrelWebNode>;

/// <summary>The same rules in Production, where nothing hides a missing error code.</summary>
public sealed class RecommendationTitlesInProductionTests(ProductionWebNode node) : RecommendationTitleRules(node), IClassFixture<ProductionWebNode>;

/// <summary>
/// A recommendation's title in each working language: given when proposing, changed on its page by its author (while it
/// is open), rapporteurs and facilitators; bounded and checked like the title, refused with a code and nothing changed.
/// </summary>
public abstract class RecommendationTitleRules(KestrelWebNode node)
{
    private sealed record Room(TestWorkshop Workshop, TestWorkshop.Member Awa, TestWorkshop.Member Kofi, TestWorkshop.Member Rapporteur)
    {
        public string Path(string rest = "") => $"/api/workshops/{Workshop.Id}/recommendations{rest}";
    }

    private async Task<Room> RoomAsync()
    {
        var workshop = await TestWorkshop.CreateAsync(() => new HttpClient { BaseAddress = node.Address });
        return new Room(
            workshop,
            await workshop.JoinAsync("Awa Sow", delegation: "bj"),
            await workshop.JoinAsync("Kofi Mensah", delegation: "gh"),
            await workshop.JoinAsync("Aïcha Rapporteure", "rapporteur"));
    }

    private static Task<RecommendationView> ProposeAsync(Room room, object? titles = null) =>
        room.Workshop.OkAsync<RecommendationView>(room.Awa.Token, HttpMethod.Post, room.Path(), new
        {
            title = "Joint border committees",
            titles,
            theme = "Cooperation",
            text = "Create joint border committees.",
            language = "en",
        });

    private static Task<RecommendationView> TitleAsync(Room room, string token, string id, string language, string? title) =>
        room.Workshop.OkAsync<RecommendationView>(token, HttpMethod.Put, room.Path($"/{id}/titles/{language}"), new { title });

    private static Task<RecommendationView> GetAsync(Room room, string id) =>
        room.Workshop.OkAsync<RecommendationView>(room.Kofi.Token, HttpMethod.Get, room.Path($"/{id}"));

    private static async Task<RecommendationSummary> OnTheBoardAsync(Room room, string id)
    {
        var board = await room.Workshop.OkAsync<BoardView>(room.Kofi.Token, HttpMethod.Get, room.Path());
        return board.Themes.SelectMany(t => t.Recommendations).Single(r => r.Id == id);
    }

    [Fact]
    public async Task TitlesGivenWhenProposingAreOnThePageAndTheBoard()
    {
        var room = await RoomAsync();

        var proposed = await ProposeAsync(room, new { fr = "  Comités frontaliers conjoints " });

        Assert.Equal("Joint border committees", proposed.Title);
        Assert.Equal(new Dictionary<string, string> { ["fr"] = "Comités frontaliers conjoints" }, proposed.Titles);
        Assert.Empty(proposed.StaleTitles!);
        Assert.Equal("Comités frontaliers conjoints", (await GetAsync(room, proposed.Id)).Titles!["fr"]);
        Assert.Equal("Comités frontaliers conjoints", (await OnTheBoardAsync(room, proposed.Id)).Titles!["fr"]);

        // Without titles, as before: none.
        var plain = await ProposeAsync(room);
        Assert.Empty(plain.Titles!);
        Assert.Empty((await OnTheBoardAsync(room, plain.Id)).Titles!);
    }

    [Fact]
    public async Task ARapporteurGivesAFrenchTitleWhichIsStaleOnceTheTitleOfRecordChangesAndEmptyRemovesIt()
    {
        var room = await RoomAsync();
        var proposed = await ProposeAsync(room);

        var titled = await TitleAsync(room, room.Rapporteur.Token, proposed.Id, "FR", "Comités frontaliers conjoints");
        Assert.Equal("Comités frontaliers conjoints", titled.Titles!["fr"]);
        Assert.Equal("Comités frontaliers conjoints", (await OnTheBoardAsync(room, proposed.Id)).Titles!["fr"]);

        // The author renames it in its language of record: the French title is now behind.
        var renamed = await TitleAsync(room, room.Awa.Token, proposed.Id, "en", "Joint border committees with communities");
        Assert.Equal("Joint border committees with communities", renamed.Title);
        Assert.Equal(["fr"], renamed.StaleTitles);
        Assert.Equal("Joint border committees with communities", (await OnTheBoardAsync(room, proposed.Id)).Title);

        var again = await TitleAsync(room, room.Rapporteur.Token, proposed.Id, "fr", "Comités frontaliers conjoints avec les communautés");
        Assert.Empty(again.StaleTitles!);

        var removed = await TitleAsync(room, room.Rapporteur.Token, proposed.Id, "fr", " ");
        Assert.Empty(removed.Titles!);
        Assert.Empty((await OnTheBoardAsync(room, proposed.Id)).Titles!);
    }

    [Fact]
    public async Task BadTitlesWhenProposingAreRefusedWithACodeAndNothingIsProposed()
    {
        var room = await RoomAsync();
        async Task<string> RefusedAsync(object titles) => await room.Workshop.RejectedAsync(room.Awa.Token, HttpMethod.Post, room.Path(), new
        {
            title = "Joint border committees",
            titles,
            text = "x",
            language = "en",
        }, 400);

        Assert.Equal("recommendation.language_unsupported", await RefusedAsync(new { de = "Grenzausschüsse" }));
        Assert.Equal("recommendation.title_of_record_in_titles", await RefusedAsync(new { en = "Other title" }));
        Assert.Equal("recommendation.title_too_long", await RefusedAsync(new { fr = new string('é', 201) }));

        var board = await room.Workshop.OkAsync<BoardView>(room.Kofi.Token, HttpMethod.Get, room.Path());
        Assert.Empty(board.Themes.SelectMany(t => t.Recommendations));
    }

    [Fact]
    public async Task TitleChangesOutsideTheRulesAreRefusedWithACodeAndChangeNothing()
    {
        var room = await RoomAsync();
        var observer = await room.Workshop.JoinAsync("Observer", "observer");
        var proposed = await TitleAsync(room, room.Rapporteur.Token, (await ProposeAsync(room)).Id, "fr", "Comités frontaliers conjoints");
        var path = room.Path($"/{proposed.Id}/titles/");
        async Task<string> RefusedAsync(string token, string language, string? title, int status) =>
            await room.Workshop.RejectedAsync(token, HttpMethod.Put, path + language, new { title }, status);

        Assert.Equal("recommendation.title_forbidden", await RefusedAsync(room.Kofi.Token, "fr", "Autre titre", 403));
        Assert.Equal("recommendation.read_only", await RefusedAsync(observer.Token, "en", "Other", 403));
        Assert.Equal("recommendation.language_unsupported", await RefusedAsync(room.Awa.Token, "de", "Grenzausschüsse", 400));
        Assert.Equal("recommendation.title_too_long", await RefusedAsync(room.Awa.Token, "fr", new string('é', 201), 400));
        Assert.Equal("recommendation.title_required", await RefusedAsync(room.Awa.Token, "en", "  ", 400));

        var unchanged = await GetAsync(room, proposed.Id);
        Assert.Equal(proposed.Version, unchanged.Version);
        Assert.Equal("Joint border committees", unchanged.Title);
        Assert.Equal("Comités frontaliers conjoints", unchanged.Titles!["fr"]);

        // Adopted: the title of record is final; its author gives no more translations; rapporteurs still do.
        await room.Workshop.OkAsync<RecommendationView>(room.Awa.Token, HttpMethod.Post, room.Path($"/{proposed.Id}/status"), new { status = "proposed" });
        await Plenary.PhaseAsync(room.Workshop, "adopt");
        await room.Workshop.OkAsync<RecommendationView>(room.Kofi.Token, HttpMethod.Post, room.Path($"/{proposed.Id}/endorsements"), new { stance = "support" });
        await room.Workshop.OkAsync<RecommendationView>(room.Workshop.Facilitator.Token, HttpMethod.Post, room.Path($"/{proposed.Id}/status"), new { status = "adopted" });
        Assert.Equal("recommendation.title_forbidden", await RefusedAsync(room.Awa.Token, "fr", "Autre titre", 403));
        Assert.Equal("recommendation.closed", await RefusedAsync(room.Rapporteur.Token, "en", "Other", 409));
        var fixedTitle = await TitleAsync(room, room.Rapporteur.Token, proposed.Id, "fr", "Des comités frontaliers conjoints");
        Assert.Equal("Des comités frontaliers conjoints", fixedTitle.Titles!["fr"]);
        Assert.Equal("Joint border committees", fixedTitle.Title);
    }
}
