using System.Text.Json;
using Collab.Client;
using Collab.IntegrationTests.Infrastructure;
using Collab.Sessions;
using Collab.Text;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Collab.IntegrationTests.Processes;

/// <summary>
/// A live session survives its silo being killed (clustered mode, real PostgreSQL): the countdown keeps its deadline
/// and still fires, and the breakout groups keep their members and who may edit their documents.
/// </summary>
public sealed class SessionRestartTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly string _clusterId = "s-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task TimerAndGroupAssignmentSurviveASiloKilledWithSigkill()
    {
        await using var database = await PostgresServer.CreateDatabaseAsync();
        int siloPort = FreePorts.Next(), gatewayPort = FreePorts.Next();
        var (silo, _) = await Programs.StartSiloAsync(database.ConnectionString, _clusterId, "first", siloPort, gatewayPort);

        // The web node outlives the silo, as it would in production; it renews its subscriptions every second.
        await using var node = new KestrelClusterWebNode(database.ConnectionString, _clusterId, subscriptionRenewalSeconds: 1);
        var workshop = await TestWorkshop.CreateAsync(() => new HttpClient { BaseAddress = node.Address });
        var people = new List<TestWorkshop.Member>();
        foreach (var (name, delegation) in new[] { ("Awa", "bj"), ("Kofi", "gh"), ("Yao", "ci"), ("Ama", "gh"), ("Komi", "tg"), ("Issa", "bf") })
        {
            people.Add(await workshop.JoinAsync(name, delegation: delegation));
        }

        var facilitator = workshop.Facilitator.Token;
        var session = $"/api/workshops/{workshop.Id}/sessions/d1-breakouts";
        await workshop.OkAsync<JsonElement>(facilitator, HttpMethod.Post, session + "/start");
        var opened = await workshop.OkAsync<SessionView>(
            facilitator, HttpMethod.Post, session + "/breakouts", new { naming = "numbered", count = 2, assignment = "mixDelegations" });
        var started = await workshop.OkAsync<SessionView>(facilitator, HttpMethod.Post, session + "/timer", new { action = "start", seconds = 20, label = "Breakout work" });
        var deadline = started.Timer!.Deadline!.Value;

        var awa = people[0];
        var awasGroup = opened.Breakouts!.Groups.Single(g => g.Members.Contains(awa.Id));
        var otherGroup = opened.Breakouts.Groups.Single(g => g != awasGroup);
        await using var connection = await CollabConnection.ConnectAsync(node.HubUrl, awa.Token);
        var timeUp = new TaskCompletionSource<TimeUp>(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.TimeUp += t => timeUp.TrySetResult(t);
        var subscribed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.SessionChanged += _ => subscribed.TrySetResult();
        await connection.WatchSessionAsync("d1-breakouts");

        // The first subscription's view has arrived, so the next one can only come from after the restart.
        await subscribed.Task.WaitAsync(Patience);

        // No shutdown, no flush.
        await silo.KillAsync();
        await silo.DisposeAsync();
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.SessionChanged += _ => reached.TrySetResult();
        var (restarted, _) = await Programs.StartSiloAsync(database.ConnectionString, _clusterId, "second", siloPort, gatewayPort);
        await using (restarted)
        {
            // The web node's renewal reaches the session's new activation, which sends it the current view: the
            // cluster is reachable again from this web node.
            await reached.Task.WaitAsync(Patience);
            var after = await workshop.OkAsync<SessionView>(facilitator, HttpMethod.Get, session);
            Assert.Equal(SessionStatus.Running, after.Status);
            // Still counting down to the same deadline, or (on a slow machine) already over at exactly that deadline.
            Assert.Equal(deadline, after.Timer!.Deadline ?? after.Timer.TimeUpAt);
            Assert.Equal(
                opened.Breakouts.Groups.Select(g => (g.Id, string.Join(',', g.Members))),
                after.Breakouts!.Groups.Select(g => (g.Id, string.Join(',', g.Members))));

            // Who may edit the group documents survived too: Awa edits her group's notes, not the other group's.
            var own = await connection.OpenAsync(awasGroup.Documents.First(d => d.Section == "best-practices").DocId);
            own.Edit(text => text.Length == 0
                ? TextOperation.Of(OpComponent.Insert("Patrouilles mixtes"))
                : TextOperation.Of(OpComponent.Retain(text.Length), OpComponent.Insert("Patrouilles mixtes")));
            await own.WaitSyncedAsync(Patience);
            var refused = await Assert.ThrowsAsync<HubException>(() => connection.Connection.InvokeAsync<JsonElement>("SubmitOp", new
            {
                docId = otherGroup.Documents[0].DocId,
                baseRevision = 0,
                clientId = "awa-elsewhere",
                clientSeq = 1L,
                op = new object[] { "intrusion" },
            }));
            Assert.Equal("document.not_a_member", HubErrors.CodeOf(refused));

            // The countdown set before the crash still ends, at its deadline, and every watcher hears it.
            var fired = await timeUp.Task.WaitAsync(Patience);
            Assert.Equal(deadline, fired.Deadline);
            Assert.True(DateTimeOffset.UtcNow >= deadline, "time's up arrived before the deadline");
            var over = await workshop.OkAsync<SessionView>(facilitator, HttpMethod.Get, session);
            Assert.Equal(deadline, over.Timer!.TimeUpAt);
        }
    }
}
