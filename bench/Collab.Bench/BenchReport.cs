using System.Globalization;

namespace Collab.Bench;

/// <summary>Everything measured in a run, the human-readable summary, and the final RESULT line.</summary>
internal sealed class BenchReport(BenchOptions options)
{
    private readonly List<double> _peer = [];
    private readonly List<double> _peerFromSend = [];
    private readonly List<double> _ack = [];
    private readonly List<double> _ackLibrary = [];
    private readonly List<string> _problems = [];
    private readonly List<(string Name, int Pid, double? PeakRssMiB)> _servers = [];
    private readonly List<string> _serverLogs = [];
    private int _clients;
    private long _edits;
    private long _editsInWindow;
    private long _acksInWindow;
    private long _deliveriesInWindow;
    private long _retries;
    private long _missing;
    private long _resets;
    private long _reconnects;
    private long _rejections;

    public ServerHost? Host { get; set; }

    public string? Failure { get; set; }

    public (Snapshot Before, Snapshot After)? Window { get; set; }

    public IReadOnlyList<DocumentCheck>? Checks { get; set; }

    /// <summary>The Collab servers' own stage histograms at the start and the end of the window (<see cref="ServerStages"/>).</summary>
    public (ServerStages.Reading? Before, ServerStages.Reading? After) Stages { get; set; }

    /// <summary>The servers' memory after the window and the convergence check, everyone still connected.</summary>
    public IReadOnlyList<ProcessMemory>? Memory { get; set; }

    public int UnsyncedClients { get; set; }

    public double SyncSeconds { get; set; }

    public double ConvergeSeconds { get; set; }

    public bool Converged =>
        Failure is null && UnsyncedClients == 0 && Checks is { Count: > 0 } checks && checks.All(c => c.Converged);

    /// <summary>The server that was spawned for this run, or null for one already running.</summary>
    public string? Server => options.Spawn;

    public double Rate => options.Rate;

    public double P50Ms => P(_peer, 0.5);

    public double P99Ms => P(_peer, 0.99);

    public double OpsPerSecond => _acksInWindow / options.Seconds;

    public long DeliveriesInWindow => _deliveriesInWindow;

    /// <summary>CPU seconds in the measured window: the load generator's and all server processes' (PostgreSQL included).</summary>
    public (double Seconds, double Generator, double Server) Cpu
    {
        get
        {
            if (Window is not { } w)
            {
                return (double.NaN, double.NaN, double.NaN);
            }

            var server = w.Before.ServerCpu.Sum(b => w.After.ServerCpu.GetValueOrDefault(b.Key, double.NaN) - b.Value)
                + (Host?.UsesPostgres == true ? w.After.PostgresCpu - w.Before.PostgresCpu : 0);
            return (
                (w.After.Timestamp - w.Before.Timestamp) / (double)System.Diagnostics.Stopwatch.Frequency,
                w.After.GeneratorCpu - w.Before.GeneratorCpu,
                w.Before.ServerCpu.Count > 0 ? server : double.NaN);
        }
    }

    /// <summary>Server CPU (all its processes) per op delivered to a peer, in µs.</summary>
    public double ServerUsPerDelivery => _deliveriesInWindow > 0 ? Cpu.Server * 1e6 / _deliveriesInWindow : double.NaN;

    /// <summary>Load generator CPU per op delivered to a peer (each one applied by a simulated client), in µs.</summary>
    public double GeneratorUsPerDelivery => _deliveriesInWindow > 0 ? Cpu.Generator * 1e6 / _deliveriesInWindow : double.NaN;

    public void Collect(IReadOnlyList<SimulatedClient> clients)
    {
        _clients = clients.Count;
        foreach (var c in clients)
        {
            _peer.AddRange(c.PeerLatencyMs);
            _peerFromSend.AddRange(c.PeerFromSendMs);
            _ack.AddRange(c.AckLatencyMs);
            _ackLibrary.AddRange(c.AckLatencyLibraryMs);
            _edits += c.Edits;
            _editsInWindow += c.EditsInWindow;
            _acksInWindow += c.AcksInWindow;
            _deliveriesInWindow += c.DeliveriesInWindow;
            _retries += c.Retries;
            _missing += c.MissingStamps;
            _resets += c.ScheduleResets;
            _reconnects += c.Reconnects;
            _rejections += c.Rejections;
            foreach (var problem in c.Problems.Take(3))
            {
                if (_problems.Count < 10)
                {
                    _problems.Add($"{c.DocId}/{c.ClientId[..8]}: {problem}");
                }
            }
        }

        _peer.Sort();
        _peerFromSend.Sort();
        _ack.Sort();
        _ackLibrary.Sort();
    }

    /// <summary>Peak RSS must be read before the processes stop.</summary>
    public void CaptureServers(ServerHost host)
    {
        foreach (var server in host.Servers)
        {
            _servers.Add((server.Name, server.Pid, ProcStats.PeakRssMiB(server.Pid)));
        }
    }

    public void CaptureServerLogs(ServerHost host)
    {
        foreach (var server in host.Servers)
        {
            _serverLogs.Add($"{server.Name} log {server.LogPath}: {server.Warnings} warning(s), {server.Errors} error(s)");
            _serverLogs.AddRange(server.Samples.Select(s => "    " + Truncate(s, 300)));
        }
    }

    public void Print(TextWriter o)
    {
        var t = options.Seconds;
        o.WriteLine();
        o.WriteLine($"Collab.Bench — {(options.Workshops > 1 ? $"{options.Workshops} workshops × " : "")}{options.Docs} doc(s) × {options.Clients} client(s) × {F(options.Rate)} ops/s, warm-up {F(options.Warmup)} s, measured {F(t)} s, {options.BaseUrl}{(options.Spawn is null ? "" : $" (spawned {options.Spawn}{(options.Spawn == "cohosted" && options.Nodes > 1 ? $" × {options.Nodes} nodes" : "")})")}, seed {options.Seed}");
        if (Failure is not null)
        {
            o.WriteLine($"  RUN FAILED: {Failure}");
        }

        o.WriteLine($"  connections: {_clients} (WebSockets); keystrokes typed {_edits} in all, {_editsInWindow} in the window ({F(_editsInWindow / t)}/s)");
        o.WriteLine($"  acked ops in the window: {_acksInWindow} ({F(_acksInWindow / t)}/s); deliveries to peers: {_deliveriesInWindow} ({F(_deliveriesInWindow / t)}/s)");
        o.WriteLine($"  peer latency, keystroke → applied at each peer (n={_peer.Count}): {Dist(_peer)}");
        o.WriteLine($"  peer latency, op sent → applied at each peer   (n={_peerFromSend.Count}): {Dist(_peerFromSend)}");
        o.WriteLine($"  ack latency, op sent → acknowledged (n={_ack.Count}): {Dist(_ack)}");
        if (_ackLibrary.Count > 0)
        {
            o.WriteLine($"  ack latency by the client's own Environment.TickCount64 stamp (coarse clock): p50 {F(P(_ackLibrary, 0.5))} p99 {F(P(_ackLibrary, 0.99))} ms");
        }
        if (Window is { } w)
        {
            var seconds = (w.After.Timestamp - w.Before.Timestamp) / (double)System.Diagnostics.Stopwatch.Frequency;
            var generator = w.After.GeneratorCpu - w.Before.GeneratorCpu;
            var machine = w.After.MachineTotal - w.Before.MachineTotal;
            var busy = machine > 0 ? 100.0 * (w.After.MachineBusy - w.Before.MachineBusy) / machine : double.NaN;
            o.WriteLine($"  CPU in the window ({F(seconds)} s, {Environment.ProcessorCount} cores, machine {F(busy)} % busy):");
            o.WriteLine($"    load generator: {generator:0.00} s = {F(100 * generator / seconds)} % of one core");
            var serverTotal = 0.0;
            foreach (var (pid, before) in w.Before.ServerCpu)
            {
                var cpu = w.After.ServerCpu.GetValueOrDefault(pid, double.NaN) - before;
                serverTotal += cpu;
                var server = _servers.FirstOrDefault(s => s.Pid == pid);
                o.WriteLine($"    server {server.Name} (pid {pid}): {cpu:0.00} s = {F(100 * cpu / seconds)} % of one core, peak RSS {F(server.PeakRssMiB ?? double.NaN)} MiB");
            }

            if (Host?.UsesPostgres == true)
            {
                var pg = w.After.PostgresCpu - w.Before.PostgresCpu;
                serverTotal += pg;
                o.WriteLine($"    postgres (all 'postgres' processes): {pg:0.00} s = {F(100 * pg / seconds)} % of one core");
            }

            if (machine > 0)
            {
                // Whatever else ran on the machine in the window (other people's builds and tests skew every number).
                var busyCores = busy / 100 * Environment.ProcessorCount;
                var ours = (generator + serverTotal) / seconds;
                o.WriteLine($"    everything else on the machine: {F(Math.Max(0, busyCores - ours) * 100)} % of one core");
            }

            if (w.Before.ServerCpu.Count > 0 && _deliveriesInWindow > 0)
            {
                o.WriteLine($"    server CPU per delivered op: {F(serverTotal * 1e6 / _deliveriesInWindow)} µs; per acked op: {F(serverTotal * 1e6 / Math.Max(1, _acksInWindow))} µs");
            }

            if (_deliveriesInWindow > 0)
            {
                o.WriteLine($"    load generator CPU per delivered op: {F(GeneratorUsPerDelivery)} µs (every delivery is one remote op applied by one simulated client)");
            }
        }

        if (Checks is { } checks)
        {
            var equal = checks.Sum(c => c.ClientsEqual);
            var total = checks.Sum(c => c.Clients);
            o.WriteLine($"  convergence: {equal}/{total} clients equal the server text in {checks.Count(c => c.Converged)}/{checks.Count} documents; " +
                        $"all synced after {F(SyncSeconds)} s ({UnsyncedClients} still unsynced), checked after {F(ConvergeSeconds)} s");
            o.WriteLine($"  final revisions: {checks.Sum(c => (long)c.ServerRevision)} in all (min {checks.Min(c => c.ServerRevision)}, max {checks.Max(c => c.ServerRevision)} per document); " +
                        $"integrity (text length = typed, revisions = acked ops): {checks.Count(c => c.Complete)}/{checks.Count} documents");
            foreach (var bad in checks.Where(c => !c.Converged || !c.Complete).Take(5))
            {
                o.WriteLine($"    {bad.DocId}: server rev {bad.ServerRevision} len {bad.ServerLength} (typed {bad.ExpectedLength}, acked {bad.AckedOps}); " +
                            $"{bad.ClientsEqual}/{bad.Clients} equal, client revisions {bad.MinClientRevision}..{bad.MaxClientRevision}");
            }
        }

        if (Memory is { } memory)
        {
            o.WriteLine($"  server memory after the run, all clients connected ({ServerMemory.GcNote(induceGc: true)}):");
            foreach (var process in memory)
            {
                o.WriteLine($"    {process.Name} (pid {process.Pid}): RSS {F(process.RssKiB / 1024.0)} MiB, managed heap {(process.HeapBytes < 0 ? "n/a" : F(process.HeapBytes / 1048576.0) + " MiB")}");
            }
        }

        o.WriteLine($"  client anomalies: {_reconnects} reconnect(s), {_rejections} rejection(s), {_missing} op(s) without a submit stamp, " +
                    $"{_retries} local edit retr(ies) (text moved under the generator), {_resets} schedule reset(s) (generator > 1 s late)");
        foreach (var problem in _problems)
        {
            o.WriteLine("    " + Truncate(problem, 300));
        }

        foreach (var line in _serverLogs)
        {
            o.WriteLine("  " + line);
        }

        if (ServerStages.Describe(Stages) is { } stages)
        {
            o.WriteLine($"STAGES docs={options.Docs} clients={options.Clients} rate={F(options.Rate)} server={options.Spawn ?? "external"} {stages}");
        }

        o.WriteLine(
            $"RESULT docs={options.Docs} clients={options.Clients} rate={F(options.Rate)} protocol={(options.Protocol == Collab.Client.CollabHubProtocol.MessagePack ? "msgpack" : "json")} client={(options.Lean ? "lean" : "library")} p50_ms={F(P(_peer, 0.5))} p99_ms={F(P(_peer, 0.99))} " +
            $"max_ms={F(_peer.Count > 0 ? _peer[^1] : 0)} ack_p99_ms={F(P(_ack, 0.99))} ops_per_s={F(_acksInWindow / t)} " +
            $"server_us_per_delivery={F(ServerUsPerDelivery)} gen_us_per_delivery={F(GeneratorUsPerDelivery)} " +
            $"workshops={options.Workshops} rss_mib={F(Memory is { } m ? m.Sum(p => p.RssKiB) / 1024.0 : double.NaN)} " +
            $"heap_mib={F(Memory is { } h && h.All(p => p.HeapBytes >= 0) ? h.Sum(p => p.HeapBytes) / 1048576.0 : double.NaN)} " +
            $"server={options.Spawn ?? "external"}{(options.Spawn == "cohosted" && options.Nodes > 1 ? $" nodes={options.Nodes}" : "")} converged={(Converged ? "PASS" : "FAIL")}");
    }

    private static string Dist(List<double> sorted) =>
        sorted.Count == 0
            ? "no samples"
            : $"p50 {F(P(sorted, 0.5))}  p95 {F(P(sorted, 0.95))}  p99 {F(P(sorted, 0.99))}  max {F(sorted[^1])} ms";

    /// <summary>Nearest-rank percentile of a sorted list (0 when empty).</summary>
    private static double P(List<double> sorted, double p) =>
        sorted.Count == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

    internal static string F(double value) => double.IsNaN(value) ? "n/a" : value.ToString("0.#", CultureInfo.InvariantCulture);

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..length] + "…";
}
