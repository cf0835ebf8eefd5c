using System.Net;
using Collab.Client;
using Collab.Sessions;
using Collab.Web.Realtime;
using Microsoft.Extensions.DependencyInjection;
using Collab.Tests.Web;
using Collab.Text;
using Collab.Workshops;

namespace Collab.Tests.Realtime;

/// <summary>
/// A web node that cannot admit a connection yet (its first subscriptions to a workshop's grains time out, as when a
/// freshly started silo is slow) closes it right after it opened, and the client reconnects by itself. The .NET
/// client's calls made meanwhile wait for the connection to be up again instead of failing, within a bound, and fail at
/// once when the server has said the connection will not come back.
/// </summary>
public sealed class ClientAdmissionTests(FaultyClusterWebNode node) : IClassFixture<FaultyClusterWebNode>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static TimeoutException SlowSilo() => new("Response did not arrive on time");

    [Fact]
    public async Task CallsMadeWhileTheConnectionIsClosedAtAdmissionWaitForItAndWork()
    {
        var workshop = await TestWorkshop.CreateAsync(() => new HttpClient { BaseAddress = node.Address });
        var docId = await workshop.NewDocumentAsync("Leçons apprises", "");
        var author = await workshop.JoinAsync("Kossi (Togo)");

        // The first two admissions to this workshop cannot subscribe to it: both connections are closed as they open.
        using var refusals = node.Faults.Fail<IWorkshopGrain>(nameof(IWorkshopGrain.SubscribeAsync), workshop.Id, SlowSilo, times: 2);
        await using var connection = await CollabConnection.ConnectAsync(node.HubUrl, author.Token);

        // Made at once, as an app does after connecting: answered on the connection that was finally admitted.
        var entered = await connection.EnterWorkshopAsync().WaitAsync(Patience);
        var document = await connection.OpenAsync(docId).WaitAsync(Patience);
        Assert.Equal(2, refusals.Failed);
        Assert.Equal(author.Id, entered.Me.ParticipantId);
        Assert.Equal(workshop.Id, entered.Workshop.Id);

        // The document is open on the live connection: edits go both ways.
        await using var reader = await CollabConnection.ConnectAsync(node.HubUrl, (await workshop.JoinAsync("Awa (Burkina Faso)")).Token);
        var read = await reader.OpenAsync(docId);
        document.Edit(TextOperation.Of(OpComponent.Insert("Partager les données")));
        await document.WaitSyncedAsync(Patience);
        await read.WaitForRevisionAsync(document.Revision, Patience);
        Assert.Equal("Partager les données", read.Text);

        read.Edit(TextOperation.Of(OpComponent.Retain(20), OpComponent.Insert(" sanitaires")));
        await read.WaitSyncedAsync(Patience);
        await document.WaitForRevisionAsync(read.Revision, Patience);
        Assert.Equal("Partager les données sanitaires", document.Text);
    }

    [Fact]
    public async Task CallFailsAfterTheReconnectWaitWhenTheConnectionCannotComeBackAndWorksOnceItDoesWhileClosingNeverWaits()
    {
        var workshop = await TestWorkshop.CreateAsync(() => new HttpClient { BaseAddress = node.Address });
        var member = await workshop.JoinAsync("Mariam (Niger)");
        var docId = await workshop.NewDocumentAsync("Défis", "");

        // Every admission to this workshop is refused until the fault is disarmed.
        var refusing = node.Faults.Fail<IWorkshopGrain>(nameof(IWorkshopGrain.SubscribeAsync), workshop.Id, SlowSilo);
        await using var connection = await CollabConnection.ConnectAsync(node.HubUrl, member.Token);
        connection.ReconnectWait = TimeSpan.FromSeconds(2);
        var waited = System.Diagnostics.Stopwatch.StartNew();
        var timeout = await Assert.ThrowsAsync<TimeoutException>(() => connection.EnterWorkshopAsync().WaitAsync(Patience));
        Assert.InRange(waited.Elapsed, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(20));
        Assert.Contains("not up", timeout.Message, StringComparison.Ordinal);
        Assert.True(refusing.Failed >= 2, $"admissions refused: {refusing.Failed}");

        // Closing a document waits for nothing: the server forgot it with the connection that had it open.
        connection.ReconnectWait = Patience;
        var closing = System.Diagnostics.Stopwatch.StartNew();
        await connection.CloseAsync(docId).WaitAsync(Patience);
        Assert.True(closing.Elapsed < TimeSpan.FromSeconds(10), $"CloseAsync took {closing.Elapsed}");

        // The cluster can take it again: the same connection comes back by itself and answers.
        refusing.Dispose();
        var entered = await connection.EnterWorkshopAsync().WaitAsync(Patience);
        Assert.Equal(member.Id, entered.Me.ParticipantId);
    }

    [Fact]
    public async Task WatchedSessionIsWatchedAgainOnTheNextConnection()
    {
        var workshop = await TestWorkshop.CreateAsync(() => new HttpClient { BaseAddress = node.Address });
        var member = await workshop.JoinAsync("Ama (Ghana)");
        await using var connection = await CollabConnection.ConnectAsync(node.HubUrl, member.Token);
        Assert.Equal(SessionStatus.Scheduled, (await connection.WatchSessionAsync("d1-opening")).Status);
        var running = new TaskCompletionSource<SessionView>(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.SessionChanged += view =>
        {
            if (view.SessionId == "d1-opening" && view.Status == SessionStatus.Running)
            {
                running.TrySetResult(view);
            }
        };

        // The server drops the connection; the next one watches nothing on the server until the client asks again.
        var dropped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.Connection.Reconnecting += _ =>
        {
            dropped.TrySetResult();
            return Task.CompletedTask;
        };
        connection.Connection.Closed += _ =>
        {
            dropped.TrySetResult();
            return Task.CompletedTask;
        };
        node.Services.GetRequiredService<ConnectionRegistry>().Abort(workshop.Id, member.Id);
        await dropped.Task.WaitAsync(Patience);

        // The facilitator opens the session: the participant hears it (pushed, or in the answer of the new watch).
        await workshop.OkAsync<System.Text.Json.JsonElement>(
            workshop.Facilitator.Token, HttpMethod.Post, $"/api/workshops/{workshop.Id}/sessions/d1-opening/start");
        Assert.Equal(SessionStatus.Running, (await running.Task.WaitAsync(Patience)).Status);
    }

    [Fact]
    public async Task AfterTheServerDropsTheConnectionTheClientSaysItIsBackAndThePresenceFollowerFetchesAgain()
    {
        var workshop = await TestWorkshop.CreateAsync(() => new HttpClient { BaseAddress = node.Address });
        var member = await workshop.JoinAsync("Komi (Togo)");
        await using var connection = await CollabConnection.ConnectAsync(node.HubUrl, member.Token);
        var fetches = 0;
        var fetchedAgain = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var follower = WorkshopPresenceFollower.Follow(connection, async _ =>
        {
            var presence = await workshop.OkAsync<WorkshopPresence>(member.Token, HttpMethod.Get, $"/api/workshops/{workshop.Id}/presence");
            if (Interlocked.Increment(ref fetches) == 2)
            {
                fetchedAgain.TrySetResult();
            }

            return presence;
        });
        await follower.LoadAsync();
        var back = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.Reconnected += () => back.TrySetResult();

        // The server drops it (SignalR then closes the connection for good, and the client starts it again).
        node.Services.GetRequiredService<ConnectionRegistry>().Abort(workshop.Id, member.Id);
        await back.Task.WaitAsync(Patience);
        await fetchedAgain.Task.WaitAsync(Patience);
        Assert.Contains(follower.Current!.Online, p => p.ParticipantId == member.Id);
    }

    [Fact]
    public async Task CallsFailAtOnceOnceTheParticipantIsRemoved()
    {
        var workshop = await TestWorkshop.CreateAsync(() => new HttpClient { BaseAddress = node.Address });
        var removed = await workshop.JoinAsync("Removed Rakia");
        await using var connection = await CollabConnection.ConnectAsync(node.HubUrl, removed.Token);
        connection.ReconnectWait = TimeSpan.FromSeconds(5);
        await connection.EnterWorkshopAsync();
        var revoked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.Revoked += () => revoked.TrySetResult();

        using var response = await workshop.SendAsync(workshop.Facilitator.Token, HttpMethod.Delete, $"/api/workshops/{workshop.Id}/participants/{removed.Id}");
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        await revoked.Task.WaitAsync(Patience);

        // The connection is closed and its token refused: nothing to wait for. (SignalR's own reconnect attempts, all
        // refused, take longer than ReconnectWait here, so a call that waited for them would end in a TimeoutException.)
        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => connection.EnterWorkshopAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("auth.revoked", refused.InnerException?.Message, StringComparison.Ordinal);
    }
}
