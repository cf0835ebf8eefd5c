using System.Diagnostics.Metrics;
using Collab.Diagnostics;

namespace Collab.Web.Realtime;

/// <summary>
/// What a web node measures of the real-time path, on the <see cref="CollabTelemetry.Name"/> meter: ops received,
/// acknowledged and rejected (by error code), the time from receiving an op to acknowledging it, connected clients, and
/// how many connections each committed op is pushed to.
/// </summary>
public sealed class RealtimeMetrics
{
    public const string ErrorCodeTag = "collab.error.code";

    private readonly Counter<long> _submitted;
    private readonly Counter<long> _rejected;
    private readonly Histogram<double> _ackDuration;
    private readonly UpDownCounter<long> _connected;
    private readonly Histogram<int> _fanout;

    public RealtimeMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(CollabTelemetry.Name);
        _submitted = meter.CreateCounter<long>("collab.ops.submitted", "{op}", "Ops received from clients (SubmitOp), before any check.");
        _rejected = meter.CreateCounter<long>("collab.ops.rejected", "{op}", "Ops refused, by error code (rate.limited, op.*, document.*, server.unavailable …).");
        _ackDuration = meter.CreateHistogram<double>(
            "collab.op.ack.duration", "s", "From receiving an op to acknowledging it: transform, durable commit and answer.", tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = CollabTelemetry.SecondsBuckets });
        _connected = meter.CreateUpDownCounter<long>("collab.clients.connected", "{connection}", "Signed-in hub connections on this web node.");
        _fanout = meter.CreateHistogram<int>(
            "collab.push.fanout", "{connection}", "Connections on this web node each committed op is pushed to.", tags: null,
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = CollabTelemetry.CountBuckets });
    }

    public void Submitted() => _submitted.Add(1);

    public void Acknowledged(TimeSpan duration) => _ackDuration.Record(duration.TotalSeconds);

    public void Rejected(string code) => _rejected.Add(1, new KeyValuePair<string, object?>(ErrorCodeTag, code));

    public void Connected() => _connected.Add(1);

    public void Disconnected() => _connected.Add(-1);

    public void Pushed(int ops, int connections)
    {
        for (var i = 0; i < ops; i++)
        {
            _fanout.Record(connections);
        }
    }
}
