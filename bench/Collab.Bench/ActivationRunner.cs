using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Collab.Client;
using Collab.Documents;
using Collab.Text;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Collab.Bench;

/// <summary>
/// <c>--activation N</c>: how long a document with N ops of history takes to open when it is not in memory.
/// <para>
/// Writes the history through the hub (<c>SubmitOp</c>, as editors do; there is no HTTP edit), from <c>--writers</c>
/// connections that never open the document (so no push reaches the generator), each with one op in flight, at most
/// 45 ops/s each (under the hub's 50/s per connection). Every op replaces one character of the writer's own slice of
/// the text, so the text keeps its length (<c>--doc-text</c>) and every op is valid at any base revision; the base is
/// the newest revision any writer has seen acknowledged, so the grain transforms it over the few ops in flight.
/// </para>
/// <para>
/// Then it times <c>OpenDocument</c> until the text is in the client, and the first op's ack after it, R times each:
/// <b>cold process</b>, the first open after every server process was restarted (JIT, the workshop's grains and the
/// document's activation); <b>cold process, short history</b>, the same with the 250-op warm-up document instead,
/// which tells what the history's length adds; <b>cold grain</b>, after a restart and a warm-up on another document with a short history
/// (open, replay, edit), so only this document's activation is cold; <b>warm</b>, with the document already active.
/// Orleans keeps an idle activation 15 minutes and Collab exposes no way to drop one, so a restart is the only
/// deactivation the bench can cause. The server logs each activation's replayed tail at Debug, which is turned on for
/// <c>Collab.Documents.DocumentGrain</c> and read back from the log.
/// </para>
/// </summary>
internal sealed partial class ActivationRunner(BenchOptions options, TextWriter log)
{
    private const int WarmDocumentOps = 250;
    private const string JitSeconds = "dotnet_jit_compilation_time_seconds_total";
    private const double WriterOpsPerSecond = 45;
    private static readonly string[] Replacements = ["a", "e", "i", "o", "u", "n", "s", "t", " ", "é", "à", "ç", "ñ", "ß", "中"];

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        if (options.DocText < options.Writers)
        {
            throw new ArgumentException($"--doc-text ({options.DocText}) must give every one of the {options.Writers} writers a character of its own.");
        }

        var settings = new Dictionary<string, string> { ["Logging__LogLevel__Collab.Documents.DocumentGrain"] = "Debug" };
        await using var host = await ServerHost.StartAsync(options, log, cancellationToken, settings);
        using var http = new HttpClient { BaseAddress = options.BaseUrl, Timeout = TimeSpan.FromSeconds(30) };
        var hub = new Uri(options.BaseUrl, "hubs/collab");
        var workshop = await BenchHttp.CreateWorkshopAsync(http, "Activation bench", cancellationToken);
        var text = MakeText(options.DocText, new Random(options.Seed));
        var docId = await BenchHttp.CreateDocumentAsync(http, workshop, "Long history", text, cancellationToken);
        var warmDocId = await BenchHttp.CreateDocumentAsync(http, workshop, "Warm-up", text, cancellationToken);
        var readerToken = await BenchHttp.JoinAsync(http, workshop, "bench reader", cancellationToken);

        // The history.
        var writers = new List<CollabConnection>();
        Snapshot before, after;
        double writeSeconds;
        try
        {
            for (var w = 0; w < options.Writers; w++)
            {
                var token = await BenchHttp.JoinAsync(http, workshop, $"bench writer {w}", cancellationToken);
                writers.Add(await BenchRunner.ConnectOneAsync(hub, token, options.Protocol, cancellationToken));
            }

            await WriteAsync(writers, warmDocId, text.Length, WarmDocumentOps, cancellationToken);
            log.WriteLine($"writing {options.Activation} ops to {docId} from {options.Writers} connections (≤ {WriterOpsPerSecond} ops/s each, one in flight)");
            before = Snapshot.Take(host);
            var clock = Stopwatch.StartNew();
            await WriteAsync(writers, docId, text.Length, options.Activation, cancellationToken);
            writeSeconds = clock.Elapsed.TotalSeconds;
            after = Snapshot.Take(host);
        }
        finally
        {
            await Task.WhenAll(writers.Select(w => w.DisposeAsync().AsTask()));
        }

        var server = await BenchHttp.TextAsync(http, workshop.FacilitatorToken, docId, cancellationToken);
        if (server.Revision != options.Activation || server.Text.Length != text.Length)
        {
            throw new InvalidOperationException($"{docId} is at revision {server.Revision} with {server.Text.Length} code units after writing {options.Activation} ops to {text.Length}.");
        }

        var writeServerCpu = after.ServerCpu.Sum(b => b.Value - before.ServerCpu.GetValueOrDefault(b.Key)) + (after.PostgresCpu - before.PostgresCpu);
        var writeGeneratorCpu = after.GeneratorCpu - before.GeneratorCpu;
        log.WriteLine($"wrote {options.Activation} ops in {writeSeconds:0.0} s ({options.Activation / writeSeconds:0} ops/s); server CPU {writeServerCpu:0.0} s " +
                      $"({writeServerCpu * 1e6 / options.Activation:0} µs per op), generator {writeGeneratorCpu:0.0} s");

        // The timed opens.
        var coldProcess = new List<OpenTiming>();
        var coldProcessShort = new List<OpenTiming>();
        var coldProcessEntered = new List<OpenTiming>();
        var coldGrain = new List<OpenTiming>();
        var warm = new List<OpenTiming>();
        for (var r = 0; r < options.ActivationRepeat; r++)
        {
            await host.RestartAsync(cancellationToken);
            coldProcess.Add(await OpenAsync(host, hub, readerToken, docId, server.Revision, warmUpDocId: null, cancellationToken));
            await host.RestartAsync(cancellationToken);
            coldProcessEntered.Add(await OpenAsync(host, hub, readerToken, docId, server.Revision, warmUpDocId: null, cancellationToken, enterFirst: true));
            await host.RestartAsync(cancellationToken);
            coldProcessShort.Add(await OpenAsync(host, hub, readerToken, warmDocId, WarmDocumentOps, warmUpDocId: null, cancellationToken));
            await host.RestartAsync(cancellationToken);
            coldGrain.Add(await OpenAsync(host, hub, readerToken, docId, server.Revision, warmDocId, cancellationToken));
            warm.Add(await OpenAsync(host, hub, readerToken, docId, server.Revision, warmUpDocId: null, cancellationToken));
            log.WriteLine($"round {r + 1}: cold process {coldProcess[^1]}; cold process, entered first {coldProcessEntered[^1]}; cold process, short history {coldProcessShort[^1]}; cold grain {coldGrain[^1]}; warm {warm[^1]}");
        }

        var replayed = ReplayedTails(host, docId);
        var busy = Busy(before, after);
        Print(docId, text.Length, writeSeconds, writeServerCpu, writeGeneratorCpu, busy, coldProcess, coldProcessEntered, coldProcessShort, coldGrain, warm, replayed, host);
        return 0;
    }

    /// <summary>
    /// Writes <paramref name="count"/> ops to <paramref name="docId"/> from every writer at once, each one op in flight
    /// and paced to <see cref="WriterOpsPerSecond"/>; a refusal for rate or availability is sent again with the same seq.
    /// </summary>
    private async Task WriteAsync(IReadOnlyList<CollabConnection> writers, string docId, int length, int count, CancellationToken cancellationToken)
    {
        var remaining = count;
        var newest = 0;
        var slice = length / writers.Count;
        await Task.WhenAll(writers.Select((writer, w) => Task.Run(async () =>
        {
            var random = new Random(options.Seed + w);
            var clientId = Guid.NewGuid().ToString("N");
            var interval = Stopwatch.Frequency / WriterOpsPerSecond;
            var next = (double)Stopwatch.GetTimestamp();
            for (var seq = 1L; Interlocked.Decrement(ref remaining) >= 0; seq++)
            {
                var position = (w * slice) + random.Next(slice);
                var op = Replace(position, Replacements[random.Next(Replacements.Length)], length);
                var payload = JsonSerializer.SerializeToElement(op);
                for (var attempt = 1; ; attempt++)
                {
                    try
                    {
                        var result = await writer.Connection.InvokeAsync<SubmitResult>(
                            "SubmitOp",
                            new { docId, baseRevision = Volatile.Read(ref newest), clientId, clientSeq = seq, op = payload },
                            cancellationToken);
                        InterlockedMax(ref newest, result.Revision);
                        break;
                    }
                    catch (HubException e) when (HubErrors.CodeOf(e) is "rate.limited" or "server.unavailable" && attempt < 50)
                    {
                        await Task.Delay(200, cancellationToken);
                    }
                }

                next += interval;
                var wait = next - Stopwatch.GetTimestamp();
                if (wait > 0)
                {
                    await Task.Delay(TimeSpan.FromSeconds(wait / Stopwatch.Frequency), cancellationToken);
                }
                else if (wait < -Stopwatch.Frequency)
                {
                    next = Stopwatch.GetTimestamp(); // more than a second behind: carry on from now rather than burst
                }
            }
        }, cancellationToken)));
    }

    /// <summary>
    /// One timed open on a fresh connection (its connect is timed apart): <c>OpenDocument</c> until the text is in the
    /// client, then one edit until its ack. With <paramref name="warmUpDocId"/>, that document is opened and edited
    /// first on the same connection, untimed. With <paramref name="enterFirst"/>, <c>EnterWorkshop</c> is called and
    /// timed between the connect and the open, as the web client does: the server runs a connection's admission
    /// (<c>OnConnectedAsync</c>) after the handshake the connect waits for, so a connection's first call also waits
    /// for its admission, and this separates the two.
    /// </summary>
    private async Task<OpenTiming> OpenAsync(
        ServerHost host, Uri hub, string token, string docId, int revision, string? warmUpDocId, CancellationToken cancellationToken, bool enterFirst = false)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));

        // The JIT's time in every server process, around the connect, the open and the first ack (the first scrape
        // compiles the exporter's own path, so the second one adds nothing of its own).
        var jitBefore = await ServerMemory.SumAsync(host, JitSeconds, timeout.Token);
        var connectClock = Stopwatch.StartNew();
        await using var connection = await BenchRunner.ConnectOneAsync(hub, token, options.Protocol, timeout.Token);
        var connect = connectClock.Elapsed.TotalMilliseconds;
        var enter = 0.0;
        if (enterFirst)
        {
            var enterClock = Stopwatch.StartNew();
            await connection.EnterWorkshopAsync(timeout.Token);
            enter = enterClock.Elapsed.TotalMilliseconds;
        }

        if (warmUpDocId is not null)
        {
            var warmUp = await connection.OpenAsync(warmUpDocId, timeout.Token);
            await EditUntilAckAsync(warmUp);
            await connection.CloseAsync(warmUpDocId);
        }

        var openClock = Stopwatch.StartNew();
        var document = await connection.OpenAsync(docId, timeout.Token);
        var open = openClock.Elapsed.TotalMilliseconds;
        if (document.Revision < revision || document.Text.Length != options.DocText)
        {
            throw new InvalidOperationException($"{docId} opened at revision {document.Revision} with {document.Text.Length} code units (expected ≥ {revision}, {options.DocText}).");
        }

        var firstAck = await EditUntilAckAsync(document);
        var jit = await ServerMemory.SumAsync(host, JitSeconds, timeout.Token) - jitBefore;
        await connection.CloseAsync(docId);
        return new OpenTiming(connect, enter, open, firstAck, jit * 1000);
    }

    /// <summary>Replaces the first character and waits for the ack; the milliseconds from the edit to the ack.</summary>
    private static async Task<double> EditUntilAckAsync(SharedDocument document)
    {
        var acked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnAck(int revision, long submittedAt) => acked.TrySetResult();
        document.Acknowledged += OnAck;
        try
        {
            var clock = Stopwatch.StartNew();
            document.Edit(Replace(0, "x", document.Text.Length));
            await acked.Task.WaitAsync(TimeSpan.FromSeconds(30));
            return clock.Elapsed.TotalMilliseconds;
        }
        finally
        {
            document.Acknowledged -= OnAck;
        }
    }

    private static TextOperation Replace(int position, string with, int length)
    {
        var components = new List<OpComponent>(4);
        if (position > 0)
        {
            components.Add(OpComponent.Retain(position));
        }

        components.Add(OpComponent.Delete(1));
        components.Add(OpComponent.Insert(with));
        if (length - position - 1 > 0)
        {
            components.Add(OpComponent.Retain(length - position - 1));
        }

        return new TextOperation([.. components]);
    }

    /// <summary>Prose-like text of BMP characters only (no surrogate pair a one-character replacement could split).</summary>
    internal static string MakeText(int length, Random random)
    {
        const string letters = "abcdefghijklmnopqrstuvwxyzéèàç";
        var text = new StringBuilder(length);
        while (text.Length < length)
        {
            var roll = random.Next(100);
            text.Append(roll < 15 ? ' ' : roll < 17 ? '\n' : roll < 18 ? '.' : letters[random.Next(letters.Length)]);
        }

        return text.ToString();
    }

    private static void InterlockedMax(ref int target, int value)
    {
        for (var seen = Volatile.Read(ref target); value > seen; seen = Volatile.Read(ref target))
        {
            if (Interlocked.CompareExchange(ref target, value, seen) == seen)
            {
                return;
            }
        }
    }

    /// <summary>The replayed tail of every activation of <paramref name="docId"/>, from the server logs (Debug lines).</summary>
    private static List<int> ReplayedTails(ServerHost host, string docId)
    {
        var tails = new List<int>();
        foreach (var server in host.Servers)
        {
            foreach (var line in File.ReadLines(server.LogPath))
            {
                if (line.Contains(docId, StringComparison.Ordinal) && ActivatedLine().Match(line) is { Success: true } match)
                {
                    tails.Add(int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture));
                }
            }
        }

        return tails;
    }

    [GeneratedRegex(@"activated at revision \d+ \(snapshot \d+, (\d+) ops replayed\)")]
    private static partial Regex ActivatedLine();

    private static double Busy(Snapshot before, Snapshot after)
    {
        var total = after.MachineTotal - before.MachineTotal;
        return total > 0 ? 100.0 * (after.MachineBusy - before.MachineBusy) / total : double.NaN;
    }

    private void Print(
        string docId, int length, double writeSeconds, double writeServerCpu, double writeGeneratorCpu, double busy,
        List<OpenTiming> coldProcess, List<OpenTiming> coldProcessEntered, List<OpenTiming> coldProcessShort, List<OpenTiming> coldGrain, List<OpenTiming> warm, List<int> replayed, ServerHost host)
    {
        var o = Console.Out;
        static string F(double value) => BenchReport.F(value);
        o.WriteLine();
        o.WriteLine($"Collab.Bench activation — {docId}: {options.Activation} ops of history, text {length} code units, server {options.Spawn}, seed {options.Seed}");
        o.WriteLine($"  history written in {F(writeSeconds)} s = {F(options.Activation / writeSeconds)} ops/s by {options.Writers} connections; " +
                    $"server CPU {F(writeServerCpu)} s ({F(writeServerCpu * 1e6 / options.Activation)} µs per op{(host.UsesPostgres ? ", PostgreSQL included" : "")}), " +
                    $"generator {F(writeGeneratorCpu)} s; machine {F(busy)} % busy ({Environment.ProcessorCount} cores)");
        foreach (var (name, timings) in new[] { ("cold process", coldProcess), ("cold process, EnterWorkshop first", coldProcessEntered), ($"cold process, the {WarmDocumentOps}-op document", coldProcessShort), ("cold grain", coldGrain), ("warm", warm) })
        {
            o.WriteLine($"  {name} (n={timings.Count}): open p50 {F(Median(timings, t => t.OpenMs))} max {F(timings.Max(t => t.OpenMs))} ms; " +
                        $"first ack p50 {F(Median(timings, t => t.FirstAckMs))} max {F(timings.Max(t => t.FirstAckMs))} ms; connect p50 {F(Median(timings, t => t.ConnectMs))} ms; " +
                        (timings.Any(t => t.EnterMs > 0) ? $"EnterWorkshop p50 {F(Median(timings, t => t.EnterMs))} ms; " : "") +
                        $"connect to text p50 {F(Median(timings, t => t.ToTextMs))} ms; " +
                        $"server JIT from connect to ack p50 {F(Median(timings, t => t.JitMs))} ms");
        }

        o.WriteLine($"  replayed tails at activation (server log, Debug): {(replayed.Count == 0 ? "none logged" : string.Join(", ", replayed))}");
        foreach (var server in host.Servers)
        {
            o.WriteLine($"  {server.Name} log {server.LogPath}: {server.Warnings} warning(s), {server.Errors} error(s) since its last start");
        }

        o.WriteLine(
            $"ACTIVATION ops={options.Activation} text={length} open_ms_p50={F(Median(coldGrain, t => t.OpenMs))} open_ms_max={F(coldGrain.Max(t => t.OpenMs))} " +
            $"first_ack_ms={F(Median(coldGrain, t => t.FirstAckMs))} cold_process_open_ms_p50={F(Median(coldProcess, t => t.OpenMs))} " +
            $"cold_process_open_ms_max={F(coldProcess.Max(t => t.OpenMs))} cold_process_first_ack_ms={F(Median(coldProcess, t => t.FirstAckMs))} " +
            $"cold_process_to_text_ms_p50={F(Median(coldProcess, t => t.ToTextMs))} cold_process_enter_ms_p50={F(Median(coldProcessEntered, t => t.EnterMs))} " +
            $"cold_process_entered_open_ms_p50={F(Median(coldProcessEntered, t => t.OpenMs))} cold_process_entered_open_ms_max={F(coldProcessEntered.Max(t => t.OpenMs))} " +
            $"cold_process_entered_to_text_ms_p50={F(Median(coldProcessEntered, t => t.ToTextMs))} " +
            $"cold_process_short_open_ms_p50={F(Median(coldProcessShort, t => t.OpenMs))} cold_process_jit_ms_p50={F(Median(coldProcess, t => t.JitMs))} " +
            $"warm_open_ms_p50={F(Median(warm, t => t.OpenMs))} replayed_max={(replayed.Count == 0 ? "n/a" : replayed.Max().ToString(CultureInfo.InvariantCulture))} " +
            $"write_ops_per_s={F(options.Activation / writeSeconds)} server={options.Spawn}");
    }

    private static double Median(List<OpenTiming> timings, Func<OpenTiming, double> value)
    {
        var sorted = timings.Select(value).Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    /// <summary>One timed open: connect, <c>OpenDocument</c> until the text is in, and the first edit's ack, in ms.</summary>
    private sealed record OpenTiming(double ConnectMs, double EnterMs, double OpenMs, double FirstAckMs, double JitMs)
    {
        /// <summary>From the start of the connect to the text in the client.</summary>
        public double ToTextMs => ConnectMs + EnterMs + OpenMs;

        public override string ToString() =>
            (EnterMs > 0 ? $"enter {EnterMs.ToString("0.0", CultureInfo.InvariantCulture)} ms, " : "") +
            $"open {OpenMs.ToString("0.0", CultureInfo.InvariantCulture)} ms, first ack {FirstAckMs.ToString("0.0", CultureInfo.InvariantCulture)} ms, " +
            $"server JIT {JitMs.ToString("0", CultureInfo.InvariantCulture)} ms";
    }
}
