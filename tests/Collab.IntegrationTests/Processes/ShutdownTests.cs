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
    /// <summary>
    /// People arrive at once on a fresh node, edit, leave, and the node is stopped. The node's first subscriptions used
    /// to race to make its observer reference and could make two; a document subscribed under the first was never
    /// unsubscribed (the node's unsubscribe named the second), so at the stop it told the node's departed client that it
    /// was deactivating, and Orleans wrote an error (Orleans.Messaging 100071) in the log of a stop that lost nothing.
    /// (<see cref="Collab.Web.Realtime.ObserverReference{T}"/>; failed in 4 runs of 4 before it.)
    /// </summary>
    [Fact]
    public async Task AGracefulStopAsPeopleLeaveTheirDocumentsWritesNoError()
    {
        using var data = new TempFolder();
        var (node, url) = await Programs.StartEmbeddedAsync(data.Path);
        await using (node)
        {
            var workshop = await TestWorkshop.CreateAsync(() => new HttpClient { BaseAddress = url });
            var docIds = new List<string>();
            for (var d = 0; d < 20; d++)
            {
                docIds.Add(await workshop.NewDocumentAsync($"Notes {d}", "Atelier de Cotonou."));
            }

            var tokens = new List<string>();
            foreach (var d in docIds.Select((_, i) => i))
            {
                tokens.Add((await workshop.JoinAsync($"Reader {d}")).Token);
            }

            // Everyone arrives at once on the fresh node, as at the start of a session.
            var readers = new CollabConnection?[docIds.Count];
            try
            {
                await Task.WhenAll(docIds.Select(async (docId, d) =>
                {
                    var reader = readers[d] = await CollabConnection.ConnectAsync(new Uri(url, "/hubs/collab"), tokens[d]);
                    var document = await reader.OpenAsync(docId);
                    document.Edit(text => TextOperation.Of(OpComponent.Retain(text.Length), OpComponent.Insert(" ✍")));
                    await document.WaitSyncedAsync(Patience);
                }));
            }
            finally
            {
                await Task.WhenAll(readers.OfType<CollabConnection>().Select(r => r.DisposeAsync().AsTask()));
            }

            await node.SignalAsync("TERM");
            Assert.Equal(0, await node.WaitForExitAsync(TimeSpan.FromSeconds(40)));
            Assert.Contains("Stopping:", node.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("fail:", node.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("crit:", node.Output, StringComparison.Ordinal);
        }
    }
}
