using System.Diagnostics;
using System.Net.Http.Json;
using Collab.Client;
using Collab.Documents;
using Collab.IntegrationTests.Infrastructure;
using Collab.Text;

namespace Collab.IntegrationTests.Processes;

/// <summary>
/// Stopping the embedded process (Ctrl+C, or SIGTERM from a service manager) while people are connected takes seconds,
/// not the host's 30 s timeout: clients are told to reconnect, the silo stops gracefully, and when the process is back
/// on the same data and port the clients come back by themselves (issue 15, item 16).
/// </summary>
public sealed class ShutdownTests
{
    private static readonly TimeSpan Quickly = TimeSpan.FromSeconds(8);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData("INT")]
    [InlineData("TERM")]
    public async Task TheEmbeddedProcessWithConnectedClientsStopsWithinSecondsAndTheClientsComeBackWhenItIsBack(string signal)
    {
        using var data = new TempFolder();
        var port = FreePorts.Next();
        var (first, url) = await Programs.StartEmbeddedAsync(data.Path, port);
        var hub = new Uri(url, "/hubs/collab");
        TestWorkshop workshop;
        string docId;
        await using (first)
        {
            workshop = await TestWorkshop.CreateAsync(() => new HttpClient { BaseAddress = url });
            docId = await workshop.NewDocumentAsync("Notes", "Plenary notes.");
            var people = new List<(CollabConnection Connection, SharedDocument Document)>();
            try
            {
                foreach (var token in new[] { workshop.Facilitator.Token, (await workshop.JoinAsync("Awa")).Token, (await workshop.JoinAsync("Kofi")).Token })
                {
                    var connection = await CollabConnection.ConnectAsync(hub, token);
                    await connection.EnterWorkshopAsync();
                    people.Add((connection, await connection.OpenAsync(docId)));
                }

                people[1].Document.Edit(text => TextOperation.Of(OpComponent.Retain(text.Length), OpComponent.Insert(" Before the stop.")));
                await people[1].Document.WaitSyncedAsync(Patience);

                var stopping = Stopwatch.StartNew();
                await first.SignalAsync(signal);
                var exit = await first.WaitForExitAsync(TimeSpan.FromSeconds(40));
                stopping.Stop();
                Assert.True(stopping.Elapsed < Quickly, $"Stopping with SIG{signal} took {stopping.Elapsed.TotalSeconds:0.0} s with 3 clients connected. Output:\n{first.Output}");
                Assert.Equal(0, exit);
                Assert.DoesNotContain("fail:", first.Output, StringComparison.Ordinal);
                Assert.DoesNotContain("crit:", first.Output, StringComparison.Ordinal);
                Assert.DoesNotContain("non-graceful", first.Output, StringComparison.OrdinalIgnoreCase);

                // Typing goes on while the server is away; the process comes back on the same data and port.
                people[2].Document.Edit(text => TextOperation.Of(OpComponent.Retain(text.Length), OpComponent.Insert(" While it was away.")));
                var (second, _) = await Programs.StartEmbeddedAsync(data.Path, port);
                await using (second)
                {
                    await people[2].Document.WaitSyncedAsync(Patience);
                    var expected = "Plenary notes. Before the stop. While it was away.";
                    foreach (var (_, document) in people)
                    {
                        await document.WaitForRevisionAsync(people[2].Document.Revision, Patience);
                        Assert.Equal(expected, document.Text);
                    }

                    using var http = new HttpClient { BaseAddress = url };
                    http.DefaultRequestHeaders.Authorization = new("Bearer", workshop.Facilitator.Token);
                    var server = await http.GetFromJsonAsync<TextAtRevision>($"/api/documents/{docId}/text");
                    Assert.Equal(expected, server!.Text);
                }
            }
            finally
            {
                foreach (var (connection, _) in people)
                {
                    await connection.DisposeAsync();
                }
            }
        }
    }
}
