using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Collab.Client;
using Collab.Documents;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Http.Connections.Client;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Collab.Bench;

/// <summary>
/// One run: (spawn the server,) create the documents over HTTP, connect every client over WebSockets, edit through
/// the warm-up and the measured window, stop, wait for everyone to be synced, and compare every client's text with the
/// server's. Every phase has a deadline, so the run always ends.
/// </summary>
internal sealed class BenchRunner(BenchOptions options, TextWriter log)
{
    public const string InitialText = "Atelier de Cotonou — notes partagées 🌍\n";

    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan SyncTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan CatchUpTimeout = TimeSpan.FromSeconds(30);

    private readonly RunClock _clock = new();
    private readonly List<SimulatedClient> _clients = [];
    private readonly List<string> _docIds = [];
    private readonly List<BenchWorkshop> _workshops = [];
    private readonly CancellationTokenSource _stopKeepAlive = new();
    private ServerHost? _host;
    private Task _keepAlive = Task.CompletedTask;

    public async Task<BenchReport> RunAsync(CancellationToken cancellationToken)
    {
        var report = new BenchReport(options);
        ServerHost? host = null;
        try
        {
            using var http = new HttpClient { BaseAddress = options.BaseUrl, Timeout = TimeSpan.FromSeconds(30) };
            if (options.Spawn is not null)
            {
                host = await ServerHost.StartAsync(options, log, cancellationToken);
                report.Host = host;
                _host = host;
            }
            else
            {
                await WaitUntilReadyAsync(http, cancellationToken);
            }

            await CreateDocumentsAsync(http, cancellationToken);
            await ConnectAsync(cancellationToken);
            await EditAsync(report, host, cancellationToken);
            await ConvergeAsync(http, report, cancellationToken);
            if (host is not null)
            {
                // After the window, with every client still connected and every document still active.
                report.Memory = await ServerMemory.MeasureAsync(host, induceGc: true, cancellationToken);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            report.Failure = $"{e.GetType().Name}: {e.Message} at {e.StackTrace?.Split(Environment.NewLine).FirstOrDefault()?.Trim()}";
        }
        finally
        {
            await DisconnectAsync();
            if (host is not null)
            {
                report.CaptureServers(host);
                await host.DisposeAsync();
                report.CaptureServerLogs(host);
            }
        }

        report.Collect(_clients);
        return report;
    }

    /// <summary>
    /// <c>--workshops</c> workshops for the run (each one's creator is its facilitator), <c>--docs</c> documents in each,
    /// and the participants' join codes.
    /// </summary>
    private async Task CreateDocumentsAsync(HttpClient http, CancellationToken cancellationToken)
    {
        for (var w = 0; w < options.Workshops; w++)
        {
            var workshop = await BenchHttp.CreateWorkshopAsync(http, options.Workshops == 1 ? "Bench" : $"Bench {w}", cancellationToken);
            _workshops.Add(workshop);
            for (var d = 0; d < options.Docs; d++)
            {
                _docIds.Add(await BenchHttp.CreateDocumentAsync(http, workshop, $"Bench {d}", InitialText, cancellationToken));
            }
        }

        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _workshops[0].FacilitatorToken);
        log.WriteLine($"created {options.Workshops} workshop(s) ({_workshops[0].Id} …) with {options.Docs} document(s) each ({_docIds[0]} …)");
    }

    private async Task ConnectAsync(CancellationToken cancellationToken)
    {
        // Several co-hosted nodes: each document's clients take them in turn, as a plain load balancer would spread them.
        Uri[] hubs = [.. (_host?.NodeUrls is { Count: > 0 } nodes ? nodes : [options.BaseUrl]).Select(node => new Uri(node, "hubs/collab"))];
        var slots = new SimulatedClient?[options.Workshops * options.Docs * options.Clients];
        _clock.Books = [.. Enumerable.Range(0, slots.Length).Select(_ => new StampBook())];
        using var http = new HttpClient { BaseAddress = options.BaseUrl, Timeout = TimeSpan.FromSeconds(30) };
        var started = Stopwatch.StartNew();
        try
        {
            await Parallel.ForEachAsync(
                Enumerable.Range(0, slots.Length), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (i, ct) =>
                {
                    var (d, c) = (i / options.Clients, i % options.Clients);
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                    timeout.CancelAfter(ConnectTimeout);
                    // The facilitator (the bench) is the first client: a workshop counts its people, facilitator included
                    // (at most 500), so a 500-person plenary is the facilitator and 499 participants.
                    var workshop = _workshops[d / options.Docs];
                    var token = d % options.Docs == 0 && c == 0
                        ? workshop.FacilitatorToken
                        : await BenchHttp.JoinAsync(http, workshop, $"bench d{d} c{c}", timeout.Token);
                    if (options.Lean)
                    {
                        slots[i] = await LeanClient.ConnectAsync(hubs[c % hubs.Length], token, _docIds[d], i, d, _clock, options.Seed + i, timeout.Token);
                        return;
                    }

                    var connection = await ConnectOneAsync(hubs[c % hubs.Length], token, options.Protocol, timeout.Token);
                    try
                    {
                        var document = await connection.OpenAsync(_docIds[d], timeout.Token);
                        slots[i] = new LibraryClient(connection, document, d, _clock, options.Seed + i);
                    }
                    catch
                    {
                        await connection.DisposeAsync();
                        throw;
                    }
                });
        }
        finally
        {
            // Also when one failed: the others are closed with the run (DisconnectAsync). Left open they would keep
            // reconnecting, into the next server of a series on the same port.
            _clients.AddRange(slots.OfType<SimulatedClient>());
            if (options.Lean)
            {
                _keepAlive = LeanClient.KeepAliveAsync([.. _clients.OfType<LeanClient>()], _stopKeepAlive.Token);
            }
        }

        foreach (var client in _clients)
        {
            if (client.Text != InitialText)
            {
                throw new InvalidOperationException($"{client.DocId} opened with an unexpected text ({client.Text.Length} code units).");
            }

            client.Attach();
        }

        log.WriteLine($"connected {_clients.Count} client(s) over WebSockets in {started.Elapsed.TotalSeconds:0.0} s");
    }

    /// <summary>One library client's connection, tried again while the server is too busy to admit it (<see cref="WhileBusyAsync{T}"/>).</summary>
    internal static Task<CollabConnection> ConnectOneAsync(Uri hub, string token, Collab.Client.CollabHubProtocol protocol, CancellationToken cancellationToken) =>
        WhileBusyAsync(() => CollabConnection.ConnectAsync(hub, token, builder =>
        {
            builder.Services.Configure<HttpConnectionOptions>(o =>
            {
                o.Transports = HttpTransportType.WebSockets;
                o.SkipNegotiation = true;
            });
            if (protocol == Collab.Client.CollabHubProtocol.Json)
            {
                // Registered last, so it is the protocol spoken: the bench's own token readers (BenchJson).
                builder.AddJsonProtocol(json => BenchJson.AddTo(json.PayloadSerializerOptions));
            }
        }, cancellationToken, protocol), cancellationToken);

    /// <summary>
    /// Connects with <paramref name="connect"/>, again after a short backoff while the server answers the WebSocket
    /// handshake 503 (<c>server.unavailable</c>, too busy to admit it: try again, as docs/protocol.md says), until
    /// <paramref name="cancellationToken"/> ends it.
    /// </summary>
    internal static async Task<T> WhileBusyAsync<T>(Func<Task<T>> connect, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await connect();
            }
            catch (System.Net.WebSockets.WebSocketException e) when (e.Message.Contains("'503'", StringComparison.Ordinal) && !cancellationToken.IsCancellationRequested)
            {
                // The handshake's status is only in the message ("status code '503' when status code '101' was expected").
                await Task.Delay(TimeSpan.FromMilliseconds(250 * Math.Min(attempt, 8)), cancellationToken);
            }
        }
    }

    /// <summary>
    /// An external server that has just started answers 503 until it is ready (its storage, its cluster, its hub's
    /// warm-up: README, "Health"); like a load balancer, wait for it, up to a minute. Any other answer is a failure.
    /// </summary>
    private async Task WaitUntilReadyAsync(HttpClient http, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + (60 * Stopwatch.Frequency);
        using var pace = new PeriodicTimer(TimeSpan.FromMilliseconds(250));
        while (true)
        {
            using var ready = await http.GetAsync(new Uri("health/ready", UriKind.Relative), cancellationToken);
            if (ready.IsSuccessStatusCode)
            {
                return;
            }

            if (ready.StatusCode != System.Net.HttpStatusCode.ServiceUnavailable || Stopwatch.GetTimestamp() > deadline)
            {
                throw new InvalidOperationException(
                    $"{options.BaseUrl}health/ready answered {(int)ready.StatusCode}: {await ready.Content.ReadAsStringAsync(cancellationToken)}");
            }

            await pace.WaitForNextTickAsync(cancellationToken);
        }
    }

    private async Task EditAsync(BenchReport report, ServerHost? host, CancellationToken cancellationToken)
    {
        var f = Stopwatch.Frequency;
        var start = Stopwatch.GetTimestamp() + (f / 10);
        _clock.WindowStart = start + (long)(options.Warmup * f);
        _clock.WindowEnd = _clock.WindowStart + (long)(options.Seconds * f);
        log.WriteLine($"editing: {options.Warmup:0.#} s warm-up, then {options.Seconds:0.#} s measured");
        var all = EditScheduler.RunAsync(_clients, start, _clock.WindowEnd, options.Rate, cancellationToken);

        await DelayUntilAsync(_clock.WindowStart, cancellationToken);
        var before = Snapshot.Take(host);
        var stagesBefore = await ServerStages.TakeAsync(host, cancellationToken);
        await DelayUntilAsync(_clock.WindowEnd, cancellationToken);
        var after = Snapshot.Take(host);
        report.Window = (before, after);
        report.Stages = (stagesBefore, await ServerStages.TakeAsync(host, cancellationToken));

        if (await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(30), cancellationToken)) != all)
        {
            throw new TimeoutException("Edit loops did not stop within 30 s of the end of the window.");
        }

        await all;
    }

    private async Task ConvergeAsync(HttpClient http, BenchReport report, CancellationToken cancellationToken)
    {
        var settle = Stopwatch.StartNew();
        var unsynced = 0;
        await Task.WhenAll(_clients.Select(async c =>
        {
            try
            {
                await c.WaitSyncedAsync(SyncTimeout);
            }
            catch (TimeoutException)
            {
                Interlocked.Increment(ref unsynced);
            }
        }));
        report.UnsyncedClients = unsynced;
        report.SyncSeconds = settle.Elapsed.TotalSeconds;

        var results = new DocumentCheck[_docIds.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, _docIds.Count), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (d, ct) =>
            {
                // Read as its own workshop's facilitator: another workshop's caller is told the document does not exist.
                var server = await BenchHttp.TextAsync(http, _workshops[d / options.Docs].FacilitatorToken, _docIds[d], ct);
                var members = _clients.Where(c => c.DocIndex == d).ToList();
                var deadline = Stopwatch.StartNew();
                while (members.Any(c => c.Revision < server.Revision) && deadline.Elapsed < CatchUpTimeout)
                {
                    await Task.Delay(20, ct);
                }

                results[d] = new DocumentCheck(
                    _docIds[d],
                    server.Revision,
                    server.Text.Length,
                    InitialText.Length + members.Sum(c => c.Inserted),
                    members.Sum(c => c.Acks),
                    members.Count(c => c.Revision == server.Revision && c.Text == server.Text),
                    members.Count,
                    members.Select(c => c.Revision).Min(),
                    members.Select(c => c.Revision).Max());
            });
        report.Checks = results;
        report.ConvergeSeconds = settle.Elapsed.TotalSeconds;
    }

    private async Task DisconnectAsync()
    {
        await _stopKeepAlive.CancelAsync();
        await _keepAlive;
        var all = Task.WhenAll(_clients.Select(async c =>
        {
            try
            {
                await c.DisposeAsync();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // Closing is best effort.
            }
        }));
        await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(15)));
    }

    private static async Task DelayUntilAsync(long timestamp, CancellationToken cancellationToken)
    {
        var wait = timestamp - Stopwatch.GetTimestamp();
        if (wait > 0)
        {
            await Task.Delay(TimeSpan.FromSeconds(wait / (double)Stopwatch.Frequency), cancellationToken);
        }
    }
}

/// <summary>The final state of one document: the server's and its clients'.</summary>
internal sealed record DocumentCheck(
    string DocId,
    int ServerRevision,
    int ServerLength,
    long ExpectedLength,
    int AckedOps,
    int ClientsEqual,
    int Clients,
    int MinClientRevision,
    int MaxClientRevision)
{
    public bool Converged => ClientsEqual == Clients;

    /// <summary>Every typed code unit is in the server's text exactly once and every acked op is one revision.</summary>
    public bool Complete => ServerLength == ExpectedLength && AckedOps == ServerRevision;
}

/// <summary>CPU readings at one instant: this process, each spawned server, PostgreSQL, the machine.</summary>
internal sealed record Snapshot(
    long Timestamp, double GeneratorCpu, IReadOnlyDictionary<int, double> ServerCpu, double PostgresCpu, long MachineBusy, long MachineTotal)
{
    public static Snapshot Take(ServerHost? host)
    {
        using var self = Process.GetCurrentProcess();
        var servers = new Dictionary<int, double>();
        foreach (var server in host?.Servers ?? [])
        {
            servers[server.Pid] = ProcStats.CpuSeconds(server.Pid) ?? double.NaN;
        }

        var (busy, total) = ProcStats.MachineJiffies();
        return new Snapshot(
            Stopwatch.GetTimestamp(),
            self.TotalProcessorTime.TotalSeconds,
            servers,
            host?.UsesPostgres == true ? ProcStats.CpuSecondsOfCommand("postgres") : 0,
            busy,
            total);
    }
}
