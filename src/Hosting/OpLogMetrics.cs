using System.Diagnostics.Metrics;
using Collab.Diagnostics;

namespace Collab.Hosting;

/// <summary>
/// What a silo's op-log writer measures (SQLite and PostgreSQL alike), on <see cref="CollabTelemetry.Meter"/>: how many
/// documents' appends each transaction committed together (the group commit across documents), how long the commit
/// took, and how many transactions failed. Per append, the grains measure ops and latency (<c>collab.commit.*</c>).
/// </summary>
internal static class OpLogMetrics
{
    private static readonly Histogram<int> Appends = CollabTelemetry.Meter.CreateHistogram<int>(
        "collab.oplog.transaction.appends", "{append}",
        "Documents' appends (one document's group commit each) committed together in one op-log transaction.", tags: null,
        advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = CollabTelemetry.CountBuckets });

    private static readonly Histogram<double> Duration = CollabTelemetry.Meter.CreateHistogram<double>(
        "collab.oplog.transaction.duration", "s", "Time one op-log transaction takes from its start until it is committed.", tags: null,
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = CollabTelemetry.SecondsBuckets });

    private static readonly Counter<long> Failed = CollabTelemetry.Meter.CreateCounter<long>(
        "collab.oplog.transactions.failed", "{transaction}", "Op-log transactions that failed: every append in them failed.");

    public static void Committed(int appends, TimeSpan duration)
    {
        Appends.Record(appends);
        Duration.Record(duration.TotalSeconds);
    }

    public static void TransactionFailed() => Failed.Add(1);
}
