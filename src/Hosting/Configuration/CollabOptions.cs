namespace Collab.Hosting.Configuration;

/// <summary>Where Collab keeps its state.</summary>
public enum StorageKind
{
    /// <summary>Embedded mode: one process, one SQLite file in <see cref="CollabOptions.DataPath"/>.</summary>
    Sqlite,

    /// <summary>Clustered mode: PostgreSQL holds grain state, membership, reminders and the op log.</summary>
    Postgres,
}

/// <summary>Where a clustered web node's grains run (<c>Collab:Topology</c>).</summary>
public enum Topology
{
    /// <summary>
    /// The web node is an Orleans client of separate <c>src/Silo</c> processes (the clustered default): web nodes and
    /// silos are sized, restarted and placed apart.
    /// </summary>
    Separate,

    /// <summary>
    /// The web node is itself a silo of the cluster (PostgreSQL membership, grain state, reminders and op log, like a
    /// <c>src/Silo</c> process): a hub call reaches a document grain activated on this node without leaving the process.
    /// Always so in embedded mode.
    /// </summary>
    CoHosted,
}

/// <summary>
/// Every setting of a Collab process, read once at start-up by <see cref="CollabSettings.Load"/> from
/// appsettings, environment variables (<c>Collab__Storage</c>, <c>ConnectionStrings__Collab</c>, …) and the command line.
/// The README's configuration table lists them all.
/// </summary>
public sealed record CollabOptions
{
    /// <summary><c>Collab:Storage</c>: <c>Sqlite</c> (embedded, default) or <c>Postgres</c> (clustered).</summary>
    public StorageKind Storage { get; init; } = StorageKind.Sqlite;

    /// <summary>
    /// <c>Collab:Topology</c> (web nodes): <see cref="Topology.Separate"/> (clustered default) or
    /// <see cref="Topology.CoHosted"/> (embedded, and optional in clustered mode).
    /// </summary>
    public Topology Topology { get; init; } = Topology.CoHosted;

    /// <summary>Whether this web node runs a silo itself (embedded mode, or clustered with <c>Collab:Topology=CoHosted</c>).</summary>
    public bool WebNodeHostsSilo => Topology == Topology.CoHosted;

    /// <summary><c>Collab:DataPath</c>: the embedded data folder (absolute once loaded).</summary>
    public string DataPath { get; init; } = "";

    /// <summary><c>ConnectionStrings:Collab</c>: the PostgreSQL connection string (clustered mode).</summary>
    public string? PostgresConnectionString { get; init; }

    /// <summary><c>Collab:ClusterId</c>: silos and clients with the same id form one cluster.</summary>
    public string ClusterId { get; init; } = "collab";

    /// <summary><c>Collab:ServiceId</c>: part of every stored key; keep it stable for the life of the data.</summary>
    public string ServiceId { get; init; } = "collab";

    /// <summary><c>Collab:Silo:*</c>: how a silo is reached by other silos and by clients.</summary>
    public SiloEndpoint Silo { get; init; } = new();

    /// <summary><c>Collab:Client:ConnectTimeoutSeconds</c>: how long a web node in clustered mode keeps trying to reach a silo at start.</summary>
    public TimeSpan ClientConnectTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary><c>Collab:Documents:*</c>: snapshot interval, catch-up window and the like.</summary>
    public Collab.Documents.DocumentOptions Documents { get; init; } = new();

    /// <summary><c>Collab:Limits:*</c>: participants, groups, names and presence grace.</summary>
    public Collab.Workshops.WorkshopOptions Limits { get; init; } = new();

    /// <summary>
    /// <c>Collab:Dashboard:Enabled</c>: serve the Orleans Dashboard at <c>/dashboard</c> where a silo runs (a silo
    /// process, or the embedded web node). On by default in embedded mode, off in clustered mode.
    /// </summary>
    public bool Dashboard { get; init; }

    /// <summary>
    /// <c>Collab:Telemetry:Traces</c>: record spans (HTTP requests, hub invocations, grain calls, commits). On by default
    /// when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set, i.e. when someone collects them.
    /// </summary>
    public bool Traces { get; init; }

    /// <summary><c>OTEL_EXPORTER_OTLP_ENDPOINT</c>: where metrics, traces and logs are also sent (OTLP), if set.</summary>
    public string? OtlpEndpoint { get; init; }

    /// <summary>The embedded SQLite file.</summary>
    public string SqliteFile => Path.Combine(DataPath, "collab.db");
}

/// <summary>The <c>Collab:Silo:*</c> settings.</summary>
public sealed record SiloEndpoint
{
    /// <summary><c>Collab:Silo:Name</c>: shown in membership, logs and health; defaults to host name and port.</summary>
    public string? Name { get; init; }

    /// <summary><c>Collab:Silo:Port</c>: silo-to-silo port.</summary>
    public int Port { get; init; } = 11111;

    /// <summary><c>Collab:Silo:GatewayPort</c>: port Orleans clients (web nodes) connect to.</summary>
    public int GatewayPort { get; init; } = 30000;

    /// <summary><c>Collab:Silo:AdvertisedHost</c>: the address or host name other nodes use to reach this silo.</summary>
    public string AdvertisedHost { get; init; } = "127.0.0.1";

    /// <summary><c>Collab:Silo:ListenOnAnyAddress</c>: bind 0.0.0.0 rather than the advertised address (containers).</summary>
    public bool ListenOnAnyAddress { get; init; }
}
