using System.Globalization;

namespace Collab.Bench;

/// <summary>Command-line settings of one run; every value is bounded so a run always stops by itself.</summary>
internal sealed record BenchOptions
{
    public Uri BaseUrl { get; init; } = new("http://127.0.0.1:5080");

    public int Docs { get; init; } = 1;

    public int Clients { get; init; } = 10;

    public double Rate { get; init; } = 2;

    public double Seconds { get; init; } = 10;

    public double Warmup { get; init; } = 3;

    /// <summary><c>null</c>: use a server that is already running at <see cref="BaseUrl"/>.</summary>
    public string? Spawn { get; init; }

    public string? Postgres { get; init; }

    public int Seed { get; init; } = Environment.TickCount;

    /// <summary>The hub protocol every client speaks.</summary>
    public Collab.Client.CollabHubProtocol Protocol { get; init; } = Collab.Client.CollabHubProtocol.Json;

    public const string Usage =
        """
        usage: Collab.Bench [--url http://127.0.0.1:5080] [--docs R] [--clients C] [--rate K] [--seconds T] [--warmup W]
                            [--spawn embedded|clustered] [--pg "<connection string>"] [--seed N] [--protocol json|msgpack]
          --docs      documents (1-1000)                   --clients  connections per document (1-1000, R*C <= 5000)
          --rate      ops/s per client (0.01-50)           --seconds  measured seconds (1-600), after --warmup (0-120, default 3)
          --spawn     start the server from the Release DLLs (embedded: temp data folder; clustered: --pg, migrate, silo, web)
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
                "--clients" => options with { Clients = Int(name, Value(), 1, 1000) },
                "--rate" => options with { Rate = Real(name, Value(), 0.01, 50) },
                "--seconds" => options with { Seconds = Real(name, Value(), 1, 600) },
                "--warmup" => options with { Warmup = Real(name, Value(), 0, 120) },
                "--spawn" => options with { Spawn = Value() },
                "--pg" => options with { Postgres = Value() },
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

        if (options.BaseUrl.Scheme != Uri.UriSchemeHttp || options.BaseUrl.Host is not ("127.0.0.1" or "localhost"))
        {
            throw new ArgumentException($"--url must be http://127.0.0.1:<port> (got {options.BaseUrl}); this tool only loads the local machine.");
        }

        // One address for everything (and no IPv6/IPv4 ambiguity of "localhost").
        options = options with { BaseUrl = new UriBuilder(options.BaseUrl) { Host = "127.0.0.1", Path = "/" }.Uri };
        if (options.Docs * options.Clients > 5000)
        {
            throw new ArgumentException("--docs × --clients must be at most 5000 connections.");
        }

        if (options.Spawn is not (null or "embedded" or "clustered"))
        {
            throw new ArgumentException("--spawn takes embedded or clustered.");
        }

        if (options.Spawn == "clustered" && string.IsNullOrWhiteSpace(options.Postgres))
        {
            throw new ArgumentException("--spawn clustered needs --pg \"Host=127.0.0.1;Port=…;Database=…;Username=…\".");
        }

        return options;
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
