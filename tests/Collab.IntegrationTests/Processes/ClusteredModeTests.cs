using System.Net;
using System.Net.Http.Json;
using Collab.Diagnostics;
using Collab.IntegrationTests.Infrastructure;
using Collab.Workshops;
using Microsoft.Extensions.DependencyInjection;

namespace Collab.IntegrationTests.Processes;

/// <summary>
/// The clustered deployment on the real PostgreSQL: silos as separate processes, the web node as an Orleans client
/// that finds them through the membership table.
/// </summary>
public sealed class ClusteredModeTests
{
    private static readonly object Workshop = new
    {
        title = "Atelier régional : bonnes pratiques et leçons apprises",
        venue = "Ouagadougou",
        startsOn = "2026-11-30",
        endsOn = "2026-12-01",
        languages = new[] { "fr", "en" },
        creator = new { name = "Facilitatrice" },
    };

    private readonly string _clusterId = "c-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task AcknowledgedStateSurvivesAKilledSiloAndIsReadByTheNextActivation()
    {
        await using var database = await PostgresServer.CreateDatabaseAsync();
        int siloPort = FreePorts.Next(), gatewayPort = FreePorts.Next();

        WorkshopView created;
        TestWorkshop workshop;
        var (silo, _) = await Programs.StartSiloAsync(database.ConnectionString, _clusterId, "first", siloPort, gatewayPort);
        await using (silo)
        {
            await using var web = new WebNodeFactory(database.ConnectionString, _clusterId);
            workshop = await TestWorkshop.CreateAsync(web.CreateClient, Workshop);
            created = await workshop.OkAsync<WorkshopView>(workshop.Facilitator.Token, HttpMethod.Get, $"/api/workshops/{workshop.Id}");

            await silo.KillAsync();
        }

        // The writes went to PostgreSQL before the answer, so they are there with the silo gone: the workshop and the
        // claims of its four join codes.
        Assert.Equal(5L, await PostgresServer.ScalarAsync<long>(database.ConnectionString,
            "SELECT count(*) FROM orleans_storage WHERE payload_binary IS NOT NULL;"));

        var (restarted, _) = await Programs.StartSiloAsync(database.ConnectionString, _clusterId, "second", siloPort, gatewayPort);
        await using (restarted)
        {
            await using var web = new WebNodeFactory(database.ConnectionString, _clusterId);
            var read = await workshop.Via(web.CreateClient).OkAsync<WorkshopView>(workshop.Facilitator.Token, HttpMethod.Get, $"/api/workshops/{created.Id}");
            Assert.Equivalent(created, read, strict: true);
        }
    }

    [Fact]
    public async Task TwoSilosFormOneClusterAndTheWebNodeReachesGrainsOnBoth()
    {
        await using var database = await PostgresServer.CreateDatabaseAsync();
        var (a, healthA) = await Programs.StartSiloAsync(database.ConnectionString, _clusterId, "silo-a", FreePorts.Next(), FreePorts.Next());
        await using (a)
        {
            var (b, healthB) = await Programs.StartSiloAsync(database.ConnectionString, _clusterId, "silo-b", FreePorts.Next(), FreePorts.Next());
            await using (b)
            {
                Assert.Equal(2L, await PostgresServer.ScalarAsync<long>(database.ConnectionString,
                    $"SELECT count(*) FROM orleans_membership WHERE deployment_id = '{_clusterId}' AND status = 3;"));

                using var http = new HttpClient();
                Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri(healthA, "/health/ready"))).StatusCode);
                Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri(healthB, "/health/ready"))).StatusCode);

                await using var web = new WebNodeFactory(database.ConnectionString, _clusterId);
                var client = web.Services.GetRequiredService<IClusterClient>();

                var hosts = await client.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true);
                Assert.Equal(2, hosts.Count);

                // Random placement: 40 activations all landing on one of two silos has odds of 2 in 2^40.
                var answeredBy = new HashSet<string>();
                for (var i = 0; i < 40; i++)
                {
                    answeredBy.Add((await client.GetGrain<IClusterProbeGrain>($"probe-{i}").PingAsync()).SiloName);
                }

                Assert.Equal(["silo-a", "silo-b"], answeredBy.Order());

                var ready = await web.CreateClient().GetAsync("/health/ready");
                Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            }
        }
    }
}
