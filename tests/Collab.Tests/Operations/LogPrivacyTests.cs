using Collab.Client;
using Collab.Text;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Collab.Tests.Operations;

/// <summary>What people type and their tokens never reach the logs, whatever the level.</summary>
public sealed class LogPrivacyTests(LogPrivacyTests.TracingLoggedNode node) : IClassFixture<LogPrivacyTests.TracingLoggedNode>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>A node logging everything (Trace, every category, also Orleans) into <see cref="Logs"/>.</summary>
    public sealed class TracingLoggedNode : KestrelWebNode
    {
        public CapturedLogs Logs { get; } = new();

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Logging:LogLevel:Default", "Trace");
            builder.UseSetting("Logging:LogLevel:Microsoft", "Trace");
            builder.UseSetting("Logging:LogLevel:Microsoft.AspNetCore", "Trace");
            builder.UseSetting("Logging:LogLevel:Orleans", "Trace");
            builder.ConfigureServices(services => services.AddLogging(logging =>
            {
                logging.AddProvider(Logs);
                logging.SetMinimumLevel(LogLevel.Trace);
            }));
        }
    }

    [Fact]
    public async Task EditingFlowLogsNeitherTheTypedTextNorTheToken()
    {
        const string Typed = "Patrouilles mixtes à Kpémé, contact Ama 0042-SECRET";
        var workshop = await node.WorkshopAsync();
        var member = await node.MemberAsync("Ama (Togo)");
        var docId = await workshop.NewDocumentAsync("Notes", "");

        await using (var author = await CollabConnection.ConnectAsync(node.HubUrl, member.Token))
        await using (var watcher = await CollabConnection.ConnectAsync(node.HubUrl, workshop.Facilitator.Token))
        {
            var watched = await watcher.OpenAsync(docId);
            var document = await author.OpenAsync(docId);
            foreach (var word in Typed.Split(' '))
            {
                document.Edit(text => text.Length == 0
                    ? TextOperation.Of(OpComponent.Insert(word))
                    : TextOperation.Of(OpComponent.Retain(text.Length), OpComponent.Insert(" " + word)));
            }

            await document.WaitSyncedAsync(Patience);
            await watched.WaitForRevisionAsync(document.Revision, Patience);
            Assert.Equal(Typed, watched.Text);
            await author.Connection.InvokeAsync("UpdatePresence", new { docId, revision = document.Revision, selection = new { anchor = 3, head = 9 } });

            // A late joiner gets the text itself in the answer.
            await using var late = await CollabConnection.ConnectAsync(node.HubUrl, member.Token);
            Assert.Equal(Typed, (await late.OpenAsync(docId)).Text);
        }

        // Browsers cannot set headers on WebSockets: the token travels in the query string, which request logs show.
        using (var http = new HttpClient { BaseAddress = node.Address })
        {
            (await http.PostAsync(new Uri($"/hubs/collab/negotiate?negotiateVersion=1&access_token={member.Token}", UriKind.Relative), null)).Dispose();
        }

        var server = await workshop.OkAsync<Collab.Documents.TextAtRevision>(member.Token, HttpMethod.Get, $"/api/documents/{docId}/text");
        Assert.Equal(Typed, server.Text);
        var history = await workshop.OkAsync<System.Text.Json.JsonElement>(member.Token, HttpMethod.Get, $"/api/documents/{docId}/ops?after=0");
        Assert.True(history.GetArrayLength() > 0);

        var entries = node.Logs.Entries;
        Assert.True(entries.Count > 100, $"Only {entries.Count} log entries were captured: the capture is broken.");
        Assert.Contains(entries, e => e.Category.StartsWith("Microsoft.AspNetCore.SignalR", StringComparison.Ordinal) && e.Level <= LogLevel.Debug);
        Assert.Contains(entries, e => e.Category.StartsWith("Orleans", StringComparison.Ordinal) && e.Level <= LogLevel.Debug);
        string[] secrets = ["Patrouilles", "Kpémé", "0042-SECRET", member.Token, member.Token.Split('.')[2], workshop.Facilitator.Token.Split('.')[2]];
        var leaks = entries
            .SelectMany(e => secrets.Where(secret => e.Text.Contains(secret, StringComparison.Ordinal)).Select(secret => (Secret: secret, Entry: e)))
            .Select(l => $"[{l.Entry.Level}] {l.Entry.Category} leaks '{Abbreviate(l.Secret)}': {Abbreviate(l.Entry.Text, 600)}")
            .Distinct()
            .ToList();
        Assert.True(leaks.Count == 0, $"{leaks.Count} log entries hold typed text or a token:\n" + string.Join('\n', leaks.Take(40)));
    }

    [Fact]
    public async Task RefusedHubCallsAreAnsweredNotLoggedAsErrorsAndTheirContentIsNeverLogged()
    {
        const string Secret = "SECRET-Kpémé-4417";
        var workshop = await node.WorkshopAsync();
        var docId = await workshop.NewDocumentAsync("Refusals", "abc");
        var member = await node.MemberAsync("Refused (Togo)");
        int before, after;
        var codes = new List<string?>();
        await using (var connection = node.Raw(member.Token))
        {
            await connection.StartAsync();
            await connection.InvokeAsync<Collab.Documents.OpenedDocument>("OpenDocument", new { docId, lastRevision = (int?)null });
            before = node.Logs.Entries.Count;
            async Task RefusedAsync(Func<Task> call)
            {
                var error = await Assert.ThrowsAsync<HubException>(call);
                codes.Add(Collab.Client.HubErrors.CodeOf(error));
            }

            for (var i = 0; i < 60; i++)
            {
                await RefusedAsync(() => connection.InvokeAsync<Collab.Documents.OpenedDocument>("OpenDocument", new { docId = $"unknown-{i}", lastRevision = (int?)null }));
            }

            // Malformed ops carrying typed text where it does not belong, a 100 KB one among them.
            object[][] malformed = [[Secret], [0, Secret], [new { insert = Secret }], [new string('x', 100_000) + Secret, 0.5]];
            foreach (var op in malformed)
            {
                await RefusedAsync(() => connection.InvokeAsync<Collab.Documents.SubmitResult>(
                    "SubmitOp", new { docId, baseRevision = 0, clientId = "c1", clientSeq = 1, op }));
            }

            await RefusedAsync(() => connection.InvokeCoreAsync("SubmitOp", typeof(object), [new { docId, baseRevision = Secret, clientId = "c1", clientSeq = 1, op = new[] { "x" } }]));
            after = node.Logs.Entries.Count;
        }

        var written = node.Logs.Entries.Skip(before).Take(after - before).ToList();
        var loud = written.Where(e => e.Level >= LogLevel.Warning).Select(e => $"[{e.Level}] {e.Category}: {Abbreviate(e.Text, 300)}").ToList();
        Assert.True(loud.Count == 0, $"{loud.Count} refusals were logged at Warning or above:\n" + string.Join('\n', loud.Take(10)));
        var leaks = written.Where(e => e.Text.Contains("SECRET-", StringComparison.Ordinal)).Select(e => $"[{e.Level}] {e.Category}: {Abbreviate(e.Text, 300)}").ToList();
        Assert.True(leaks.Count == 0, $"{leaks.Count} log entries hold what was sent:\n" + string.Join('\n', leaks.Take(10)));
        Assert.Contains(written, e => e.Level == LogLevel.Debug && e.Text.Contains("refused: document.not_found", StringComparison.Ordinal));
        // What a node writes at its default levels (Information and above): nothing for refusals, however many.
        var informational = written.Where(e => e.Level >= LogLevel.Information).Select(e => $"[{e.Level}] {e.Category}: {Abbreviate(e.Text, 200)}").ToList();
        Assert.True(informational.Count == 0, $"Refusals wrote {informational.Count} entries at Information or above:\n" + string.Join('\n', informational.Take(10)));
        Assert.All(codes, code => Assert.True(code is "document.not_found" or "op.malformed" or "op.base_length_mismatch" or "request.malformed", code));
    }

    private static string Abbreviate(string text, int length = 24) => text.Length <= length ? text : text[..length] + "…";
}
