using Collab.Client;
using Collab.IntegrationTests.Infrastructure;
using Collab.Text;
using Microsoft.Extensions.DependencyInjection;

namespace Collab.IntegrationTests.Processes;

/// <summary>
/// The co-hosted clustered topology on the real PostgreSQL: web nodes that are themselves silos of the cluster
/// (<c>Collab:Topology=CoHosted</c>), with no <c>src/Silo</c> process.
/// </summary>
public sealed class CoHostedModeTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly string _clusterId = "h-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>Types <paramref name="piece"/> at the end (built inside the document's lock, so no remote op lands between).</summary>
    private static void Append(SharedDocument document, string piece) =>
        document.Edit(text => text.Length == 0
            ? TextOperation.Of(OpComponent.Insert(piece))
            : TextOperation.Of(OpComponent.Retain(text.Length), OpComponent.Insert(piece)));

    [Fact]
    public async Task ACoHostedWebNodeIsASiloOfTheClusterAndAcknowledgesAnEditOnlyOnceItIsCommitted()
    {
        await using var database = await PostgresServer.CreateDatabaseAsync();
        await using var proxy = DatabaseProxy.For(database.ConnectionString);
        var (node, url) = await Programs.StartCoHostedWebNodeAsync(proxy.ConnectionString, _clusterId, "node-a");
        await using (node)
        {
            // No silo process: the web node is the cluster's active silo, with a gateway Orleans clients may use.
            Assert.Equal(1L, await PostgresServer.ScalarAsync<long>(database.ConnectionString,
                $"SELECT count(*) FROM orleans_membership WHERE deployment_id = '{_clusterId}' AND silo_name = 'node-a' AND status = 3 AND proxy_port > 0;"));

            var workshop = await TestWorkshop.CreateAsync(() => new HttpClient { BaseAddress = url });
            var docId = await workshop.NewDocumentAsync("Recommandations", "Recommandation 1 : ");
            await using var connection = await CollabConnection.ConnectAsync(new Uri(url, "/hubs/collab"), workshop.Facilitator.Token);
            var document = await connection.OpenAsync(docId);
            var committedRows = $"SELECT count(*) FROM collab_op_log WHERE doc_id = '{docId}' AND client_id = '{document.ClientId}';";

            // The database holds every byte: the edit reaches the grain, whose commit cannot end, so no ack comes.
            proxy.BeginStall();
            try
            {
                Append(document, "renforcer ");
                Assert.Equal(0L, await PostgresServer.ScalarAsync<long>(database.ConnectionString, committedRows));
                Assert.True(document.HasUnsyncedChanges, "The edit was acknowledged while its commit was held.");
            }
            finally
            {
                proxy.EndStall();
            }

            await document.WaitSyncedAsync(Patience);
            Assert.Equal(1L, await PostgresServer.ScalarAsync<long>(database.ConnectionString, committedRows));
            Assert.Equal("Recommandation 1 : renforcer ", document.Text);
        }
    }

    [Fact]
    public async Task ADocumentEditedThroughTwoCoHostedNodesConvergesAndLivesBesideTheGrainThatCreatedIt()
    {
        await using var database = await PostgresServer.CreateDatabaseAsync();
        var (nodeA, urlA) = await Programs.StartCoHostedWebNodeAsync(database.ConnectionString, _clusterId, "node-a");
        await using var a = nodeA;
        var (nodeB, urlB) = await Programs.StartCoHostedWebNodeAsync(database.ConnectionString, _clusterId, "node-b");
        await using var b = nodeB;
        Func<HttpClient> viaA = () => new HttpClient { BaseAddress = urlA };
        Func<HttpClient> viaB = () => new HttpClient { BaseAddress = urlB };

        var workshop = await TestWorkshop.CreateAsync(viaA);
        var docId = await workshop.NewDocumentAsync("Recommandations");
        var togo = await workshop.JoinAsync("Délégation du Togo");
        var ghana = await workshop.Via(viaB).JoinAsync("Ghana delegation");
        await using (var onA = await CollabConnection.ConnectAsync(new Uri(urlA, "/hubs/collab"), togo.Token))
        await using (var onB = await CollabConnection.ConnectAsync(new Uri(urlB, "/hubs/collab"), ghana.Token))
        {
            var fromA = await onA.OpenAsync(docId);
            var fromB = await onB.OpenAsync(docId);
            for (var i = 0; i < 20; i++)
            {
                Append(fromA, $"togo{i} ");
                Append(fromB, $"ghana{i} ");
            }

            await Task.WhenAll(fromA.WaitSyncedAsync(Patience), fromB.WaitSyncedAsync(Patience));
            await CoEditing.AssertConvergedAsync(urlB, workshop.Facilitator.Token, [fromA, fromB], Patience, "togo19 ", "ghana19 ");
        }

        // A document is created by its workshop's grain, so it is activated on that grain's node (placed like any other
        // grain, wherever that is): workshops created through either node, each with a document.
        var created = new List<(string WorkshopId, string DocId)>();
        for (var i = 0; i < 6; i++)
        {
            var other = await TestWorkshop.CreateAsync(i % 2 == 0 ? viaA : viaB);
            created.Add((other.Id, await other.NewDocumentAsync($"Notes {i}")));
        }

        // An Orleans client of the same cluster (a web node of the separate topology) sees where activations live.
        await using var observer = new WebNodeFactory(database.ConnectionString, _clusterId);
        var management = observer.Services.GetRequiredService<IClusterClient>().GetGrain<IManagementGrain>(0);
        var silos = (await management.GetDetailedHosts(onlyActive: true)).ToDictionary(h => h.SiloAddress, h => h.SiloName);
        Assert.Equal(["node-a", "node-b"], silos.Values.Order());
        var active = (await management.GetDetailedGrainStatistics())
            .ToDictionary(s => s.GrainId.ToString(), s => silos[s.SiloAddress]);
        Assert.All(created, pair =>
        {
            var (workshopOn, documentOn) = (active[$"workshop/{pair.WorkshopId}"], active[$"document/{pair.DocId}"]);
            Assert.True(workshopOn == documentOn, $"Workshop {pair.WorkshopId} is on {workshopOn}, its document {pair.DocId} on {documentOn}.");
        });
    }
}
