using System.Text.Json.Nodes;
using Collab.Client;
using Collab.Documents;
using Collab.Sessions;
using Collab.Text;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Collab.Tests.Sessions;

/// <summary>
/// The breakout afternoon of the reference conference, end to end: the seed's workshop over the real HTTP API, twelve
/// delegates on real SignalR connections to a real Kestrel node, groups, co-writing, the countdown, recall and reopen.
/// </summary>
public sealed class BreakoutFlowTests(KestrelWebNode node) : IClassFixture<KestrelWebNode>
{
    private const string SessionId = "d1-breakouts";
    private static readonly TimeSpan Patience = Pushes<SessionView>.Patience;

    /// <summary>Four delegations of the seed, three delegates each.</summary>
    private static readonly string[] Delegations = ["bj", "bf", "gh", "tg"];

    [Fact]
    public async Task TwelveDelegatesCoWriteInTheirOwnGroupsHearTimeUpAndAreFrozenOnRecallUntilReopen()
    {
        var seed = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(RepoRoot.Path, "seeds", "cotonou-2023.json")))!;
        var workshop = await TestWorkshop.CreateAsync(() => new HttpClient { BaseAddress = node.Address }, seed);
        var token = workshop.Facilitator.Token;
        string Api(string action) => $"/api/workshops/{workshop.Id}/sessions/{SessionId}/{action}";

        var members = new List<(TestWorkshop.Member Member, string Delegation)>();
        for (var i = 0; i < 12; i++)
        {
            var delegation = Delegations[i % Delegations.Length];
            members.Add((await workshop.JoinAsync($"Delegate {i + 1} ({delegation})", "participant", delegation), delegation));
        }

        var delegationOf = members.ToDictionary(m => m.Member.Id, m => m.Delegation);
        var nameOf = members.ToDictionary(m => m.Member.Id, m => m.Member.Name);
        var facilitator = await Client.ConnectAsync(node, workshop.Facilitator);
        var clients = await Task.WhenAll(members.Select(m => Client.ConnectAsync(node, m.Member)));
        var everyone = clients.Append(facilitator).ToList();
        try
        {
            await Task.WhenAll(everyone.Select(c => c.Connection.WatchSessionAsync(SessionId)));

            // The facilitator starts the session and opens three numbered groups, delegations mixed.
            await workshop.OkAsync<SessionView>(token, HttpMethod.Post, Api("start"));
            var opened = await workshop.OkAsync<SessionView>(
                token, HttpMethod.Post, Api("breakouts"), new { naming = "numbered", count = 3, assignment = "mixDelegations" });

            Assert.Equal(["Group 1", "Group 2", "Group 3"], opened.Breakouts!.Groups.Select(g => g.Name));
            Assert.Equal([4, 4, 4], opened.Breakouts.Groups.Select(g => g.Members.Count));
            Assert.All(opened.Breakouts.Groups, g => Assert.Equal(Delegations.Order(), g.Members.Select(m => delegationOf[m]).Order()));

            // Every delegate hears that breakouts are open and finds themself in exactly one group.
            foreach (var client in clients)
            {
                var seen = await client.Sessions.FirstAsync(s => s.Breakouts is { Open: true }, $"{client.Name}: SessionChanged with breakouts open");
                client.Group = Assert.Single(seen.Breakouts!.Groups, g => g.Members.Contains(client.Id));
                Assert.Equal(opened.Breakouts.Groups.Single(g => g.Id == client.Group.Id).Members, client.Group.Members);
            }

            // Each opens its group's documents and adds a line to its best practices, all at once.
            await Task.WhenAll(clients.Select(c => c.OpenGroupDocumentsAsync()));
            foreach (var client in clients)
            {
                client.BestPractices.Edit(text => Append(text, client.Name + "\n"));
            }

            foreach (var client in clients)
            {
                await client.BestPractices.WaitForRevisionAsync(4, Patience);
            }

            // Its text is exactly its own group's four lines: nobody else's edits landed there.
            foreach (var client in clients)
            {
                Assert.Equal(
                    client.Group!.Members.Select(m => nameOf[m]).Order(),
                    client.BestPractices.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order());
            }

            // A short countdown: time's up reaches every delegate and the facilitator.
            await workshop.OkAsync<SessionView>(token, HttpMethod.Post, Api("timer"), new { action = "start", seconds = 2, label = "Wrap up" });
            foreach (var client in everyone)
            {
                await client.TimeUps.FirstAsync(t => t.SessionId == SessionId && t.Label == "Wrap up", $"{client.Name}: TimeUp of 'Wrap up'");
            }

            // Recall with freeze: every open document locks, everyone is back in plenary, and edits are refused.
            await workshop.OkAsync<SessionView>(token, HttpMethod.Post, Api("breakouts/recall"), new { freeze = true });
            foreach (var client in clients)
            {
                await client.Sessions.FirstAsync(
                    s => s.Breakouts is { Open: false, Frozen: true }, $"{client.Name}: SessionChanged with breakouts recalled and frozen");
                foreach (var document in client.Group!.Documents)
                {
                    await client.Locks.FirstAsync(l => l.DocId == document.DocId && l.Locked, $"{client.Name}: LockChanged locked for {document.DocId}");
                }

                var refused = await Assert.ThrowsAsync<HubException>(() => client.Connection.Connection.InvokeAsync<SubmitResult>("SubmitOp", new
                {
                    docId = client.BestPractices.DocId,
                    baseRevision = 4,
                    clientId = "after-recall-" + client.Id,
                    clientSeq = 1,
                    op = new object[] { client.BestPractices.Text.Length, "late" },
                }));
                Assert.Equal("document.locked", HubErrors.CodeOf(refused));
            }

            var frozen = await workshop.OkAsync<TextAtRevision>(token, HttpMethod.Get, $"/api/documents/{clients[0].BestPractices.DocId}/text");
            Assert.Equal((4, clients[0].BestPractices.Text), (frozen.Revision, frozen.Text));

            // Reopen: the same groups, documents unlocked, edits accepted again.
            await workshop.OkAsync<SessionView>(token, HttpMethod.Post, Api("breakouts/reopen"));
            foreach (var client in clients)
            {
                var reopened = await client.Sessions.FirstAsync(
                    s => s.Breakouts is { Open: true, Frozen: false } && s.Version > opened.Version, $"{client.Name}: SessionChanged with breakouts reopened");
                Assert.Equal(client.Group!.Id, Assert.Single(reopened.Breakouts!.Groups, g => g.Members.Contains(client.Id)).Id);
                foreach (var document in client.Group.Documents)
                {
                    await client.Locks.FirstAsync(l => l.DocId == document.DocId && !l.Locked, $"{client.Name}: LockChanged unlocked for {document.DocId}");
                }

                client.BestPractices.Edit(text => Append(text, client.Name + " (after reopen)\n"));
            }

            foreach (var client in clients)
            {
                await client.BestPractices.WaitForRevisionAsync(8, Patience);
                Assert.Equal(8, client.BestPractices.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
            }

            // Over the whole afternoon, no delegate received a single commit of another group's documents.
            foreach (var client in clients)
            {
                var own = client.Group!.Documents.Select(d => d.DocId).ToHashSet();
                Assert.Contains(client.Commits.Received, c => c.DocId == client.BestPractices.DocId);
                Assert.All(client.Commits.Received, c => Assert.Contains(c.DocId, own));
            }
        }
        finally
        {
            foreach (var client in everyone)
            {
                await client.Connection.DisposeAsync();
            }
        }
    }

    /// <summary>Appends <paramref name="line"/> at the end of <paramref name="text"/>.</summary>
    private static TextOperation Append(string text, string line) =>
        text.Length == 0
            ? TextOperation.Of(OpComponent.Insert(line))
            : TextOperation.Of(OpComponent.Retain(text.Length), OpComponent.Insert(line));

    /// <summary>One connected delegate (or the facilitator) and every push it received.</summary>
    private sealed class Client(TestWorkshop.Member member, CollabConnection connection)
    {
        public string Id => member.Id;

        public string Name => member.Name;

        public CollabConnection Connection => connection;

        public Pushes<SessionView> Sessions { get; } = new();

        public Pushes<TimeUp> TimeUps { get; } = new();

        public Pushes<LockChanged> Locks { get; } = new();

        public Pushes<OpsCommitted> Commits { get; } = new();

        public GroupView? Group { get; set; }

        public SharedDocument BestPractices { get; private set; } = null!;

        public static async Task<Client> ConnectAsync(KestrelWebNode node, TestWorkshop.Member member)
        {
            var client = new Client(member, await CollabConnection.ConnectAsync(node.HubUrl, member.Token));
            client.Connection.SessionChanged += client.Sessions.Add;
            client.Connection.TimeUp += client.TimeUps.Add;
            client.Connection.LockChanged += client.Locks.Add;
            client.Connection.Connection.On<OpsCommitted>("OpsCommitted", client.Commits.Add);
            return client;
        }

        public async Task OpenGroupDocumentsAsync()
        {
            foreach (var document in Group!.Documents)
            {
                var opened = await connection.OpenAsync(document.DocId);
                if (document.Section == "best-practices")
                {
                    BestPractices = opened;
                }
            }

            Assert.NotNull(BestPractices);
        }
    }
}
