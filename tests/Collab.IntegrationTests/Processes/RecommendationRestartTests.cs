using Collab.Client;
using Collab.IntegrationTests.Infrastructure;
using Collab.Recommendations;
using Collab.Sessions;

namespace Collab.IntegrationTests.Processes;

/// <summary>
/// A recommendation's provenance, comments, endorsements and status, and a published version of the outcome, survive
/// their silo being killed (real PostgreSQL).
/// </summary>
public sealed class RecommendationRestartTests
{
    private readonly string _clusterId = "r-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task RecommendationStateAndPublishedOutcomeSurviveASiloKilledWithSigkill()
    {
        await using var database = await PostgresServer.CreateDatabaseAsync();
        int siloPort = FreePorts.Next(), gatewayPort = FreePorts.Next();
        var (silo, _) = await Programs.StartSiloAsync(database.ConnectionString, _clusterId, "first", siloPort, gatewayPort);
        await using var node = new KestrelClusterWebNode(database.ConnectionString, _clusterId, subscriptionRenewalSeconds: 1);
        var workshop = await TestWorkshop.CreateAsync(() => new HttpClient { BaseAddress = node.Address });
        var awa = await workshop.JoinAsync("Awa Sow", delegation: "bj");
        var kofi = await workshop.JoinAsync("Kofi Mensah", delegation: "gh");
        var notes = await workshop.NewDocumentAsync("Lessons learnt", "Radio programmes reached remote villages.");
        var path = $"/api/workshops/{workshop.Id}/recommendations";
        var proposed = await workshop.OkAsync<RecommendationView>(awa.Token, HttpMethod.Post, path, new
        {
            title = "Community radio",
            text = "Fund community radio in border areas.",
            language = "en",
            provenance = new[] { new { docId = notes, start = 0, end = 16, revision = 0 } },
        });
        await workshop.OkAsync<RecommendationView>(awa.Token, HttpMethod.Post, $"{path}/{proposed.Id}/status", new { status = "proposed" });
        await workshop.OkAsync<RecommendationView>(kofi.Token, HttpMethod.Post, $"{path}/{proposed.Id}/comments",
            new { language = "en", start = 5, end = 20, revision = 0, text = "Which stations?" });
        var plenary = $"/api/workshops/{workshop.Id}/sessions/d2-recommendations";
        await workshop.OkAsync<SessionView>(workshop.Facilitator.Token, HttpMethod.Post, plenary + "/start");
        await workshop.OkAsync<SessionView>(workshop.Facilitator.Token, HttpMethod.Post, plenary + "/phase", new { phase = "adopt" });
        await workshop.OkAsync<RecommendationView>(kofi.Token, HttpMethod.Post, $"{path}/{proposed.Id}/endorsements", new { stance = "reservation", reservation = "Budget permitting." });
        await workshop.OkAsync<SessionView>(workshop.Facilitator.Token, HttpMethod.Post, plenary + "/end");
        var before = await workshop.OkAsync<RecommendationView>(workshop.Facilitator.Token, HttpMethod.Get, $"{path}/{proposed.Id}");
        var outcome = $"/api/workshops/{workshop.Id}/outcome";
        await workshop.OkAsync<System.Text.Json.JsonElement>(workshop.Facilitator.Token, HttpMethod.Post, outcome + "/versions", new { name = "Draft for closing plenary" });
        var published = await ExportAsync(workshop, awa.Token, outcome + "?format=md&lang=fr&version=draft-for-closing-plenary");

        // A watcher of a running session learns when the cluster is reachable again: the session's new activation sends
        // the re-subscribing web node its current view.
        await workshop.OkAsync<SessionView>(workshop.Facilitator.Token, HttpMethod.Post, $"/api/workshops/{workshop.Id}/sessions/d1-opening/start");
        await using var watcher = await CollabConnection.ConnectAsync(node.HubUrl, awa.Token);
        var subscribed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        watcher.SessionChanged += _ => subscribed.TrySetResult();
        await watcher.WatchSessionAsync("d1-opening");
        await subscribed.Task.WaitAsync(TimeSpan.FromSeconds(30));

        await silo.KillAsync();
        await silo.DisposeAsync();
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        watcher.SessionChanged += _ => reached.TrySetResult();
        var (restarted, _) = await Programs.StartSiloAsync(database.ConnectionString, _clusterId, "second", siloPort, gatewayPort);
        await using (restarted)
        {
            await reached.Task.WaitAsync(TimeSpan.FromSeconds(60));
            var after = await workshop.OkAsync<RecommendationView>(workshop.Facilitator.Token, HttpMethod.Get, $"{path}/{proposed.Id}");

            Assert.Equal(RecommendationStatus.Proposed, after.Status);
            Assert.Equal("Radio programmes", Assert.Single(after.Provenance).Anchor!.Text);
            Assert.Equal("community radio", Assert.Single(after.Comments).Anchor!.Text);
            Assert.Equal(("gh", Stance.Reservation, "Budget permitting."), Assert.Single(after.Endorsements) is var e ? (e.Voter, e.Stance, e.Reservation) : default);
            Assert.Equal(before.Version, after.Version);
            var board = await workshop.OkAsync<BoardView>(awa.Token, HttpMethod.Get, path);
            Assert.Equal(proposed.Id, Assert.Single(board.Themes.SelectMany(t => t.Recommendations)).Id);
            Assert.Equal(published, await ExportAsync(workshop, awa.Token, outcome + "?format=md&lang=fr&version=draft-for-closing-plenary"));
            Assert.Contains("Version\u00A0: Draft for closing plenary, publiée le", published, StringComparison.Ordinal);
        }
    }

    private static async Task<string> ExportAsync(TestWorkshop workshop, string token, string path)
    {
        using var response = await workshop.SendAsync(token, HttpMethod.Get, path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path} answered {(int)response.StatusCode}: {body}");
        return body;
    }
}
