using System.Diagnostics;

namespace Collab.Bench;

/// <summary>
/// <c>--idle-connections N1,N2,…</c>: what idle connections cost the server.
/// <para>
/// Sets up workshops of at most 250 people with <c>--idle-docs</c> documents each (mode <c>open</c>), joins a participant
/// per <c>--per-participant</c> connections, then restarts the server (so no document or workshop is in memory: what
/// the connections activate is theirs) and warms it up on a workshop of its own (20 connections that open its
/// document and leave). Then the baseline; then, for each count in turn, opens connections up to it (each a
/// <see cref="RawHubClient"/>; in mode <c>open</c> each opens one document of its workshop, round robin, like a reader),
/// waits <c>--settle</c> seconds with every connection pinging every 10 s, takes the server's CPU over that wait and its
/// memory after a full collection (<see cref="ServerMemory"/>), and prints an IDLE line with the cost per connection
/// over the baseline.
/// </para>
/// </summary>
internal sealed class IdleRunner(BenchOptions options, TextWriter log)
{
    private const int PeoplePerWorkshop = 250;
    private const int WarmUpConnections = 20;
    private static readonly TimeSpan PingEvery = TimeSpan.FromSeconds(10);

    private readonly List<RawHubClient> _clients = [];

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        await using var host = await ServerHost.StartAsync(options, log, cancellationToken);
        using var http = new HttpClient { BaseAddress = options.BaseUrl, Timeout = TimeSpan.FromSeconds(30) };
        var open = options.IdleMode == "open";
        var max = options.IdleConnections[^1];
        var participants = (max + options.PerParticipant - 1) / options.PerParticipant;
        var workshopCount = (participants + PeoplePerWorkshop - 1) / PeoplePerWorkshop;
        var text = ActivationRunner.MakeText(options.DocText, new Random(options.Seed));

        // Set-up: the workshops, their documents, the participants' tokens, and a workshop to warm the server up on.
        var setup = Stopwatch.StartNew();
        var workshops = new List<(BenchWorkshop Workshop, List<string> Docs)>();
        for (var w = 0; w < workshopCount; w++)
        {
            var workshop = await BenchHttp.CreateWorkshopAsync(http, $"Idle {w}", cancellationToken);
            var docs = new List<string>();
            for (var d = 0; open && d < options.IdleDocs; d++)
            {
                docs.Add(await BenchHttp.CreateDocumentAsync(http, workshop, $"Idle {w}.{d}", text, cancellationToken));
            }

            workshops.Add((workshop, docs));
        }

        var tokens = new string[participants];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, participants), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (p, ct) =>
                tokens[p] = await BenchHttp.JoinAsync(http, workshops[p / PeoplePerWorkshop].Workshop, $"idle {p}", ct));
        var warmUp = await BenchHttp.CreateWorkshopAsync(http, "Idle warm-up", cancellationToken);
        var warmUpDoc = await BenchHttp.CreateDocumentAsync(http, warmUp, "Warm-up", text, cancellationToken);
        log.WriteLine($"set up {workshopCount} workshop(s) × {(open ? options.IdleDocs : 0)} document(s) of {options.DocText} code units, {participants} participant(s) in {setup.Elapsed.TotalSeconds:0.0} s");

        if (options.Spawn != "bare")
        {
            await host.RestartAsync(cancellationToken); // the bare hub keeps its tokens in memory
        }

        var warmUps = new List<RawHubClient>();
        for (var i = 0; i < WarmUpConnections; i++)
        {
            warmUps.Add(await RawHubClient.ConnectAsync(options.BaseUrl, warmUp.FacilitatorToken, cancellationToken));
            await warmUps[^1].InvokeAsync("OpenDocument", new { docId = warmUpDoc, lastRevision = (int?)null }, cancellationToken);
        }

        foreach (var client in warmUps)
        {
            await client.DisposeAsync();
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pinger = PingAsync(stop.Token);
        try
        {
            var idleFrom = Snapshot.Take(host);
            await Task.Delay(TimeSpan.FromSeconds(options.Settle), cancellationToken);
            var idleCpu = ServerCpuPercent(idleFrom, Snapshot.Take(host));
            var baseline = await ServerMemory.MeasureAsync(host, induceGc: true, cancellationToken);
            Print($"baseline after the warm-up ({ServerMemory.GcNote(induceGc: true)}):", baseline);
            var previous = (Count: 0, Memory: baseline);
            foreach (var count in options.IdleConnections)
            {
                var connecting = Stopwatch.StartNew();
                await ConnectAsync(count, tokens, workshops, open, cancellationToken);
                log.WriteLine($"{_clients.Count} connection(s){(open ? ", each with a document open," : "")} in {connecting.Elapsed.TotalSeconds:0.0} s; settling {options.Settle:0.#} s");
                var before = Snapshot.Take(host);
                await Task.Delay(TimeSpan.FromSeconds(options.Settle), cancellationToken);
                var after = Snapshot.Take(host);
                var memory = await ServerMemory.MeasureAsync(host, induceGc: true, cancellationToken);
                var dropped = _clients.Count(c => !c.IsOpen);
                Print($"{count} connection(s):", memory);
                PrintLine(count, open ? workshopCount * options.IdleDocs : 0, baseline, idleCpu, previous, memory, before, after, dropped);
                previous = (count, memory);
            }
        }
        finally
        {
            await stop.CancelAsync();
            await pinger;
            await Task.WhenAny(Task.WhenAll(_clients.Select(c => c.DisposeAsync().AsTask())), Task.Delay(TimeSpan.FromSeconds(30), CancellationToken.None));
        }

        return 0;
    }

    /// <summary>Connections up to <paramref name="count"/>: connection i is participant i / P's, of that participant's workshop.</summary>
    private async Task ConnectAsync(
        int count, string[] tokens, List<(BenchWorkshop Workshop, List<string> Docs)> workshops, bool open, CancellationToken cancellationToken)
    {
        var from = _clients.Count;
        var added = new RawHubClient?[count - from];
        try
        {
            await Parallel.ForEachAsync(
                Enumerable.Range(from, count - from), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (i, ct) =>
                {
                    var participant = i / options.PerParticipant;
                    var client = await RawHubClient.ConnectAsync(options.BaseUrl, tokens[participant], ct);
                    added[i - from] = client;
                    if (open)
                    {
                        var docs = workshops[participant / PeoplePerWorkshop].Docs;
                        await client.InvokeAsync("OpenDocument", new { docId = docs[i % docs.Count], lastRevision = (int?)null }, ct);
                    }

                    client.StartDraining();
                });
        }
        finally
        {
            _clients.AddRange(added.OfType<RawHubClient>());
        }
    }

    /// <summary>Pings every connection every 10 s (the server drops one silent for 30 s), one connection after the other.</summary>
    private async Task PingAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await Task.Delay(PingEvery, cancellationToken);
                foreach (var client in _clients.ToArray().Where(c => c.IsOpen))
                {
                    try
                    {
                        await client.PingAsync(cancellationToken);
                    }
                    catch (System.Net.WebSockets.WebSocketException)
                    {
                        // Dropped by the server: counted at the next reading.
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Every server process's CPU (PostgreSQL's too) between two readings, in % of one core.</summary>
    private static double ServerCpuPercent(Snapshot before, Snapshot after) =>
        100 * (after.ServerCpu.Sum(a => a.Value - before.ServerCpu.GetValueOrDefault(a.Key, double.NaN)) + (after.PostgresCpu - before.PostgresCpu))
        / ((after.Timestamp - before.Timestamp) / (double)Stopwatch.Frequency);

    private void Print(string title, IReadOnlyList<ProcessMemory> memory)
    {
        log.WriteLine("  " + title);
        foreach (var process in memory)
        {
            log.WriteLine($"    {process.Name} (pid {process.Pid}): RSS {process.RssKiB / 1024.0:0.0} MiB, managed heap {(process.HeapBytes < 0 ? "n/a" : $"{process.HeapBytes / 1048576.0:0.0} MiB")}");
        }
    }

    private void PrintLine(
        int count, int docs, IReadOnlyList<ProcessMemory> baseline, double baselineCpu, (int Count, IReadOnlyList<ProcessMemory> Memory) previous,
        IReadOnlyList<ProcessMemory> memory, Snapshot before, Snapshot after, int dropped)
    {
        static string F(double value) => BenchReport.F(value);
        static long Rss(IReadOnlyList<ProcessMemory> m) => m.Sum(p => p.RssKiB);
        static double Heap(IReadOnlyList<ProcessMemory> m) => m.All(p => p.HeapBytes >= 0) ? m.Sum(p => p.HeapBytes) / 1024.0 : double.NaN;
        var seconds = (after.Timestamp - before.Timestamp) / (double)Stopwatch.Frequency;
        var machine = after.MachineTotal - before.MachineTotal;
        var busy = machine > 0 ? 100.0 * (after.MachineBusy - before.MachineBusy) / machine : double.NaN;
        var roles = string.Concat(memory.Where(_ => memory.Count > 1).Select(p =>
        {
            var at = baseline.First(b => b.Name == p.Name);
            return $"{p.Name}_kb_per_connection_rss={F((p.RssKiB - at.RssKiB) / (double)count)} ";
        }));
        log.WriteLine(
            $"IDLE connections={count} mode={options.IdleMode} docs={docs} per_participant={options.PerParticipant} " +
            $"kb_per_connection_rss={F((Rss(memory) - Rss(baseline)) / (double)count)} kb_per_connection_heap={F((Heap(memory) - Heap(baseline)) / count)} " +
            $"marginal_kb_per_connection_rss={F((Rss(memory) - Rss(previous.Memory)) / (double)(count - previous.Count))} " +
            $"marginal_kb_per_connection_heap={F((Heap(memory) - Heap(previous.Memory)) / (count - previous.Count))} {roles}" +
            $"rss_mib={F(Rss(memory) / 1024.0)} heap_mib={F(Heap(memory) / 1024)} baseline_rss_mib={F(Rss(baseline) / 1024.0)} baseline_heap_mib={F(Heap(baseline) / 1024)} " +
            $"server_cpu_pct={F(ServerCpuPercent(before, after))} baseline_server_cpu_pct={F(baselineCpu)} gen_cpu_pct={F(100 * (after.GeneratorCpu - before.GeneratorCpu) / seconds)} machine_busy_pct={F(busy)} " +
            $"dropped={dropped} gc={ServerMemory.GcMode(induceGc: true)} server={options.Spawn}");
    }
}
