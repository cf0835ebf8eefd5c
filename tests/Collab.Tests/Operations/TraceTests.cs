using System.Diagnostics;
using Collab.Client;
using Collab.Diagnostics;
using Collab.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace Collab.Tests.Operations;

/// <summary>Spans of an edit: the hub invocation, the grain call and the commit beneath it, tagged with ids only.</summary>
public sealed class TraceTests(TraceTests.TracedNode node) : IClassFixture<TraceTests.TracedNode>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>A node with tracing on, every ended span recorded in <see cref="Spans"/>.</summary>
    public sealed class TracedNode : KestrelWebNode
    {
        public Pushes<Activity> Spans { get; } = new();

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Collab:Telemetry:Traces", "true");
            builder.ConfigureTestServices(services =>
                services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddProcessor(new Recorder(Spans))));
        }

        private sealed class Recorder(Pushes<Activity> spans) : BaseProcessor<Activity>
        {
            public override void OnEnd(Activity data) => spans.Add(data);
        }
    }

    private static string? Tag(Activity span, string key) => span.GetTagItem(key)?.ToString();

    [Fact]
    public async Task EditIsTracedFromHubInvocationThroughTheGrainToTheCommitWithIdsOnly()
    {
        const string Typed = "Surveillance communautaire 7781-PRIVATE";
        var workshop = await node.WorkshopAsync();
        var member = await node.MemberAsync("Tracer");
        var docId = await workshop.NewDocumentAsync("Traced", "");
        await using var connection = await CollabConnection.ConnectAsync(node.HubUrl, member.Token);
        var document = await connection.OpenAsync(docId);

        document.Edit(TextOperation.Of(OpComponent.Insert(Typed)));
        await document.WaitSyncedAsync(Patience);

        var submit = await node.Spans.FirstAsync(
            s => s.DisplayName.EndsWith("SubmitOp", StringComparison.Ordinal) && Tag(s, CollabTelemetry.DocumentTag) == docId,
            "the SubmitOp hub invocation's span, tagged with the document id");
        var commit = await node.Spans.FirstAsync(
            s => s.OperationName == "commit" && s.TraceId == submit.TraceId, "the commit span in the SubmitOp's trace");
        var grainCall = await node.Spans.FirstAsync(
            s => s.Source.Name.StartsWith("Microsoft.Orleans", StringComparison.Ordinal) && s.TraceId == submit.TraceId
                && s.DisplayName.Contains("Submit", StringComparison.Ordinal),
            "the grain call to IDocumentGrain.SubmitAsync in the SubmitOp's trace");
        using var http = new HttpClient { BaseAddress = node.Address };
        (await http.PostAsync(new Uri($"/hubs/collab/negotiate?negotiateVersion=1&access_token={member.Token}", UriKind.Relative), null)).Dispose();
        await node.Spans.FirstAsync(s => Tag(s, "url.path") == "/hubs/collab/negotiate", "the span of a negotiate with the token in its query");
        var text = await workshop.OkAsync<Collab.Documents.TextAtRevision>(member.Token, HttpMethod.Get, $"/api/documents/{docId}/text");
        var request = await node.Spans.FirstAsync(
            s => s.Kind == ActivityKind.Server && Tag(s, "url.path") == $"/api/documents/{docId}/text",
            "the HTTP request's span");

        Assert.Equal(Typed, text.Text);
        Assert.Equal("Microsoft.AspNetCore.SignalR.Server", submit.Source.Name);
        Assert.DoesNotContain(node.Spans.Received, s => s.Source.Name == CollabTelemetry.Name && s.DisplayName.EndsWith("SubmitOp", StringComparison.Ordinal));
        Assert.Equal(workshop.Id, Tag(submit, CollabTelemetry.WorkshopTag));
        Assert.Equal(docId, Tag(commit, CollabTelemetry.DocumentTag));
        Assert.Equal(workshop.Id, Tag(commit, CollabTelemetry.WorkshopTag));
        Assert.NotEqual(default, grainCall.SpanId);
        Assert.Equal(docId, Tag(request, CollabTelemetry.DocumentTag));

        string[] secrets = ["Surveillance", "7781-PRIVATE", member.Token.Split('.')[2]];
        var leaks = node.Spans.Received
            .SelectMany(span => span.TagObjects.Select(tag => (span, tag)))
            .Where(t => secrets.Any(secret => t.tag.Value?.ToString()?.Contains(secret, StringComparison.Ordinal) == true))
            .Select(t => $"{t.span.Source.Name} {t.span.DisplayName}: {t.tag.Key}")
            .ToList();
        Assert.True(leaks.Count == 0, "Spans carry typed text or a token:\n" + string.Join('\n', leaks));
    }
}
