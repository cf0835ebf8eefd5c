using System.Diagnostics.Metrics;
using Collab.Diagnostics;

namespace Collab.Documents;

/// <summary>
/// What the sequencers of one silo measure, on the <see cref="CollabTelemetry.Name"/> meter: commits, their batch size
/// and latency, active documents, and presence updates superseded before they were pushed. No tags: document ids would
/// make one series per document.
/// </summary>
public sealed class DocumentMetrics
{
    private readonly Counter<long> _committed;
    private readonly Histogram<int> _batchSize;
    private readonly Histogram<double> _commitDuration;
    private readonly UpDownCounter<long> _active;
    private readonly Counter<long> _presenceDropped;

    public DocumentMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(CollabTelemetry.Name);
        _committed = meter.CreateCounter<long>("collab.ops.committed", "{op}", "Ops durably appended to the op log (acknowledged).");
        _batchSize = meter.CreateHistogram<int>(
            "collab.commit.batch_size", "{op}", "Ops per op-log append (group commit).", tags: null,
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = CollabTelemetry.CountBuckets });
        _commitDuration = meter.CreateHistogram<double>(
            "collab.commit.duration", "s", "Time one op-log append takes until it is durable.", tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = CollabTelemetry.SecondsBuckets });
        _active = meter.CreateUpDownCounter<long>("collab.documents.active", "{document}", "Documents active (in memory) on this silo.");
        _presenceDropped = meter.CreateCounter<long>(
            "collab.presence.dropped", "{update}", "Presence updates replaced by a newer one of the same connection before the next batched push.");
    }

    public void Committed(int ops, TimeSpan duration)
    {
        _committed.Add(ops);
        _batchSize.Record(ops);
        _commitDuration.Record(duration.TotalSeconds);
    }

    public void Activated() => _active.Add(1);

    public void Deactivated() => _active.Add(-1);

    public void PresenceDropped() => _presenceDropped.Add(1);
}
