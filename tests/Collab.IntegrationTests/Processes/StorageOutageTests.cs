using System.Net;
using System.Text.Json;
using Collab.Client;
using Collab.Documents;
using Collab.IntegrationTests.Infrastructure;
using Collab.Text;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Xunit.Abstractions;

namespace Collab.IntegrationTests.Processes;

/// <summary>
/// PostgreSQL blinks under a running cluster (a <see cref="DatabaseProxy"/> resets every connection and refuses new
/// ones): no process stops itself, callers get <c>server.unavailable</c>, and everything works again once it is back.
/// </summary>
public sealed class StorageOutageTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly string _clusterId = "o-" + Guid.NewGuid().ToString("N")[..8];
    private readonly List<(string Name, ChildProcess Process)> _processes = [];

    public Task InitializeAsync() => Task.CompletedTask;

    /// <summary>What each process printed, for the test's output (shown when it fails).</summary>
    public Task DisposeAsync()
    {
        foreach (var (name, process) in _processes)
        {
            output.WriteLine($"===== {name} =====");
            output.WriteLine(process.Output);
        }

        return Task.CompletedTask;
    }

    private ChildProcess Watch(string name, ChildProcess process)
    {
        _processes.Add((name, process));
        return process;
    }

    [Fact]
    public async Task WebNodeStaysUpWhenSubscriptionRenewalsFallInADatabaseOutage()
    {
        await using var database = await PostgresServer.CreateDatabaseAsync();
        await using var proxy = DatabaseProxy.For(database.ConnectionString);
        int siloPort = FreePorts.Next(), gatewayPort = FreePorts.Next();
        var (silo, _) = await Programs.StartSiloAsync(proxy.ConnectionString, _clusterId, "first", siloPort, gatewayPort);
        await using var firstSilo = Watch("silo (first)", silo);
        var (web, url) = await Programs.StartWebNodeAsync(proxy.ConnectionString, _clusterId, new Dictionary<string, string?>
        {
            ["Collab__Realtime__SubscriptionRenewalSeconds"] = "1",
        });
        await using var webNode = Watch("web node", web);
        var workshop = await TestWorkshop.CreateAsync(() => new HttpClient { BaseAddress = url });
        var member = await workshop.JoinAsync("Délégation du Bénin");

        // One idle connection: its node holds subscriptions to the workshop's grains and renews them every second.
        await using var idle = await CollabConnection.ConnectAsync(new Uri(url, "/hubs/collab"), member.Token);
        await idle.EnterWorkshopAsync(); // answered once the connection's subscriptions are in place

        // The grains lose their activations; renewing them now means activating them, which reads PostgreSQL.
        await silo.KillAsync();
        var (restarted, _) = await Programs.StartSiloAsync(proxy.ConnectionString, _clusterId, "second", siloPort, gatewayPort);
        await using var secondSilo = Watch("silo (second)", restarted);
        proxy.BeginOutage();
        try
        {
            await web.WaitForOutputCountAsync("Renewing the subscription", 3, Patience);
        }
        finally
        {
            proxy.EndOutage();
        }

        using var http = new HttpClient { BaseAddress = url, Timeout = Patience };
        Assert.False(web.HasExited, $"The web node exited (code {(web.HasExited ? web.ExitCode : 0)}) during the outage:\n{web.Output}");
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/live")).StatusCode);
        var entered = await Retry.WhileUnavailableAsync(() => idle.EnterWorkshopAsync(), TimeSpan.FromSeconds(10), "EnterWorkshop after the outage");
        Assert.Equal(workshop.Id, entered.Workshop.Id);
    }

    [Fact]
    public async Task StorageFaultReachesHubClientsAsServerUnavailable()
    {
        await using var database = await PostgresServer.CreateDatabaseAsync();
        await using var proxy = DatabaseProxy.For(database.ConnectionString);
        int siloPort = FreePorts.Next(), gatewayPort = FreePorts.Next();
        var (silo, _) = await Programs.StartSiloAsync(proxy.ConnectionString, _clusterId, "first", siloPort, gatewayPort);
        await using var firstSilo = Watch("silo (first)", silo);
        var (web, url) = await Programs.StartWebNodeAsync(proxy.ConnectionString, _clusterId);
        await using var webNode = Watch("web node", web);
        var workshop = await TestWorkshop.CreateAsync(() => new HttpClient { BaseAddress = url });
        var docId = await workshop.NewDocumentAsync("Recommendations", "Recommandation 1 : ");
        await using var connection = await CollabConnection.ConnectAsync(new Uri(url, "/hubs/collab"), workshop.Facilitator.Token);
        await connection.EnterWorkshopAsync(); // answered once the connection's subscriptions are in place
        var document = await connection.OpenAsync(docId);
        document.Edit(text => TextOperation.Of(OpComponent.Retain(text.Length), OpComponent.Insert("renforcer ")));
        await document.WaitSyncedAsync(Patience);

        // The document's activation is gone; the next call activates it, which reads its state and its op log.
        await silo.KillAsync();
        var (restarted, _) = await Programs.StartSiloAsync(proxy.ConnectionString, _clusterId, "second", siloPort, gatewayPort);
        await using var secondSilo = Watch("silo (second)", restarted);
        proxy.BeginOutage();
        try
        {
            var open = await Assert.ThrowsAsync<HubException>(() => connection.Connection.InvokeAsync<OpenedDocument>(
                "OpenDocument", new { docId, lastRevision = (int?)document.Revision }));
            Assert.True(HubErrors.CodeOf(open) == "server.unavailable", $"Expected server.unavailable, got: {open.Message}");
            var submit = await Assert.ThrowsAsync<HubException>(() => connection.Connection.InvokeAsync<SubmitResult>("SubmitOp", new
            {
                docId,
                baseRevision = document.Revision,
                clientId = document.ClientId,
                clientSeq = 2L,
                op = new object[] { document.Text.Length, "la coopération" },
            }));
            Assert.True(HubErrors.CodeOf(submit) == "server.unavailable", $"Expected server.unavailable, got: {submit.Message}");
        }
        finally
        {
            proxy.EndOutage();
        }

        // Nothing was decided during the outage: once the database is back the document opens and the same edit goes through.
        await Retry.WhileUnavailableAsync(
            () => connection.Connection.InvokeAsync<OpenedDocument>("OpenDocument", new { docId, lastRevision = (int?)document.Revision }),
            TimeSpan.FromSeconds(10), "OpenDocument after the outage");
        document.Edit(text => TextOperation.Of(OpComponent.Retain(text.Length), OpComponent.Insert("la coopération")));
        await document.WaitSyncedAsync(Patience);
        Assert.Equal("Recommandation 1 : renforcer la coopération", document.Text);
    }

    [Fact]
    public async Task ReadersGetEditsAgainWithinSecondsAfterADatabaseOutage()
    {
        await using var database = await PostgresServer.CreateDatabaseAsync();
        await using var proxy = DatabaseProxy.For(database.ConnectionString);
        var (silo, _) = await Programs.StartSiloAsync(proxy.ConnectionString, _clusterId, "silo", FreePorts.Next(), FreePorts.Next());
        await using var theSilo = Watch("silo", silo);

        // Renewals are rare here (100 s): they cannot be what brings the pushes back.
        var (web, url) = await Programs.StartWebNodeAsync(proxy.ConnectionString, _clusterId, new Dictionary<string, string?>
        {
            ["Collab__Realtime__SubscriptionRenewalSeconds"] = "100",
        });
        await using var writerNode = Watch("writer's web node", web);
        await using var readerNode = new KestrelClusterWebNode(proxy.ConnectionString, _clusterId, subscriptionRenewalSeconds: 100);
        var workshop = await TestWorkshop.CreateAsync(() => new HttpClient { BaseAddress = url });
        var docId = await workshop.NewDocumentAsync("Bonnes pratiques");
        await using var writerConnection = await CollabConnection.ConnectAsync(new Uri(url, "/hubs/collab"), (await workshop.JoinAsync("Délégation du Ghana")).Token);
        await using var readerConnection = await CollabConnection.ConnectAsync(readerNode.HubUrl, (await workshop.JoinAsync("Observateur", "observer")).Token);
        var writer = await writerConnection.OpenAsync(docId);
        await readerConnection.OpenAsync(docId);
        var pushes = new FailoverTests.PushClock(readerConnection, docId);
        using var typing = new FailoverTests.Typing(writer);
        await pushes.NextAfterAsync(TimeSpan.Zero, Patience, "a first push");

        // The writer's edits fail while the database is gone; the document's activation gives up and reloads.
        proxy.BeginOutage();
        await silo.WaitForOutputCountAsync("appending to the op log failed", 1, Patience);
        proxy.EndOutage();
        var back = pushes.Now;

        var resumed = await pushes.NextAfterAsync(back, TimeSpan.FromSeconds(10), "a push after the database came back");
        Assert.True(resumed - back < TimeSpan.FromSeconds(10), $"The reader got no push for {resumed - back} after the database came back.");
    }

    [Fact]
    public async Task ProbesDuringADatabaseOutageLogItOnceAndItsEndOnce()
    {
        await using var database = await PostgresServer.CreateDatabaseAsync();
        await using var proxy = DatabaseProxy.For(database.ConnectionString);
        var (silo, siloHealth) = await Programs.StartSiloAsync(proxy.ConnectionString, _clusterId, "silo", FreePorts.Next(), FreePorts.Next());
        await using var theSilo = Watch("silo", silo);
        var (web, url) = await Programs.StartWebNodeAsync(proxy.ConnectionString, _clusterId);
        await using var webNode = Watch("web node", web);
        using var http = new HttpClient { Timeout = Patience };
        var nodes = new[] { (Process: web, Ready: new Uri(url, "/health/ready")), (Process: silo, Ready: new Uri(siloHealth, "/health/ready")) };
        foreach (var node in nodes)
        {
            await Retry.HttpWhileUnavailableAsync<JsonElement>(() => http.GetAsync(node.Ready), Patience, $"{node.Ready} ready");
        }

        // A load balancer probes each node every few seconds for as long as the outage lasts.
        proxy.BeginOutage();
        try
        {
            for (var probe = 0; probe < 5; probe++)
            {
                foreach (var node in nodes)
                {
                    using var response = await http.GetAsync(node.Ready);
                    Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
                    var storage = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("checks").GetProperty("storage");
                    Assert.Equal("Unhealthy", storage.GetProperty("status").GetString());
                    Assert.StartsWith("Postgres storage does not answer", storage.GetProperty("description").GetString(), StringComparison.Ordinal);
                }
            }
        }
        finally
        {
            proxy.EndOutage();
        }

        foreach (var node in nodes)
        {
            await Retry.HttpWhileUnavailableAsync<JsonElement>(() => http.GetAsync(node.Ready), Patience, $"{node.Ready} ready again");
            await node.Process.WaitForOutputAsync("Readiness check storage is healthy again after", Patience);

            // Once when it failed and once when it passed again, whatever the number of probes; nothing per probe.
            Assert.Equal(1, node.Process.CountLines("Readiness check storage is Unhealthy: Postgres storage does not answer"));
            Assert.Equal(1, node.Process.CountLines("Readiness check storage is healthy again after"));
            Assert.Equal(0, node.Process.CountLines("Health check storage"));
        }
    }
}
