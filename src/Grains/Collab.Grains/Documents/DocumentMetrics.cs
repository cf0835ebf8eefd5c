using System.Diagnostics.Metrics;
using Collab.Diagnostics;

namespace Collab.Documents;

/// <summary>
/// What the sequencers of a silo measure, on <see cref="CollabTelemetry.Meter"/>: commits, their batch size and latency,
/// active documents, and presence updates superseded before they were pushed. No tags: document ids would make one
/// series per document.
/// </summary>
public static class DocumentMetrics
{
    private static readonly Counter<long> CommittedOps = CollabTelemetry.Meter.CreateCounter<long>(
        "collab.ops.committed", "{op}", "Ops durably appended to the op log (acknowledged).");

    private static readonly Histogram<int> BatchSize = CollabTelemetry.Meter.CreateHistogram<int>(
        "collab.commit.batch_size", "{op}", "Ops per op-log append (group commit).", tags: null,
        advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = CollabTelemetry.CountBuckets });

    private static readonly Histogram<double> CommitDuration = CollabTelemetry.Meter.CreateHistogram<double>(
        "collab.commit.duration", "s", "Time one op-log append takes until it is durable.", tags: null,
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = CollabTelemetry.SecondsBuckets });

    // Observed from a count rather than added to: a reader that starts listening late (a restarted exporter) still
    // sees the true number, never a sum of only the changes it happened to hear.
    private static long _active;

    private static readonly ObservableUpDownCounter<long> Active = CollabTelemetry.Meter.CreateObservableUpDownCounter(
        "collab.documents.active", () => Interlocked.Read(ref _active), "{document}", "Documents active (in memory) on this silo.");

    private static readonly Counter<long> PresenceDroppedUpdates = CollabTelemetry.Meter.CreateCounter<long>(
        "collab.presence.dropped", "{update}", "Presence updates replaced by a newer one of the same connection before the next batched push.");

    public static void Committed(int ops, TimeSpan duration)
    {
        CommittedOps.Add(ops);
        BatchSize.Record(ops);
        CommitDuration.Record(duration.TotalSeconds);
    }

    public static void Activated() => Interlocked.Increment(ref _active);

    public static void Deactivated() => Interlocked.Decrement(ref _active);

    public static void PresenceDropped() => PresenceDroppedUpdates.Add(1);
}
