using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Collab.Diagnostics;

/// <summary>
/// Collab's own telemetry names, defined once: one meter and one activity source called <see cref="Name"/>, and the
/// only tags our spans carry (<see cref="WorkshopTag"/>, <see cref="DocumentTag"/>). Ids only: never text a person
/// typed, never a token.
/// </summary>
public static class CollabTelemetry
{
    /// <summary>The meter (<c>System.Diagnostics.Metrics</c>) and the activity source of Collab's own instruments and spans.</summary>
    public const string Name = "Collab";

    public const string WorkshopTag = "collab.workshop.id";

    public const string DocumentTag = "collab.document.id";

    /// <summary>
    /// Collab's instruments, one set per process. Not one per host through <c>IMeterFactory</c>: the OpenTelemetry SDK
    /// matches meters by name across the process, so several hosts in one process (tests) would share a metric stream,
    /// and disposing one host's meter would silently drop the measurements of the next.
    /// </summary>
    public static Meter Meter { get; } = new(Name);

    /// <summary>Spans of Collab's own work (e.g. the op-log commit); hub and HTTP spans come from ASP.NET Core and are tagged.</summary>
    public static ActivitySource Source { get; } = new(Name);

    /// <summary>Histogram buckets for durations in seconds, 0.5 ms to 5 s: commits are sub-millisecond on a local disk.</summary>
    public static IReadOnlyList<double> SecondsBuckets { get; } =
        [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

    /// <summary>Histogram buckets for counts (ops per commit, recipients per op), 1 to 1000.</summary>
    public static IReadOnlyList<int> CountBuckets { get; } = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000];
}
