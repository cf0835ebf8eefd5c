using Collab.Client;
using Collab.IntegrationTests.Infrastructure;
using Collab.Text;

namespace Collab.IntegrationTests.Processes;

/// <summary>
/// Co-editing with real processes: silos on PostgreSQL, web nodes in front, the embedded process and its SQLite file.
/// Every acknowledged edit must survive SIGKILL of the process that held the document.
/// </summary>
public sealed class CoEditingAcrossProcessesTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly string _clusterId = "e-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>A workshop (created through <paramref name="address"/>) and a plenary document in it.</summary>
    private static async Task<(TestWorkshop Workshop, string DocId)> CreateDocumentAsync(Uri address, string text = "")
    {
        var workshop = await TestWorkshop.CreateAsync(() => new HttpClient { BaseAddress = address });
        return (workshop, await workshop.NewDocumentAsync("Recommendations", text));
    }

    /// <summary>Types <paramref name="count"/> short inserts at the end and waits for every ack.</summary>
    private static async Task TypeAsync(SharedDocument document, string prefix, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var piece = $"{prefix}{i} ";

            // Built inside the document's lock, so a remote op cannot land between reading the length and editing.
            document.Edit(text => text.Length == 0
                ? TextOperation.Of(OpComponent.Insert(piece))
                : TextOperation.Of(OpComponent.Retain(text.Length), OpComponent.Insert(piece)));
        }

        await document.WaitSyncedAsync(Patience);
    }

    [Fact]
    public async Task ClientsOnTwoWebNodesSeeEachOthersEdits()
    {
        await using var database = await PostgresServer.CreateDatabaseAsync();
        var (silo, _) = await Programs.StartSiloAsync(database.ConnectionString, _clusterId, "silo", FreePorts.Next(), FreePorts.Next());
        await using (silo)
        {
            await using var nodeA = new KestrelClusterWebNode(database.ConnectionString, _clusterId);
            await using var nodeB = new KestrelClusterWebNode(database.ConnectionString, _clusterId);
            var (workshop, docId) = await CreateDocumentAsync(nodeA.Address);
            await using var onA = await CollabConnection.ConnectAsync(nodeA.HubUrl, (await workshop.JoinAsync("Délégation du Togo")).Token);
            await using var onB = await CollabConnection.ConnectAsync(nodeB.HubUrl, (await workshop.JoinAsync("Ghana delegation")).Token);
            var a = await onA.OpenAsync(docId);
            var b = await onB.OpenAsync(docId);

            await Task.WhenAll(TypeAsync(a, "togo", 20), TypeAsync(b, "ghana", 20));

            await CoEditing.AssertConvergedAsync(nodeB.Address, workshop.Facilitator.Token, [a, b], Patience, "togo19 ", "ghana19 ");
        }
    }

    [Fact]
    public async Task AcknowledgedEditsSurviveASiloKilledWithSigkill()
    {
        await using var database = await PostgresServer.CreateDatabaseAsync();
        int siloPort = FreePorts.Next(), gatewayPort = FreePorts.Next();
        string docId;
        string acknowledged;
        TestWorkshop.Member rapporteur;
        var (silo, _) = await Programs.StartSiloAsync(database.ConnectionString, _clusterId, "first", siloPort, gatewayPort);
        await using (silo)
        {
            await using var node = new KestrelClusterWebNode(database.ConnectionString, _clusterId);
            (var workshop, docId) = await CreateDocumentAsync(node.Address, "Recommandation 1 : ");
            rapporteur = await workshop.JoinAsync("Rapporteur", "rapporteur");
            await using var connection = await CollabConnection.ConnectAsync(node.HubUrl, rapporteur.Token);
            var document = await connection.OpenAsync(docId);
            await TypeAsync(document, "mot", 150);
            acknowledged = document.Text;

            // No shutdown, no flush: the process is gone the instant after the last ack.
            await silo.KillAsync();
        }

        var (restarted, _) = await Programs.StartSiloAsync(database.ConnectionString, _clusterId, "second", siloPort, gatewayPort);
        await using (restarted)
        {
            await using var node = new KestrelClusterWebNode(database.ConnectionString, _clusterId);
            var server = await CoEditing.ServerTextAsync(node.Address, rapporteur.Token, docId);
            Assert.Equal(acknowledged, server.Text);

            // And the document goes on from there, with the token issued before the crash.
            await using var connection = await CollabConnection.ConnectAsync(node.HubUrl, rapporteur.Token);
            var document = await connection.OpenAsync(docId);
            await TypeAsync(document, "encore", 3);
            Assert.Equal(acknowledged + "encore0 encore1 encore2 ", (await CoEditing.ServerTextAsync(node.Address, rapporteur.Token, docId)).Text);
        }
    }

    [Fact]
    public async Task AcknowledgedEditsSurviveTheEmbeddedProcessKilledWithSigkill()
    {
        using var data = new TempFolder();
        string docId;
        string acknowledged;
        TestWorkshop workshop;
        var (first, url) = await Programs.StartEmbeddedAsync(data.Path);
        await using (first)
        {
            (workshop, docId) = await CreateDocumentAsync(url);
            await using var connection = await CollabConnection.ConnectAsync(new Uri(url, "/hubs/collab"), workshop.Facilitator.Token);
            var document = await connection.OpenAsync(docId);
            await TypeAsync(document, "défi", 150);
            acknowledged = document.Text;
            await first.KillAsync();
        }

        var (second, url2) = await Programs.StartEmbeddedAsync(data.Path);
        await using (second)
        {
            // The signing key is kept in the data folder: the token from before the crash still works.
            var server = await CoEditing.ServerTextAsync(url2, workshop.Facilitator.Token, docId);
            Assert.Equal(acknowledged, server.Text);
        }
    }
}
