using System.Diagnostics.Metrics;
using Collab.Diagnostics;

namespace Collab.Web.Realtime;

/// <summary>
/// What a web node measures of the real-time path, on <see cref="CollabTelemetry.Meter"/>: ops received and rejected
/// (by error code), the time from receiving an op to acknowledging it, connected clients, and how many connections each
/// committed op is pushed to.
/// </summary>
public static class RealtimeMetrics
{
    public const string ErrorCodeTag = "collab.error.code";

    private static readonly Counter<long> SubmittedOps = CollabTelemetry.Meter.CreateCounter<long>(
        "collab.ops.submitted", "{op}", "Ops received from clients (SubmitOp), before any check.");

    private static readonly Counter<long> RejectedOps = CollabTelemetry.Meter.CreateCounter<long>(
        "collab.ops.rejected", "{op}", "Ops refused, by error code (rate.limited, op.*, document.*, server.unavailable …).");

    private static readonly Histogram<double> AckDuration = CollabTelemetry.Meter.CreateHistogram<double>(
        "collab.op.ack.duration", "s", "From receiving an op to acknowledging it: transform, durable commit and answer.", tags: null,
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = CollabTelemetry.SecondsBuckets });

    // Observed from a count, like active documents: a late reader sees the true number.
    private static long _connected;

    private static readonly ObservableUpDownCounter<long> ConnectedClients = CollabTelemetry.Meter.CreateObservableUpDownCounter(
        "collab.clients.connected", () => Interlocked.Read(ref _connected), "{connection}", "Signed-in hub connections on this web node.");

    private static readonly Histogram<int> Fanout = CollabTelemetry.Meter.CreateHistogram<int>(
        "collab.push.fanout", "{connection}", "Connections on this web node each committed op is pushed to.", tags: null,
        advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = CollabTelemetry.CountBuckets });

    public static void Submitted() => SubmittedOps.Add(1);

    public static void Acknowledged(TimeSpan duration) => AckDuration.Record(duration.TotalSeconds);

    public static void Rejected(string code) => RejectedOps.Add(1, new KeyValuePair<string, object?>(ErrorCodeTag, code));

    public static void Connected() => Interlocked.Increment(ref _connected);

    public static void Disconnected() => Interlocked.Decrement(ref _connected);

    public static void Pushed(int ops, int connections)
    {
        for (var i = 0; i < ops; i++)
        {
            Fanout.Record(connections);
        }
    }
}
