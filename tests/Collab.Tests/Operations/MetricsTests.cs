using Collab.Bench;
using Collab.Client;
using Collab.Documents;
using Collab.Text;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Collab.Tests.Operations;

/// <summary><c>GET /metrics</c> on a real embedded node: Collab's own counters move with real edits over SignalR.</summary>
public sealed class MetricsTests(KestrelWebNode node) : IClassFixture<KestrelWebNode>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private async Task<PrometheusText> ScrapeAsync()
    {
        using var http = new HttpClient { BaseAddress = node.Address };
        using var response = await http.GetAsync(new Uri("/metrics", UriKind.Relative));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET /metrics answered {(int)response.StatusCode}: {text}");
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        return PrometheusText.Parse(text);
    }

    [Fact]
    public async Task MetricsShowTheOpsCommitsAndPushesOfEditsAfterTheyHappen()
    {
        var workshop = await node.WorkshopAsync();
        var docId = await workshop.NewDocumentAsync("Metrics", "Défis : ");
        await using var author = await CollabConnection.ConnectAsync(node.HubUrl, (await node.MemberAsync("Author")).Token);
        await using var reader = await CollabConnection.ConnectAsync(node.HubUrl, (await node.MemberAsync("Reader")).Token);
        var written = await author.OpenAsync(docId);
        var read = await reader.OpenAsync(docId);
        var before = await ScrapeAsync();

        const int Edits = 5;
        for (var i = 0; i < Edits; i++)
        {
            written.Edit(text => TextOperation.Of(OpComponent.Retain(text.Length), OpComponent.Insert("x")));
            await written.WaitSyncedAsync(Patience);
        }

        // The reader has every push, so every fan-out was recorded (it is recorded before the push is sent).
        await read.WaitForRevisionAsync(written.Revision, Patience);
        var after = await ScrapeAsync();

        Assert.True(after.Sum("collab_ops_submitted_total") >= before.Sum("collab_ops_submitted_total") + Edits, Show("submitted", before, after));
        Assert.True(after.Sum("collab_ops_committed_total") >= before.Sum("collab_ops_committed_total") + Edits, Show("committed", before, after));
        Assert.True(after.Sum("collab_commit_batch_size_count") >= before.Sum("collab_commit_batch_size_count") + Edits, Show("batches", before, after));
        Assert.True(after.Sum("collab_commit_duration_seconds_count") >= before.Sum("collab_commit_duration_seconds_count") + Edits, Show("commit latency", before, after));
        Assert.True(after.Sum("collab_oplog_transaction_appends_count") >= before.Sum("collab_oplog_transaction_appends_count") + 1, Show("op-log transactions", before, after));
        Assert.True(after.Sum("collab_oplog_transaction_appends_sum") >= before.Sum("collab_oplog_transaction_appends_sum") + Edits, Show("appends in op-log transactions", before, after));
        Assert.True(after.Sum("collab_oplog_transaction_duration_seconds_count") >= before.Sum("collab_oplog_transaction_duration_seconds_count") + 1, Show("op-log transaction latency", before, after));
        Assert.True(after.Sum("collab_op_ack_duration_seconds_count") >= before.Sum("collab_op_ack_duration_seconds_count") + Edits, Show("ack latency", before, after));
        Assert.True(after.Sum("collab_push_fanout_count") >= before.Sum("collab_push_fanout_count") + Edits, Show("fan-out", before, after));
        Assert.True(after.Sum("collab_push_fanout_sum") >= before.Sum("collab_push_fanout_sum") + 2 * Edits, Show("fan-out to both connections", before, after));
        Assert.True(after.Sum("collab_clients_connected") >= 2, Show("connected clients", before, after));
        Assert.True(after.Sum("collab_documents_active") >= 1, Show("active documents", before, after));
    }

    /// <summary>
    /// The bench's STAGES line (bench/README.md) reads these histograms from a real scrape: a rename here would leave the
    /// bench printing nothing for a stage.
    /// </summary>
    [Fact]
    public async Task TheBenchReadsEveryStageOfEditsFromTheScrape()
    {
        var workshop = await node.WorkshopAsync();
        var docId = await workshop.NewDocumentAsync("Stages", "Leçons : ");
        await using var author = await CollabConnection.ConnectAsync(node.HubUrl, (await node.MemberAsync("Author")).Token);
        var written = await author.OpenAsync(docId);
        var before = ServerStages.Empty();
        ServerStages.Add(before, (await ScrapeAsync()).Raw);

        const int Edits = 4;
        for (var i = 0; i < Edits; i++)
        {
            written.Edit(text => TextOperation.Of(OpComponent.Retain(text.Length), OpComponent.Insert("y")));
            await written.WaitSyncedAsync(Patience);
        }

        var after = ServerStages.Empty();
        ServerStages.Add(after, (await ScrapeAsync()).Raw);
        var line = ServerStages.Describe((before, after));
        Assert.NotNull(line);
        foreach (var stage in new[] { "ack_p50_ms=", "ack_p99_ms=", "append_p50_ms=", "tx_p99_ms=", "ops_per_append_mean=", "ops_per_append_p99_at_most=", "appends_per_tx_mean=" })
        {
            Assert.Contains(stage, line, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("n/a", line, StringComparison.Ordinal);
        Assert.Equal(Edits, after.Metrics["collab_op_ack_duration_seconds"].Count - before.Metrics["collab_op_ack_duration_seconds"].Count);
    }

    [Fact]
    public void StagePercentilesInterpolateWithinTheirBucket()
    {
        // 100 observations: 50 at or under 1 ms, 40 in (1, 2.5], 9 in (2.5, 5], 1 above 5 s.
        (double, double)[] cumulative = [(0.0005, 10), (0.001, 50), (0.0025, 90), (0.005, 99), (5, 99), (double.PositiveInfinity, 100)];
        Assert.Equal(0.001, ServerStages.Quantile(cumulative, 100, 0.5), 9);
        Assert.Equal(0.00175, ServerStages.Quantile(cumulative, 100, 0.7), 9);
        Assert.Equal(0.005, ServerStages.Quantile(cumulative, 100, 0.99), 9);
        Assert.Equal(5, ServerStages.Quantile(cumulative, 100, 0.999), 9);
        Assert.Equal(0.00025, ServerStages.Quantile(cumulative, 100, 0.05), 9);
        Assert.Equal(0.0025, ServerStages.UpperBound(cumulative, 100, 0.7));
        Assert.Equal(double.PositiveInfinity, ServerStages.UpperBound(cumulative, 100, 0.999));
    }

    [Fact]
    public async Task RejectedOpsAreCountedByTheirErrorCode()
    {
        var workshop = await node.WorkshopAsync();
        var docId = await workshop.NewDocumentAsync("Rejections", "abc");
        await using var connection = node.Raw((await node.MemberAsync("Clumsy")).Token);
        await connection.StartAsync();
        await connection.InvokeAsync<OpenedDocument>("OpenDocument", new { docId, lastRevision = (int?)null });
        var before = await ScrapeAsync();

        // The op covers 7 characters of a 3-character text.
        await Assert.ThrowsAsync<HubException>(() => connection.InvokeAsync<SubmitResult>(
            "SubmitOp", new { docId, baseRevision = 0, clientId = "c", clientSeq = 1, op = new object[] { 7, "x" } }));
        var after = await ScrapeAsync();

        const string Label = "collab_error_code=\"op.base_length_mismatch\"";
        Assert.True(after.Sum("collab_ops_rejected_total", Label) >= before.Sum("collab_ops_rejected_total", Label) + 1, Show("rejected", before, after));
    }

    [Fact]
    public async Task PresenceUpdatesReplacedBeforeTheBatchedPushAreCounted()
    {
        var workshop = await node.WorkshopAsync();
        var docId = await workshop.NewDocumentAsync("Cursors", "Une phrase assez longue pour bouger le curseur.");
        await using var connection = node.Raw((await node.MemberAsync("Cursor")).Token);
        await connection.StartAsync();
        await connection.InvokeAsync<OpenedDocument>("OpenDocument", new { docId, lastRevision = (int?)null });
        var before = await ScrapeAsync();

        // Twenty moves in a row: pushes go out at most every 100 ms, so most moves are replaced before one.
        for (var i = 0; i < 20; i++)
        {
            await connection.InvokeAsync("UpdatePresence", new { docId, revision = 0, selection = new { anchor = i, head = i } });
        }

        var after = await ScrapeAsync();
        Assert.True(after.Sum("collab_presence_dropped_total") >= before.Sum("collab_presence_dropped_total") + 1, Show("presence dropped", before, after));
    }

    [Fact]
    public async Task MetricsIncludeOrleansAndRuntimeMeters()
    {
        // ASP.NET Core's meters (http_server_*, kestrel_*, signalr_server_*) are exported too, but they are created per
        // host and the OpenTelemetry SDK matches meters by name across the process: with many test hosts started and
        // stopped in one process, this node's series may have been taken by another host's, so they are not asserted here.
        var metrics = await ScrapeAsync();

        Assert.True(metrics.Has("orleans_grains"), "Orleans' meter is missing:\n" + metrics.Raw);
        Assert.True(metrics.Has("dotnet_gc_collections_total"), "The runtime's meter is missing:\n" + metrics.Raw);
    }

    private static string Show(string what, PrometheusText before, PrometheusText after) =>
        $"{what} did not move as expected.\n--- before ---\n{Collab(before)}\n--- after ---\n{Collab(after)}";

    private static string Collab(PrometheusText metrics) =>
        string.Join('\n', metrics.Raw.Split('\n').Where(l => l.StartsWith("collab_", StringComparison.Ordinal) && !l.Contains("_bucket", StringComparison.Ordinal)));
}
