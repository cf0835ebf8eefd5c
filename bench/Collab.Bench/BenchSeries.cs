using System.Globalization;

namespace Collab.Bench;

/// <summary>
/// Several runs in one invocation: every spawned server gets the same shape in turn (the order alternates between
/// rounds, so drift on a shared machine does not always favour the same one), or a ramp of rates per server. Ends with
/// one line per server (medians over rounds) and, for every server that is not the bare hub, its ratios to the bare
/// hub measured in the same invocation: the figures issue 16's targets are stated in.
/// </summary>
internal sealed class BenchSeries(BenchOptions options, TextWriter log)
{
    private readonly List<BenchReport> _runs = [];
    private readonly List<(int Round, string Server, BenchReport? Best, BenchReport? FirstOver)> _ramps = [];

    public bool AllConverged => _runs.All(r => r.Converged);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        for (var round = 0; round < options.Repeat && !cancellationToken.IsCancellationRequested; round++)
        {
            var servers = round % 2 == 0 ? options.Servers : [.. options.Servers.Reverse()];
            if (options.Ramp.Count == 0)
            {
                foreach (var server in servers)
                {
                    await RunOneAsync(round, server, options.Rate, cancellationToken);
                }

                continue;
            }

            // A ramp: every server gets each rate in turn until its p99 passes the bound (or it stops converging).
            var best = servers.ToDictionary(s => s, _ => (BenchReport?)null);
            var over = new Dictionary<string, BenchReport>();
            foreach (var rate in options.Ramp)
            {
                foreach (var server in servers.Where(s => !over.ContainsKey(s)))
                {
                    var report = await RunOneAsync(round, server, rate, cancellationToken);
                    if (report.Converged && report.P99Ms < options.RampP99Ms)
                    {
                        best[server] = report;
                    }
                    else
                    {
                        over[server] = report;
                    }
                }
            }

            foreach (var server in servers)
            {
                _ramps.Add((round, server, best[server], over.GetValueOrDefault(server)));
            }
        }
    }

    private async Task<BenchReport> RunOneAsync(int round, string server, double rate, CancellationToken cancellationToken)
    {
        // The bare hub speaks JSON only: with --protocol msgpack, Collab's clients speak MessagePack and the yardstick's
        // JSON in the same run (issue 16's "the bare SignalR hub with JSON").
        var run = options with { Spawn = server, Rate = rate, Protocol = server == "bare" ? Collab.Client.CollabHubProtocol.Json : options.Protocol };
        log.WriteLine();
        log.WriteLine($"== round {round + 1}/{options.Repeat}: {server}, {options.Docs} × {options.Clients} × {Fmt(rate)} ops/s");
        var report = await new BenchRunner(run, log).RunAsync(cancellationToken);
        report.Print(log);
        _runs.Add(report);
        return report;
    }

    public void Print(TextWriter o)
    {
        o.WriteLine();
        o.WriteLine($"Summary: {options.Docs} doc(s) × {options.Clients} client(s), warm-up {Fmt(options.Warmup)} s, measured {Fmt(options.Seconds)} s, " +
                    $"{options.Repeat} round(s), servers {string.Join(", ", options.Servers)} (medians over rounds)");
        if (options.Ramp.Count == 0)
        {
            foreach (var server in options.Servers)
            {
                var runs = _runs.Where(r => r.Server == server).ToList();
                o.WriteLine(
                    $"SERVER server={server} rate={Fmt(options.Rate)} runs={runs.Count} failed={runs.Count(r => r.Failure is not null)} p50_ms={Fmt(Median(runs, r => r.P50Ms))} p99_ms={Fmt(Median(runs, r => r.P99Ms))} " +
                    $"ops_per_s={Fmt(Median(runs, r => r.OpsPerSecond))} server_us_per_delivery={Fmt(Median(runs, r => r.ServerUsPerDelivery))} " +
                    $"gen_us_per_delivery={Fmt(Median(runs, r => r.GeneratorUsPerDelivery))} converged={(runs.All(r => r.Converged) ? "PASS" : "FAIL")}");
            }

            if (options.Servers.Contains("bare"))
            {
                var bare = _runs.Where(r => r.Server == "bare").ToList();
                foreach (var server in options.Servers.Where(s => s != "bare"))
                {
                    var runs = _runs.Where(r => r.Server == server).ToList();
                    o.WriteLine(
                        $"RATIO server={server} vs=bare ops_per_s={Ratio(runs, bare, r => r.OpsPerSecond)} p99={Ratio(runs, bare, r => r.P99Ms)} " +
                        $"p50={Ratio(runs, bare, r => r.P50Ms)} server_cpu_per_delivery={Ratio(runs, bare, r => r.ServerUsPerDelivery)}");
                }
            }

            return;
        }

        foreach (var (round, server, best, firstOver) in _ramps)
        {
            o.WriteLine(
                $"  round {round + 1} {server}: highest passing rate {(best is null ? "none" : $"{Fmt(best.Rate)} ops/s each = {Fmt(best.OpsPerSecond)} ops/s (p99 {Fmt(best.P99Ms)} ms)")}; " +
                $"{(firstOver is null ? "never over the bound" : $"first over: {Fmt(firstOver.Rate)} each (p99 {Fmt(firstOver.P99Ms)} ms{(firstOver.Converged ? "" : ", NOT converged")})")}");
        }

        var highest = new Dictionary<string, double>();
        foreach (var server in options.Servers)
        {
            var values = _ramps.Where(r => r.Server == server).Select(r => r.Best?.OpsPerSecond ?? 0).ToList();
            highest[server] = MedianOf(values);
            o.WriteLine($"RAMP server={server} p99_bound_ms={Fmt(options.RampP99Ms)} max_ops_per_s={Fmt(highest[server])} rounds={values.Count}");
        }

        if (highest.TryGetValue("bare", out var yardstick))
        {
            foreach (var server in options.Servers.Where(s => s != "bare"))
            {
                o.WriteLine($"RATIO server={server} vs=bare max_ops_per_s={(yardstick > 0 ? (highest[server] / yardstick).ToString("0.00", CultureInfo.InvariantCulture) : "n/a")}");
            }
        }
    }

    /// <summary>The median over the runs that ran to the end (a run that failed, e.g. could not connect, has no figures).</summary>
    private static double Median(List<BenchReport> runs, Func<BenchReport, double> figure) =>
        MedianOf([.. runs.Where(r => r.Failure is null).Select(figure)]);

    private static double MedianOf(List<double> figures)
    {
        var values = figures.Where(v => !double.IsNaN(v)).Order().ToList();
        return values.Count == 0 ? double.NaN : values.Count % 2 == 1 ? values[values.Count / 2] : (values[(values.Count / 2) - 1] + values[values.Count / 2]) / 2;
    }

    private static string Ratio(List<BenchReport> runs, List<BenchReport> bare, Func<BenchReport, double> figure)
    {
        var (a, b) = (Median(runs, figure), Median(bare, figure));
        return double.IsNaN(a) || double.IsNaN(b) || b == 0 ? "n/a" : (a / b).ToString("0.00", CultureInfo.InvariantCulture);
    }

    private static string Fmt(double value) => BenchReport.F(value);
}
