using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace Collab.Hosting.Configuration;

/// <summary>Reads and validates <see cref="CollabOptions"/>: every problem is reported at once, each naming its setting.</summary>
public static partial class CollabSettings
{
    public const string ConnectionStringName = "Collab";
    public const string StorageKey = "Collab:Storage";
    public const string TopologyKey = "Collab:Topology";
    public const string DataPathKey = "Collab:DataPath";
    public const string ConnectionStringKey = "ConnectionStrings:Collab";
    public const string ClusterIdKey = "Collab:ClusterId";
    public const string ServiceIdKey = "Collab:ServiceId";
    public const string SiloNameKey = "Collab:Silo:Name";
    public const string SiloPortKey = "Collab:Silo:Port";
    public const string GatewayPortKey = "Collab:Silo:GatewayPort";
    public const string AdvertisedHostKey = "Collab:Silo:AdvertisedHost";
    public const string ListenOnAnyAddressKey = "Collab:Silo:ListenOnAnyAddress";
    public const string ClientConnectTimeoutKey = "Collab:Client:ConnectTimeoutSeconds";
    public const string SnapshotEveryKey = "Collab:Documents:SnapshotEvery";
    public const string CatchUpLimitKey = "Collab:Documents:CatchUpLimit";
    public const string MaxCommitBatchKey = "Collab:Documents:MaxCommitBatch";
    public const string AnchorsRewriteEveryKey = "Collab:Documents:AnchorsRewriteEvery";
    public const string MaxParticipantsKey = "Collab:Limits:MaxParticipants";
    public const string MaxGroupsPerSessionKey = "Collab:Limits:MaxGroupsPerSession";
    public const string MaxNameLengthKey = "Collab:Limits:MaxNameLength";
    public const string MaxDelegationsKey = "Collab:Limits:MaxDelegations";
    public const string MaxAgendaSessionsKey = "Collab:Limits:MaxAgendaSessions";
    public const string MaxAnnouncementLengthKey = "Collab:Limits:MaxAnnouncementLength";
    public const string PresenceGraceSecondsKey = "Collab:Limits:PresenceGraceSeconds";
    public const string DashboardEnabledKey = "Collab:Dashboard:Enabled";
    public const string TracesKey = "Collab:Telemetry:Traces";
    public const string OtlpEndpointKey = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>Loads the settings, or throws <see cref="CollabStartupException"/> listing every invalid one.</summary>
    public static CollabOptions Load(IConfiguration configuration, StorageKind defaultStorage = StorageKind.Sqlite)
    {
        var errors = new List<string>();
        var defaults = new CollabOptions { Storage = defaultStorage };

        var storage = defaults.Storage;
        var storageText = configuration[StorageKey];
        if (!string.IsNullOrWhiteSpace(storageText) && !Enum.TryParse(storageText.Trim(), ignoreCase: true, out storage))
        {
            errors.Add($"{StorageKey} is '{storageText}'; expected 'Sqlite' (embedded) or 'Postgres' (clustered).");
        }

        var topology = storage == StorageKind.Sqlite ? Topology.CoHosted : Topology.Separate;
        var topologyText = configuration[TopologyKey];
        if (!string.IsNullOrWhiteSpace(topologyText))
        {
            if (!Enum.TryParse(topologyText.Trim(), ignoreCase: true, out Topology configured) || !Enum.IsDefined(configured))
            {
                errors.Add($"{TopologyKey} is '{topologyText}'; expected 'Separate' (web nodes are Orleans clients of src/Silo " +
                           "processes) or 'CoHosted' (each web node is also a silo of the cluster).");
            }
            else if (storage == StorageKind.Sqlite && configured == Topology.Separate)
            {
                errors.Add($"{TopologyKey} is 'Separate', but embedded mode ({StorageKey}=Sqlite) always runs its silo in the web " +
                           $"node; separate silos need {StorageKey}=Postgres.");
            }
            else
            {
                topology = configured;
            }
        }

        var dataPath = configuration[DataPathKey];
        if (string.IsNullOrWhiteSpace(dataPath))
        {
            dataPath = "data";
        }

        string? connectionString = configuration.GetConnectionString(ConnectionStringName);
        if (storage == StorageKind.Postgres)
        {
            connectionString = ValidatePostgres(connectionString, errors);
        }

        var silo = new SiloEndpoint
        {
            Name = Optional(configuration[SiloNameKey]),
            Port = Port(configuration, SiloPortKey, defaults.Silo.Port, errors),
            GatewayPort = Port(configuration, GatewayPortKey, defaults.Silo.GatewayPort, errors),
            AdvertisedHost = Optional(configuration[AdvertisedHostKey]) ?? defaults.Silo.AdvertisedHost,
            ListenOnAnyAddress = Bool(configuration, ListenOnAnyAddressKey, errors),
        };

        var otlpEndpoint = Optional(configuration[OtlpEndpointKey]);
        if (otlpEndpoint is not null
            && !(Uri.TryCreate(otlpEndpoint, UriKind.Absolute, out var otlp) && (otlp.Scheme == Uri.UriSchemeHttp || otlp.Scheme == Uri.UriSchemeHttps)))
        {
            errors.Add($"{OtlpEndpointKey} is '{otlpEndpoint}'; expected an http(s) URL such as http://collector:4317.");
        }

        var options = new CollabOptions
        {
            Storage = storage,
            Topology = topology,
            DataPath = Path.GetFullPath(dataPath),
            PostgresConnectionString = connectionString,
            ClusterId = Identifier(configuration, ClusterIdKey, defaults.ClusterId, errors),
            ServiceId = Identifier(configuration, ServiceIdKey, defaults.ServiceId, errors),
            Silo = silo,
            ClientConnectTimeout = TimeSpan.FromSeconds(
                Int(configuration, ClientConnectTimeoutKey, (int)defaults.ClientConnectTimeout.TotalSeconds, 1, 3600, errors)),
            Documents = defaults.Documents with
            {
                SnapshotEvery = Int(configuration, SnapshotEveryKey, defaults.Documents.SnapshotEvery, 1, 1_000_000, errors),
                CatchUpLimit = Int(configuration, CatchUpLimitKey, defaults.Documents.CatchUpLimit, 0, 100_000, errors),
                MaxCommitBatch = Int(configuration, MaxCommitBatchKey, defaults.Documents.MaxCommitBatch, 1, 100_000, errors),
                AnchorsRewriteEvery = Int(configuration, AnchorsRewriteEveryKey, defaults.Documents.AnchorsRewriteEvery, 1, 1_000_000, errors),
            },
            Limits = defaults.Limits with
            {
                MaxParticipants = Int(configuration, MaxParticipantsKey, defaults.Limits.MaxParticipants, 1, 100_000, errors),
                MaxGroupsPerSession = Int(configuration, MaxGroupsPerSessionKey, defaults.Limits.MaxGroupsPerSession, 1, 1_000, errors),
                MaxNameLength = Int(configuration, MaxNameLengthKey, defaults.Limits.MaxNameLength, 10, 1_000, errors),
                MaxDelegations = Int(configuration, MaxDelegationsKey, defaults.Limits.MaxDelegations, 1, 1_000, errors),
                MaxAgendaSessions = Int(configuration, MaxAgendaSessionsKey, defaults.Limits.MaxAgendaSessions, 1, 1_000, errors),
                MaxAnnouncementLength = Int(configuration, MaxAnnouncementLengthKey, defaults.Limits.MaxAnnouncementLength, 1, 100_000, errors),
                PresenceGrace = TimeSpan.FromSeconds(
                    Int(configuration, PresenceGraceSecondsKey, (int)defaults.Limits.PresenceGrace.TotalSeconds, 0, 3_600, errors)),
            },
            Dashboard = Bool(configuration, DashboardEnabledKey, errors, fallback: storage == StorageKind.Sqlite),
            Traces = Bool(configuration, TracesKey, errors, fallback: otlpEndpoint is not null),
            OtlpEndpoint = otlpEndpoint,
        };

        if (errors.Count > 0)
        {
            throw new CollabStartupException(
                "Collab cannot start: invalid configuration." + Environment.NewLine +
                string.Join(Environment.NewLine, errors.Select(e => "  - " + e)));
        }

        return options;
    }

    /// <summary>The PostgreSQL connection string alone (for the <c>migrate</c> command), or a startup error naming it.</summary>
    public static string LoadPostgresConnectionString(IConfiguration configuration)
    {
        var errors = new List<string>();
        var connectionString = ValidatePostgres(configuration.GetConnectionString(ConnectionStringName), errors);
        return errors.Count == 0
            ? connectionString!
            : throw new CollabStartupException("Collab cannot migrate: " + string.Join(" ", errors));
    }

    private static string? ValidatePostgres(string? connectionString, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            errors.Add($"{ConnectionStringKey} is missing; {StorageKey}=Postgres needs a PostgreSQL connection string " +
                       "(e.g. 'Host=127.0.0.1;Port=5432;Database=collab;Username=collab;Password=…').");
            return null;
        }

        try
        {
            var parsed = new NpgsqlConnectionStringBuilder(connectionString);
            if (string.IsNullOrWhiteSpace(parsed.Host))
            {
                errors.Add($"{ConnectionStringKey} names no Host.");
            }
        }
        catch (ArgumentException e)
        {
            errors.Add($"{ConnectionStringKey} is malformed: {e.Message}");
        }

        return connectionString;
    }

    private static string? Optional(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static int Port(IConfiguration configuration, string key, int fallback, List<string> errors) =>
        Int(configuration, key, fallback, 1, 65535, errors);

    /// <summary>
    /// A whole-number setting in [<paramref name="min"/>, <paramref name="max"/>], or <paramref name="fallback"/> when
    /// unset; a bad value is added to <paramref name="errors"/> (named, with what is expected).
    /// </summary>
    public static int Int(IConfiguration configuration, string key, int fallback, int min, int max, List<string> errors)
    {
        var text = configuration[key];
        if (string.IsNullOrWhiteSpace(text))
        {
            return fallback;
        }

        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            return value;
        }

        errors.Add($"{key} is '{text}'; expected a whole number from {min} to {max}.");
        return fallback;
    }

    private static bool Bool(IConfiguration configuration, string key, List<string> errors, bool fallback = false)
    {
        var text = configuration[key];
        if (string.IsNullOrWhiteSpace(text))
        {
            return fallback;
        }

        if (bool.TryParse(text, out var value))
        {
            return value;
        }

        errors.Add($"{key} is '{text}'; expected 'true' or 'false'.");
        return fallback;
    }

    private static string Identifier(IConfiguration configuration, string key, string fallback, List<string> errors)
    {
        var text = configuration[key];
        if (string.IsNullOrWhiteSpace(text))
        {
            return fallback;
        }

        if (IdentifierPattern().IsMatch(text))
        {
            return text;
        }

        errors.Add($"{key} is '{text}'; expected 1–64 letters, digits, '.', '_' or '-'.");
        return fallback;
    }

    [GeneratedRegex(@"^[A-Za-z0-9._-]{1,64}\z", RegexOptions.CultureInvariant)]
    private static partial Regex IdentifierPattern();
}
