using System.Globalization;

namespace Collab.Bench;

/// <summary>Command-line settings of one run; every value is bounded so a run always stops by itself.</summary>
internal sealed record BenchOptions
{
    public Uri BaseUrl { get; init; } = new("http://127.0.0.1:5080");

    public int Docs { get; init; } = 1;

    /// <summary>Workshops of <see cref="Docs"/> documents × <see cref="Clients"/> clients each (a workshop holds at most 500 people).</summary>
    public int Workshops { get; init; } = 1;

    /// <summary>Activation mode (<c>--activation N</c>): ops of history to write before timing opens; 0 when not this mode.</summary>
    public int Activation { get; init; }

    /// <summary>Timed opens per kind (cold process, cold grain, warm) in activation mode.</summary>
    public int ActivationRepeat { get; init; } = 5;

    /// <summary>Connections that write the activation mode's history, each one op in flight.</summary>
    public int Writers { get; init; } = 48;

    /// <summary>Code units of the text each document of the activation and idle modes is created with.</summary>
    public int DocText { get; init; } = 5000;

    /// <summary>Idle mode (<c>--idle-connections N1,N2,…</c>): connection counts to measure at, ascending; empty when not this mode.</summary>
    public IReadOnlyList<int> IdleConnections { get; init; } = [];

    /// <summary>Idle mode: each connection opens one document (<c>open</c>) or only connects (<c>connected</c>).</summary>
    public string IdleMode { get; init; } = "open";

    /// <summary>Idle mode: connections per participant (at most 20 per web node, <c>connection.too_many</c>).</summary>
    public int PerParticipant { get; init; } = 10;

    /// <summary>Idle mode: documents per workshop the connections spread over.</summary>
    public int IdleDocs { get; init; } = 10;

    /// <summary>Idle mode: seconds to wait after the last connection before measuring.</summary>
    public double Settle { get; init; } = 10;

    public int Clients { get; init; } = 10;

    public double Rate { get; init; } = 2;

    public double Seconds { get; init; } = 10;

    public double Warmup { get; init; } = 3;

    /// <summary><c>null</c>: use a server that is already running at <see cref="BaseUrl"/>.</summary>
    public string? Spawn { get; init; }

    /// <summary>
    /// Every server to spawn, in order (<c>--spawn embedded,bare</c>): each gets the same run, one after the other, and
    /// every one that is not the bare hub is compared with it.
    /// </summary>
    public IReadOnlyList<string> Servers { get; init; } = [];

    /// <summary>Rounds of the whole comparison; the order of the servers alternates between rounds.</summary>
    public int Repeat { get; init; } = 1;

    /// <summary>Per-client rates to try in order (<c>--ramp</c>), until p99 reaches <see cref="RampP99Ms"/> for a server.</summary>
    public IReadOnlyList<double> Ramp { get; init; } = [];

    public double RampP99Ms { get; init; } = 100;

    public string? Postgres { get; init; }

    /// <summary>
    /// <c>--bin DIR</c>: spawn Collab from <c>DIR/web</c> and <c>DIR/silo</c> (a <c>dotnet publish</c> of each, e.g. with
    /// ReadyToRun as the Dockerfiles build them) instead of the Release build output; <c>null</c>: the build output.
    /// </summary>
    public string? Bin { get; init; }

    /// <summary>
    /// <c>--server-env NAME=VALUE[,…]</c>: extra environment of every spawned Collab process (not the bare hub, not the
    /// generator), e.g. <c>DOTNET_gcServer=0</c> to compare runtime settings in one invocation with the same yardstick.
    /// </summary>
    public IReadOnlyDictionary<string, string> ServerEnvironment { get; init; } = new Dictionary<string, string>();

    /// <summary>Co-hosted web nodes to spawn (<c>--nodes</c>, <c>cohosted</c> only); clients connect to them in turn.</summary>
    public int Nodes { get; init; } = 1;

    public int Seed { get; init; } = Environment.TickCount;

    /// <summary>The hub protocol Collab's clients speak (the bare hub's, spawned in the same series, speak JSON: it has no other).</summary>
    public Collab.Client.CollabHubProtocol Protocol { get; init; } = Collab.Client.CollabHubProtocol.Json;

    /// <summary>
    /// <c>--client lean|library</c>: the simulated clients are <see cref="LeanClient"/>s (JSON by hand; the default with
    /// JSON) or <see cref="LibraryClient"/>s (Collab's .NET client; the default, and the only one, with MessagePack).
    /// Every server of a series gets the same kind.
    /// </summary>
    public string? Client { get; init; }

    public bool Lean => Client == "lean";

    public const string Usage =
        """
        usage: Collab.Bench [--url http://127.0.0.1:5080] [--docs R] [--clients C] [--rate K] [--seconds T] [--warmup W]
                            [--spawn embedded|clustered|cohosted|bare[,…]] [--pg "<connection string>"] [--nodes N]
                            [--seed N] [--protocol json|msgpack] [--client lean|library] [--bin DIR] [--server-env NAME=VALUE[,…]]
                            [--repeat N] [--ramp K1,K2,… [--ramp-p99 MS]] [--workshops W]
               Collab.Bench --spawn embedded|clustered --activation N [--activation-repeat R] [--writers K] [--doc-text CHARS]
               Collab.Bench --spawn embedded|clustered|bare --idle-connections N1,N2,… [--idle-mode open|connected]
                            [--per-participant P] [--idle-docs D] [--doc-text CHARS] [--settle S]
          --docs      documents (1-1000)                   --clients  connections per document (1-1000, R*C <= 5000)
          --rate      ops/s per client (0.01-50)           --seconds  measured seconds (1-600), after --warmup (0-120, default 3)
          --spawn     start the server from the Release DLLs (embedded: temp data folder; clustered: --pg, migrate, silo, web;
                      cohosted: --pg, migrate, web nodes that are silos too; bare: the yardstick, bench/Collab.BareHub).
                      Several, comma-separated: each gets the same run in turn, and every one is compared with bare
                      (throughput, p99, server CPU per delivered op)
          --bin       spawn Collab from DIR/web/Collab.Web.dll and DIR/silo/Collab.Silo.dll (published, e.g. ReadyToRun:
                      bench/README.md) instead of src/*/bin/Release
          --protocol  json (default) or msgpack: the hub protocol of Collab's clients; the bare hub's always speak JSON
          --client    lean (default with json): each client a WebSocket speaking JSON by hand, with its own OT state;
                      library (default with msgpack): each client Collab's .NET CollabConnection and SharedDocument
          --server-env  extra environment of the spawned Collab processes (not bare, not this generator), e.g.
                      DOTNET_gcServer=0,DOTNET_GCgen0size=0x4000000
          --nodes     co-hosted web nodes (1-4, default 1); each document's clients connect to them in turn
          --repeat    rounds of that comparison (1-20), alternating the order of the servers
          --ramp      per-client rates to try in order (instead of --rate): the highest total ops/s whose p99 propagation
                      stays under --ramp-p99 (default 100 ms) and converges, per server
          --workshops W workshops of --docs × --clients each (W*R*C <= 5000, R*C <= 500 people per workshop)
          --activation  write N ops of history (1-1000000) to one document, then time opening it R times (1-20, default 5)
                      each: after a server restart (cold process), after a restart and a warm-up on another document
                      (cold grain), and with the document active (warm); prints ACTIVATION
          --idle-connections  open connections (ascending counts, up to 10000) P per participant (1-20, default 10) over
                      workshops of at most 250 people and D documents each (1-100, default 10); measure server memory
                      and CPU at each count after --settle seconds (0-300, default 10); prints IDLE per count
        Only 127.0.0.1 (or localhost) is accepted as the server address.
        """;

    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions();
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{name} needs a value.");
            options = name switch
            {
                "--url" => options with { BaseUrl = new Uri(Value().TrimEnd('/')) },
                "--docs" => options with { Docs = Int(name, Value(), 1, 1000) },
                "--workshops" => options with { Workshops = Int(name, Value(), 1, 100) },
                "--activation" => options with { Activation = Int(name, Value(), 1, 1_000_000) },
                "--activation-repeat" => options with { ActivationRepeat = Int(name, Value(), 1, 20) },
                "--writers" => options with { Writers = Int(name, Value(), 1, 200) },
                "--doc-text" => options with { DocText = Int(name, Value(), 0, 500_000) },
                "--idle-connections" => options with { IdleConnections = [.. Value().Split(',', StringSplitOptions.TrimEntries).Select(v => Int(name, v, 1, 10_000))] },
                "--idle-mode" => options with
                {
                    IdleMode = Value() switch
                    {
                        "open" => "open",
                        "connected" => "connected",
                        _ => throw new ArgumentException("--idle-mode takes open or connected."),
                    },
                },
                "--per-participant" => options with { PerParticipant = Int(name, Value(), 1, 20) },
                "--idle-docs" => options with { IdleDocs = Int(name, Value(), 1, 100) },
                "--settle" => options with { Settle = Real(name, Value(), 0, 300) },
                "--clients" => options with { Clients = Int(name, Value(), 1, 1000) },
                "--rate" => options with { Rate = Real(name, Value(), 0.01, 50) },
                "--seconds" => options with { Seconds = Real(name, Value(), 1, 600) },
                "--warmup" => options with { Warmup = Real(name, Value(), 0, 120) },
                "--spawn" => options with { Servers = Value().Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) },
                "--repeat" => options with { Repeat = Int(name, Value(), 1, 20) },
                "--ramp" => options with { Ramp = [.. Value().Split(',', StringSplitOptions.TrimEntries).Select(v => Real(name, v, 0.01, 50))] },
                "--ramp-p99" => options with { RampP99Ms = Real(name, Value(), 1, 60_000) },
                "--pg" => options with { Postgres = Value() },
                "--bin" => options with { Bin = Path.GetFullPath(Value()) },
                "--server-env" => options with { ServerEnvironment = EnvironmentPairs(Value()) },
                "--client" => options with
                {
                    Client = Value() switch
                    {
                        "lean" => "lean",
                        "library" => "library",
                        _ => throw new ArgumentException("--client takes lean or library."),
                    },
                },
                "--nodes" => options with { Nodes = Int(name, Value(), 1, 4) },
                "--seed" => options with { Seed = Int(name, Value(), int.MinValue, int.MaxValue) },
                "--protocol" => options with
                {
                    Protocol = Value() switch
                    {
                        "json" => Collab.Client.CollabHubProtocol.Json,
                        "msgpack" => Collab.Client.CollabHubProtocol.MessagePack,
                        _ => throw new ArgumentException("--protocol takes json or msgpack."),
                    },
                },
                "-h" or "--help" => throw new ArgumentException(""),
                _ => throw new ArgumentException($"Unknown argument '{name}'."),
            };
        }

        options = options with
        {
            Client = options.Client ?? (options.Protocol == Collab.Client.CollabHubProtocol.MessagePack ? "library" : "lean"),
        };
        if (options.Lean && options.Protocol == Collab.Client.CollabHubProtocol.MessagePack)
        {
            throw new ArgumentException("--client lean speaks JSON only: with --protocol msgpack use --client library.");
        }

        if (options.BaseUrl.Scheme != Uri.UriSchemeHttp || options.BaseUrl.Host is not ("127.0.0.1" or "localhost"))
        {
            throw new ArgumentException($"--url must be http://127.0.0.1:<port> (got {options.BaseUrl}); this tool only loads the local machine.");
        }

        // One address for everything (and no IPv6/IPv4 ambiguity of "localhost").
        options = options with { BaseUrl = new UriBuilder(options.BaseUrl) { Host = "127.0.0.1", Path = "/" }.Uri };
        if (options.Workshops * options.Docs * options.Clients > 5000)
        {
            throw new ArgumentException("--workshops × --docs × --clients must be at most 5000 connections.");
        }

        if (options.Workshops > 1 && options.Docs * options.Clients > 500)
        {
            throw new ArgumentException("--docs × --clients is the people of one workshop: at most 500.");
        }

        if (options.IdleConnections.Count > 0 && !options.IdleConnections.SequenceEqual(options.IdleConnections.Order().Distinct()))
        {
            throw new ArgumentException("--idle-connections takes ascending counts.");
        }

        if ((options.Activation > 0 || options.IdleConnections.Count > 0)
            && (options.Servers.Count != 1 || options.Repeat > 1 || options.Ramp.Count > 0 || (options.Activation > 0 && options.IdleConnections.Count > 0)))
        {
            throw new ArgumentException("--activation and --idle-connections each run alone, on one spawned server (--spawn embedded|clustered|bare).");
        }

        if (options.Activation > 0 && options.Servers.Contains("bare"))
        {
            throw new ArgumentException("--activation needs a durable server: --spawn embedded or clustered.");
        }

        if (options.Servers.FirstOrDefault(s => s is not ("embedded" or "clustered" or "cohosted" or "bare")) is { } unknown)
        {
            throw new ArgumentException($"--spawn takes embedded, clustered, cohosted or bare (comma-separated), not '{unknown}'.");
        }

        if (options.Servers.Count != options.Servers.Distinct().Count())
        {
            throw new ArgumentException("--spawn names each server once (use --repeat for more rounds).");
        }

        options = options with { Spawn = options.Servers.FirstOrDefault() };
        if ((options.Repeat > 1 || options.Ramp.Count > 0) && options.Servers.Count == 0)
        {
            throw new ArgumentException("--repeat and --ramp need --spawn (each run starts a fresh server).");
        }

        if (options.Servers.FirstOrDefault(s => s is "clustered" or "cohosted") is { } clustered && string.IsNullOrWhiteSpace(options.Postgres))
        {
            throw new ArgumentException($"--spawn {clustered} needs --pg \"Host=127.0.0.1;Port=…;Database=…;Username=…\".");
        }

        if (options.Nodes > 1 && !options.Servers.Contains("cohosted"))
        {
            throw new ArgumentException("--nodes applies to --spawn cohosted only.");
        }

        return options;
    }

    private static Dictionary<string, string> EnvironmentPairs(string value)
    {
        var pairs = value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (pairs.Length > 20)
        {
            throw new ArgumentException("--server-env takes at most 20 NAME=VALUE pairs.");
        }

        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in pairs)
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var name = equals > 0 ? pair[..equals] : "";
            if (name.Length == 0 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') || char.IsAsciiDigit(name[0]))
            {
                throw new ArgumentException($"--server-env takes NAME=VALUE pairs, not '{pair}'.");
            }

            environment[name] = pair[(equals + 1)..];
        }

        return environment;
    }

    private static int Int(string name, string text, int min, int max) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new ArgumentException($"{name} takes an integer in [{min}, {max}], not '{text}'.");

    private static double Real(string name, string text, double min, double max) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new ArgumentException($"{name} takes a number in [{min}, {max}], not '{text}'.");
}
