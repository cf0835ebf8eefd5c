using Collab.Client;
using Collab.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Collab.Tests.Operations;

/// <summary>
/// At the shipped levels (src/Web/appsettings.json: Microsoft.AspNetCore at Warning) co-editing writes no per-call log
/// lines: the rule that drops SignalR's dispatcher's Error lines (CollabHubFilter answers and logs those) must not
/// lower the level the configuration gives that category. It once did, and the dispatcher's two Debug lines per hub
/// call cost about a fifth of the server's CPU under load. (LogPrivacyTests runs at Trace: there the lines are kept.)
/// </summary>
public sealed class DefaultLogLevelsTests(DefaultLogLevelsTests.ShippedLevelsNode node) : IClassFixture<DefaultLogLevelsTests.ShippedLevelsNode>
{
    /// <summary>A node with the shipped logging configuration, whose log lines are also captured.</summary>
    public sealed class ShippedLevelsNode : KestrelWebNode
    {
        public CapturedLogs Logs { get; } = new();

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureServices(services => services.AddLogging(logging => logging.AddProvider(Logs)));
        }
    }

    [Fact]
    public async Task CoEditingAtTheShippedLevelsWritesNoSignalRLineBelowWarning()
    {
        var workshop = await node.WorkshopAsync();
        var member = await node.MemberAsync("Kofi (Ghana)");
        var docId = await workshop.NewDocumentAsync("Notes", "");
        await using (var author = await CollabConnection.ConnectAsync(node.HubUrl, member.Token))
        await using (var reader = await CollabConnection.ConnectAsync(node.HubUrl, workshop.Facilitator.Token))
        {
            var read = await reader.OpenAsync(docId);
            var document = await author.OpenAsync(docId);
            for (var i = 0; i < 20; i++)
            {
                document.Edit(text => text.Length == 0
                    ? TextOperation.Of(OpComponent.Insert("x"))
                    : TextOperation.Of(OpComponent.Retain(text.Length), OpComponent.Insert("x")));
            }

            await document.WaitSyncedAsync(TimeSpan.FromSeconds(30));
            await read.WaitForRevisionAsync(document.Revision, TimeSpan.FromSeconds(30));
        }

        var entries = node.Logs.Entries;
        Assert.Contains(entries, e => e.Level >= LogLevel.Information); // the capture works (the ready banner, start-up)
        var chatty = entries
            .Where(e => e.Category.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal) && e.Level < LogLevel.Warning)
            .Select(e => $"[{e.Level}] {e.Category}: {e.Text[..Math.Min(e.Text.Length, 160)]}")
            .ToList();
        Assert.True(chatty.Count == 0, $"{chatty.Count} lines below Warning from Microsoft.AspNetCore:\n" + string.Join('\n', chatty.Take(10)));
    }
}
