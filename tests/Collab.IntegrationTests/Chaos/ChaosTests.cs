using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Collab.Documents;
using Collab.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Collab.IntegrationTests.Chaos;

/// <summary>
/// A crash-prone venue cluster, with real processes: PostgreSQL (behind a proxy that can take it away), two silos, two
/// web nodes behind a load balancer, 16 participants typing into 4 plenary documents at 2 ops/s each and 4 who only
/// read. A silo is SIGKILLed every 10 s and restarted 3 s later; then a web node is killed (its clients reconnect to
/// the other); then PostgreSQL is gone for 10 s. Durability: every acknowledged edit is in the final text exactly once,
/// and every copy converges. Availability: what README, "What a node failure costs a participant", promises.
/// <para>
/// Knobs (environment): <c>COLLAB_CHAOS_SECONDS</c> (length of the silo-kill phase, default 60),
/// <c>COLLAB_CHAOS_KILL_EVERY</c> (default 10) and <c>COLLAB_CHAOS_RESTART_AFTER</c> (default 3), in seconds;
/// <c>COLLAB_CHAOS_LOGS</c>, a folder where every process's output is written at the end.
/// The measured figures are printed to the test output.
/// </para>
/// </summary>
[Collection(nameof(ChaosTests))]
public sealed partial class ChaosTests(ITestOutputHelper output)
{
    private const int Documents = 4;
    private const int WritersPerDocument = 4;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    // Pushes after the last edit reach every copy at once; a copy still behind after this lost pushes for good.
    private static readonly TimeSpan Convergence = TimeSpan.FromSeconds(15);

    // What the product promises (README) and what the test accepts on a loaded 2-core CI machine that runs other
    // test classes at the same time. The measured figures are printed either way.
    private static readonly TimeSpan AckGapTarget = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan AckGapLimit = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan PushGapTarget = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan PushGapLimit = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan ResumeTarget = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan ResumeLimit = TimeSpan.FromSeconds(6);

    private readonly string _clusterId = "x-" + Guid.NewGuid().ToString("N")[..8];
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    [Fact]
    public async Task EveryAcknowledgedEditSurvivesSiloKillsAWebNodeCrashAndADatabaseOutage()
    {
        var killPhase = TimeSpan.FromSeconds(Setting("COLLAB_CHAOS_SECONDS", 60));
        var killEvery = TimeSpan.FromSeconds(Setting("COLLAB_CHAOS_KILL_EVERY", 10));
        var restartAfter = TimeSpan.FromSeconds(Setting("COLLAB_CHAOS_RESTART_AFTER", 3));

        await using var testDatabase = await PostgresServer.CreateDatabaseAsync();
        await using var database = DatabaseProxy.For(testDatabase.ConnectionString);
        var silos = new[]
        {
            new SiloSlot("silo-a", FreePorts.Next(), FreePorts.Next()),
            new SiloSlot("silo-b", FreePorts.Next(), FreePorts.Next()),
        };
        var webNodes = new List<ChildProcess>();
        var participants = new List<ChaosParticipant>();
        try
        {
            foreach (var slot in silos)
            {
                await slot.StartAsync(database.ConnectionString, _clusterId);
            }

            var web = new List<Uri>();
            for (var i = 0; i < 2; i++)
            {
                var (process, url) = await Programs.StartWebNodeAsync(database.ConnectionString, _clusterId);
                webNodes.Add(process);
                web.Add(url);
            }

            Log("silos and web nodes started");
            await using var balancer = new TcpLoadBalancer(web);
            var workshop = await TestWorkshop.CreateAsync(() => new HttpClient { BaseAddress = balancer.Address });
            var docIds = new List<string>();
            for (var d = 0; d < Documents; d++)
            {
                docIds.Add(await workshop.NewDocumentAsync($"Recommandations {d + 1}"));
            }

            Log("workshop and documents created");

            // Writers 0–15 (four per document), then one reader per document.
            var hub = new Uri(balancer.Address, "/hubs/collab");
            var writers = Documents * WritersPerDocument;
            var members = new List<TestWorkshop.Member>();
            for (var p = 0; p < writers + Documents; p++)
            {
                members.Add(await workshop.JoinAsync(p < writers ? $"Délégué {p:00}" : $"Observateur {p:00}"));
            }

            // One connection each, spread over the two web nodes by the load balancer.
            for (var p = 0; p < members.Count; p++)
            {
                participants.Add(await ChaosParticipant.JoinAsync(p, p < writers, _clock, hub, members[p].Token, docIds[p % Documents], Log));
            }

            Log($"cluster up: 2 silos, 2 web nodes, {participants.Count} participants on {Documents} documents");
            foreach (var participant in participants)
            {
                participant.StartTyping();
            }

            // Silo kills, alternating, each restarted on the same ports.
            await ForAsync(TimeSpan.FromSeconds(5));
            var kills = new List<double>();
            var killsEnd = _clock.Elapsed + killPhase;
            for (var k = 0; _clock.Elapsed + killEvery <= killsEnd + TimeSpan.FromSeconds(0.5); k++)
            {
                var next = _clock.Elapsed + killEvery;
                var victim = silos[k % silos.Length];
                kills.Add(_clock.Elapsed.TotalSeconds);
                await victim.KillAsync();
                Log($"killed {victim.Name}");
                await ForAsync(restartAfter);
                await victim.StartAsync(database.ConnectionString, _clusterId);
                Log($"restarted {victim.Name}");
                AssertAlive(silos, webNodes);
                await ForAsync(next - _clock.Elapsed);
            }

            // A web node dies; its clients reconnect through the load balancer to the other one.
            var webKill = _clock.Elapsed.TotalSeconds;
            await webNodes[1].KillAsync();
            Log("killed web node 2");
            await ForAsync(TimeSpan.FromSeconds(10));
            AssertAlive(silos, webNodes.Take(1));

            // PostgreSQL goes away for 10 s.
            var outageStart = _clock.Elapsed.TotalSeconds;
            database.BeginOutage();
            Log("database down");
            await ForAsync(TimeSpan.FromSeconds(10));
            database.EndOutage();
            var outageEnd = _clock.Elapsed.TotalSeconds;
            Log("database back");
            await ForAsync(TimeSpan.FromSeconds(8));
            AssertAlive(silos, webNodes.Take(1));

            foreach (var participant in participants)
            {
                await participant.StopTypingAsync();
            }

            foreach (var participant in participants.Where(p => p.Writer))
            {
                await participant.Document.WaitSyncedAsync(Patience);
            }

            Log("typing stopped, everything acknowledged");
            var report = new List<string>();
            var failures = await CheckDurabilityAndConvergenceAsync(workshop.Via(() => new HttpClient { BaseAddress = balancer.Address }), docIds, participants, report);
            failures.AddRange(CheckAvailability(participants, kills, webKill, outageStart, outageEnd, report));
            foreach (var line in report)
            {
                output.WriteLine(line);
            }

            Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
        }
        finally
        {
            foreach (var participant in participants)
            {
                await participant.DisposeAsync();
            }

            if (Environment.GetEnvironmentVariable("COLLAB_CHAOS_LOGS") is { Length: > 0 } folder)
            {
                Directory.CreateDirectory(folder);
                for (var i = 0; i < webNodes.Count; i++)
                {
                    await File.WriteAllTextAsync(Path.Combine(folder, $"web-{i + 1}.log"), webNodes[i].Output);
                }

                foreach (var slot in silos)
                {
                    for (var i = 0; i < slot.Runs.Count; i++)
                    {
                        await File.WriteAllTextAsync(Path.Combine(folder, $"{slot.Name}-{i + 1}.log"), slot.Runs[i].Output);
                    }
                }
            }

            foreach (var process in webNodes)
            {
                await process.DisposeAsync();
            }

            foreach (var slot in silos)
            {
                await slot.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// Every acknowledged token exactly once in its document's final text, no token twice, every copy equal to the
    /// server's. Returns what is wrong.
    /// </summary>
    private static async Task<List<string>> CheckDurabilityAndConvergenceAsync(
        TestWorkshop workshop, List<string> docIds, List<ChaosParticipant> participants, List<string> report)
    {
        var failures = new List<string>();
        var acknowledged = 0;
        for (var d = 0; d < docIds.Count; d++)
        {
            var server = await Retry.HttpWhileUnavailableAsync<TextAtRevision>(
                () => workshop.SendAsync(workshop.Facilitator.Token, HttpMethod.Get, $"/api/documents/{docIds[d]}/text"),
                Patience, $"the text of document {d + 1}");
            var counts = Token().Matches(server.Text).GroupBy(m => m.Value).ToDictionary(g => g.Key, g => g.Count());
            var twice = counts.Where(c => c.Value > 1).Select(c => c.Key).ToList();
            if (twice.Count > 0)
            {
                failures.Add($"Document {d + 1} holds these edits more than once: {string.Join(", ", twice.Take(20))}");
            }

            foreach (var participant in participants.Where(p => p.Number % Documents == d))
            {
                var missing = participant.Acknowledged.Where(t => !counts.ContainsKey(t)).ToList();
                if (missing.Count > 0)
                {
                    failures.Add($"Participant {participant.Number}: acknowledged edits missing from the final text: {string.Join(", ", missing.Take(20))}");
                }

                acknowledged += participant.Acknowledged.Count;
                try
                {
                    await participant.Document.WaitForRevisionAsync(server.Revision, Convergence);
                    if (server.Text != participant.Document.Text)
                    {
                        failures.Add($"Participant {participant.Number}'s copy of document {d + 1} differs from the server's.");
                    }
                }
                catch (TimeoutException e)
                {
                    failures.Add($"Participant {participant.Number} ({(participant.Writer ? "writer" : "reader")}) did not converge: {e.Message}");
                }
            }

            report.Add($"document {d + 1}: revision {server.Revision}, {counts.Count} edits in the text");
        }

        report.Insert(0, $"durability: {acknowledged} acknowledged edits checked against the final texts; " +
                         $"{participants.Count} copies compared with the server's ({participants.Sum(p => p.Typed)} edits typed)");
        return failures;
    }

    /// <summary>The availability figures; the returned list says which limits were exceeded.</summary>
    private static List<string> CheckAvailability(
        List<ChaosParticipant> participants, List<double> kills, double webKill, double outageStart, double outageEnd, List<string> report)
    {
        var failures = new List<string>();
        var writers = participants.Where(p => p.Writer).ToList();

        // Silo kills: per kill, the worst gap between consecutive acks (writers) and pushes (everyone) ending before the next one.
        var worstAck = 0.0;
        var worstPush = 0.0;
        var readerPush = 0.0;
        for (var k = 0; k < kills.Count; k++)
        {
            var from = kills[k];
            var to = k + 1 < kills.Count ? kills[k + 1] : webKill;
            var ackGaps = writers.Select(w => WorstGap(w.Acks, from, to)).ToList();
            var pushGaps = participants.Select(p => WorstGap(p.Pushes, from, to)).ToList();
            var readerGaps = participants.Where(p => !p.Writer).Select(p => WorstGap(p.Pushes, from, to)).ToList();
            worstAck = Math.Max(worstAck, ackGaps.Max());
            worstPush = Math.Max(worstPush, pushGaps.Max());
            readerPush = Math.Max(readerPush, readerGaps.Max());
            report.Add(Invariant($"silo kill {k + 1} at {from:0.0}s: longest ack gap per writer median {Median(ackGaps):0.00}s, max {ackGaps.Max():0.00}s; ") +
                                 Invariant($"longest push gap median {Median(pushGaps):0.00}s, max {pushGaps.Max():0.00}s (readers: max {readerGaps.Max():0.00}s)"));
        }

        report.Add(Invariant($"silo kills: worst ack gap {worstAck:0.00}s (target < {AckGapTarget.TotalSeconds}s), worst push gap {worstPush:0.00}s ") +
                             Invariant($"(readers {readerPush:0.00}s; target < {PushGapTarget.TotalSeconds}s)"));
        if (worstAck > AckGapLimit.TotalSeconds)
        {
            failures.Add(Invariant($"A writer waited {worstAck:0.00}s between acks around a silo kill (limit {AckGapLimit.TotalSeconds}s)."));
        }

        if (worstPush > PushGapLimit.TotalSeconds)
        {
            failures.Add(Invariant($"A participant waited {worstPush:0.00}s between pushes around a silo kill (limit {PushGapLimit.TotalSeconds}s)."));
        }

        // The web node: its clients' gap, from the kill to their first ack (or push, for readers) after it.
        var moved = participants.Where(p => p.Reconnects.Any(r => r >= webKill)).ToList();
        var webGaps = moved.Select(p => (p.Writer ? p.Acks : p.Pushes).FirstOrDefault(t => t > webKill, double.PositiveInfinity) - webKill).ToList();
        report.Add(Invariant($"web node kill: {moved.Count} participants reconnected to the other node; first ack/push after ") +
                             Invariant($"median {Median(webGaps):0.00}s, max {(webGaps.Count > 0 ? webGaps.Max() : 0):0.00}s"));
        if (moved.Count == 0)
        {
            failures.Add("No participant was on the killed web node: the load balancer did not spread the connections.");
        }
        else if (webGaps.Max() > AckGapLimit.TotalSeconds)
        {
            failures.Add(Invariant($"A participant of the killed web node got nothing for {webGaps.Max():0.00}s (limit {AckGapLimit.TotalSeconds}s)."));
        }

        // The database outage: no ack while it is down (an ack in flight when it went down may still arrive at once),
        // then editing resumes.
        var grace = 0.5;
        var acksWhileDown = writers.Sum(w => w.Acks.Count(t => t > outageStart + grace && t < outageEnd));
        var resume = writers.Select(w => w.Acks.FirstOrDefault(t => t >= outageEnd, double.PositiveInfinity) - outageEnd).ToList();
        report.Add(Invariant($"database outage {outageEnd - outageStart:0.0}s: {acksWhileDown} acks while down; editing resumed after ") +
                             Invariant($"median {Median(resume):0.00}s, max {resume.Max():0.00}s (target < {ResumeTarget.TotalSeconds}s)"));
        if (acksWhileDown > 0)
        {
            failures.Add($"{acksWhileDown} ops were acknowledged while the database was down.");
        }

        if (resume.Max() > ResumeLimit.TotalSeconds)
        {
            failures.Add(Invariant($"A writer waited {resume.Max():0.00}s after the database came back for an ack (limit {ResumeLimit.TotalSeconds}s)."));
        }

        // Readers too: documents whose activation gave up during the outage are subscribed to again when they come back.
        var readersBack = participants.Where(p => !p.Writer)
            .Select(p => p.Pushes.FirstOrDefault(t => t >= outageEnd, double.PositiveInfinity) - outageEnd).ToList();
        report.Add(Invariant($"database outage: readers got pushes again after median {Median(readersBack):0.00}s, max {readersBack.Max():0.00}s (target < {PushGapTarget.TotalSeconds}s)"));
        if (readersBack.Max() > PushGapLimit.TotalSeconds)
        {
            failures.Add(Invariant($"A reader got no push for {readersBack.Max():0.00}s after the database came back (limit {PushGapLimit.TotalSeconds}s)."));
        }

        var uncoded = participants.SelectMany(p => p.Uncoded).ToList();
        report.Add($"hub errors without a code: {uncoded.Count}");
        if (uncoded.Count > 0)
        {
            failures.Add($"{uncoded.Count} hub errors came without a code, e.g.: {string.Join(" | ", uncoded.Distinct().Take(5))}");
        }

        return failures;
    }

    /// <summary>
    /// The longest interval between consecutive events that ends in [<paramref name="from"/>, <paramref name="to"/>); if
    /// none ends there, the interval still open at <paramref name="to"/>.
    /// </summary>
    private static double WorstGap(IReadOnlyList<double> times, double from, double to)
    {
        var worst = 0.0;
        var any = false;
        for (var i = 1; i < times.Count; i++)
        {
            if (times[i] >= from && times[i] < to)
            {
                any = true;
                worst = Math.Max(worst, times[i] - times[i - 1]);
            }
        }

        return any ? worst : to - times.LastOrDefault(t => t < from, from);
    }

    private static double Median(List<double> values)
    {
        if (values.Count == 0)
        {
            return 0;
        }

        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    private static void AssertAlive(IEnumerable<SiloSlot> silos, IEnumerable<ChildProcess> webNodes)
    {
        foreach (var slot in silos)
        {
            if (slot.Process is not { HasExited: false })
            {
                Assert.Fail($"{slot.Name} exited by itself:\n{slot.Process?.Output}");
            }
        }

        foreach (var process in webNodes)
        {
            if (process.HasExited)
            {
                Assert.Fail($"A web node exited by itself (code {process.ExitCode}):\n{process.Output}");
            }
        }
    }

    /// <summary>
    /// The scenario's schedule: lets <paramref name="span"/> of the run pass while everyone types (kills every 10 s, an
    /// outage of 10 s). Nothing is waited for here; every outcome is measured from what the clients recorded.
    /// </summary>
    private static async Task ForAsync(TimeSpan span)
    {
        if (span > TimeSpan.Zero)
        {
            await Task.Delay(span);
        }
    }

    private void Log(string message) => output.WriteLine(Invariant($"[{_clock.Elapsed.TotalSeconds,6:0.0}s {DateTime.Now:HH:mm:ss.fff}] {message}"));

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static double Setting(string name, double fallback) =>
        double.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0 ? value : fallback;

    [GeneratedRegex(@"\[p\d\d#\d{4}\]")]
    private static partial Regex Token();

    /// <summary>A silo's name and ports; each restart is a new process on the same ports.</summary>
    private sealed class SiloSlot(string name, int siloPort, int gatewayPort) : IAsyncDisposable
    {
        public string Name { get; } = name;

        public ChildProcess? Process { get; private set; }

        /// <summary>Every process this slot ran, the current one last.</summary>
        public List<ChildProcess> Runs { get; } = [];

        public async Task StartAsync(string connectionString, string clusterId)
        {
            (Process, _) = await Programs.StartSiloAsync(connectionString, clusterId, Name, siloPort, gatewayPort);
            Runs.Add(Process);
        }

        public async Task KillAsync()
        {
            if (Process is { } process)
            {
                await process.KillAsync();
            }
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var run in Runs)
            {
                await run.DisposeAsync();
            }
        }
    }
}

/// <summary>The chaos test runs alone: its figures measure the cluster, not the other test classes sharing the machine.</summary>
[CollectionDefinition(nameof(ChaosTests), DisableParallelization = true)]
public sealed class ChaosTestsRunAlone;
