using System.Globalization;

namespace Collab.Bench;

/// <summary>
/// Where a spawned Collab server spends an op's time, from its own histograms (<c>/metrics</c>) read at the start and at
/// the end of the measured window, so only the window's ops count: the hub's ack (receive → transform → durable commit →
/// answer, on the web node), the document's durable append (queued → committed, where the document grain runs), one
/// op-log transaction (begin → commit), ops per append and appends per transaction. Duration percentiles are interpolated
/// within the histogram buckets (0.5, 1, 2.5, 5, 10, 25 … ms), as Prometheus' <c>histogram_quantile</c> does; counts give
/// their mean and the bound of the bucket holding their 99th percentile; means are exact.
/// The bare hub has no <c>/metrics</c> and gets no line.
/// </summary>
internal static class ServerStages
{
    private static readonly (string Metric, string Label, double Scale)[] Stages =
    [
        ("collab_op_ack_duration_seconds", "ack", 1000),
        ("collab_commit_duration_seconds", "append", 1000),
        ("collab_oplog_transaction_duration_seconds", "tx", 1000),
        ("collab_commit_batch_size", "ops_per_append", 1),
        ("collab_oplog_transaction_appends", "appends_per_tx", 1),
    ];

    /// <summary>Every stage histogram of every Collab process, summed: per metric, count and sum, and the count per bucket bound.</summary>
    internal sealed record Reading(Dictionary<string, (double Count, double Sum, SortedDictionary<double, double> Buckets)> Metrics);

    public static async Task<Reading?> TakeAsync(ServerHost? host, CancellationToken cancellationToken)
    {
        if (host is null)
        {
            return null;
        }

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var reading = Empty();
        var any = false;
        foreach (var server in host.Servers.Where(s => s.HttpBase is not null))
        {
            try
            {
                using var response = await http.GetAsync(new Uri(server.HttpBase + "/metrics"), cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    Add(reading, await response.Content.ReadAsStringAsync(cancellationToken));
                    any = true;
                }
            }
            catch (HttpRequestException)
            {
                // A process without /metrics (the bare hub) or gone: its stages are not read.
            }
        }

        return any ? reading : null;
    }

    internal static Reading Empty() =>
        new(Stages.ToDictionary(s => s.Metric, _ => (Count: 0.0, Sum: 0.0, Buckets: new SortedDictionary<double, double>())));

    /// <summary>Adds one process's <c>/metrics</c> text (Prometheus exposition) to <paramref name="reading"/>.</summary>
    internal static void Add(Reading reading, string text)
    {
        var metrics = reading.Metrics;
        foreach (var line in text.Split('\n'))
        {
            foreach (var (metric, _, _) in Stages)
            {
                if (!line.StartsWith(metric + "_", StringComparison.Ordinal))
                {
                    continue;
                }

                var value = double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
                var (count, sum, buckets) = metrics[metric];
                var rest = line[(metric.Length + 1)..];
                if (rest.StartsWith("count", StringComparison.Ordinal))
                {
                    count += value;
                }
                else if (rest.StartsWith("sum", StringComparison.Ordinal))
                {
                    sum += value;
                }
                else if (rest.StartsWith("bucket", StringComparison.Ordinal) && Bound(rest) is { } bound)
                {
                    buckets[bound] = buckets.GetValueOrDefault(bound) + value;
                }

                metrics[metric] = (count, sum, buckets);
            }
        }
    }

    /// <summary>The <c>le</c> label of a bucket line: its upper bound (+Inf as infinity).</summary>
    private static double? Bound(string line)
    {
        var at = line.IndexOf("le=\"", StringComparison.Ordinal);
        if (at < 0)
        {
            return null;
        }

        var end = line.IndexOf('"', at + 4);
        var text = line[(at + 4)..end];
        return text == "+Inf" ? double.PositiveInfinity : double.Parse(text, CultureInfo.InvariantCulture);
    }

    /// <summary>The window's stages as <c>name_p50=… name_p99=… name_mean=…</c> pairs (ms for durations), or null.</summary>
    public static string? Describe((Reading? Before, Reading? After) window)
    {
        if (window is not ({ } before, { } after))
        {
            return null;
        }

        var parts = new List<string>();
        foreach (var (metric, label, scale) in Stages)
        {
            var (countBefore, sumBefore, bucketsBefore) = before.Metrics[metric];
            var (countAfter, sumAfter, bucketsAfter) = after.Metrics[metric];
            var count = countAfter - countBefore;
            if (count <= 0)
            {
                continue;
            }

            var cumulative = bucketsAfter.Select(b => (Bound: b.Key, Count: b.Value - bucketsBefore.GetValueOrDefault(b.Key))).ToList();
            if (scale == 1000)
            {
                parts.Add($"{label}_p50_ms={F(Quantile(cumulative, count, 0.5) * scale)}");
                parts.Add($"{label}_p99_ms={F(Quantile(cumulative, count, 0.99) * scale)}");
                parts.Add($"{label}_mean_ms={F((sumAfter - sumBefore) / count * scale)}");
            }
            else
            {
                // Counts are whole numbers in buckets 1, 2, 5, 10 …: interpolating inside one says nothing; the bucket's
                // bound does (the 99th percentile is at most that many).
                parts.Add($"{label}_mean={F((sumAfter - sumBefore) / count)}");
                parts.Add($"{label}_p99_at_most={F(UpperBound(cumulative, count, 0.99))}");
            }
        }

        return parts.Count == 0 ? null : string.Join(' ', parts);
    }

    /// <summary>
    /// The <paramref name="q"/> quantile from cumulative bucket counts, interpolated linearly within its bucket (the first
    /// bucket from 0); one in the +Inf bucket is the largest finite bound.
    /// </summary>
    internal static double Quantile(IReadOnlyList<(double Bound, double Count)> cumulative, double total, double q)
    {
        var rank = q * total;
        var lower = 0.0;
        var below = 0.0;
        foreach (var (bound, count) in cumulative)
        {
            if (count >= rank)
            {
                if (double.IsPositiveInfinity(bound))
                {
                    return lower;
                }

                var inBucket = count - below;
                return inBucket <= 0 ? bound : lower + ((bound - lower) * (rank - below) / inBucket);
            }

            lower = double.IsPositiveInfinity(bound) ? lower : bound;
            below = count;
        }

        return lower;
    }

    /// <summary>The upper bound of the bucket that holds the <paramref name="q"/> quantile (infinity for the +Inf bucket).</summary>
    internal static double UpperBound(IReadOnlyList<(double Bound, double Count)> cumulative, double total, double q) =>
        cumulative.FirstOrDefault(b => b.Count >= q * total, (Bound: double.PositiveInfinity, Count: total)).Bound;

    private static string F(double value) => double.IsFinite(value) ? value.ToString(value >= 100 ? "0" : "0.##", CultureInfo.InvariantCulture) : "n/a";
}
