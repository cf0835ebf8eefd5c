using Collab.Hosting.Configuration;
using Microsoft.Extensions.Configuration;

namespace Collab.Tests.Configuration;

public sealed class CollabSettingsTests
{
    private static CollabOptions Load(params (string Key, string? Value)[] settings) =>
        CollabSettings.Load(new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)))
            .Build());

    private static string Rejection(params (string Key, string? Value)[] settings) =>
        Assert.Throws<CollabStartupException>(() => Load(settings)).Message;

    [Fact]
    public void NothingConfiguredMeansEmbeddedWithDataUnderTheWorkingDirectory()
    {
        var options = Load();

        Assert.Equal(StorageKind.Sqlite, options.Storage);
        Assert.Equal(Path.Combine(Environment.CurrentDirectory, "data"), options.DataPath);
        Assert.Equal(Path.Combine(options.DataPath, "collab.db"), options.SqliteFile);
        Assert.Equal(11111, options.Silo.Port);
        Assert.Equal(30000, options.Silo.GatewayPort);
        Assert.Equal(1_000, options.Documents.AnchorsRewriteEvery);
    }

    [Fact]
    public void ClusteredSettingsAreReadFromTheirKeys()
    {
        var options = Load(
            ("Collab:Storage", "postgres"),
            ("ConnectionStrings:Collab", "Host=db;Database=collab;Username=collab"),
            ("Collab:ClusterId", "venue-1"),
            ("Collab:Silo:Name", "silo-a"),
            ("Collab:Silo:Port", "22222"),
            ("Collab:Silo:GatewayPort", "40000"),
            ("Collab:Silo:AdvertisedHost", "silo-a.internal"),
            ("Collab:Silo:ListenOnAnyAddress", "true"),
            ("Collab:Client:ConnectTimeoutSeconds", "5"),
            ("Collab:Documents:SnapshotEvery", "25"),
            ("Collab:Documents:CatchUpLimit", "50"),
            ("Collab:Documents:AnchorsRewriteEvery", "75"));

        Assert.Equal(StorageKind.Postgres, options.Storage);
        Assert.Equal("venue-1", options.ClusterId);
        Assert.Equal(new SiloEndpoint { Name = "silo-a", Port = 22222, GatewayPort = 40000, AdvertisedHost = "silo-a.internal", ListenOnAnyAddress = true }, options.Silo);
        Assert.Equal(TimeSpan.FromSeconds(5), options.ClientConnectTimeout);
        Assert.Equal((25, 50, 75), (options.Documents.SnapshotEvery, options.Documents.CatchUpLimit, options.Documents.AnchorsRewriteEvery));
    }

    [Theory]
    [InlineData("Collab:Storage", "Mongo", "Collab:Storage is 'Mongo'; expected 'Sqlite' (embedded) or 'Postgres' (clustered).")]
    [InlineData("Collab:Topology", "Both", "Collab:Topology is 'Both'; expected 'Separate' (web nodes are Orleans clients of src/Silo processes) or 'CoHosted' (each web node is also a silo of the cluster).")]
    [InlineData("Collab:Topology", "Separate", "Collab:Topology is 'Separate', but embedded mode (Collab:Storage=Sqlite) always runs its silo in the web node; separate silos need Collab:Storage=Postgres.")]
    [InlineData("Collab:Silo:Port", "0", "Collab:Silo:Port is '0'; expected a whole number from 1 to 65535.")]
    [InlineData("Collab:Silo:GatewayPort", "http", "Collab:Silo:GatewayPort is 'http'; expected a whole number from 1 to 65535.")]
    [InlineData("Collab:Silo:ListenOnAnyAddress", "yes", "Collab:Silo:ListenOnAnyAddress is 'yes'; expected 'true' or 'false'.")]
    [InlineData("Collab:ServiceId", "a/b", "Collab:ServiceId is 'a/b'; expected 1–64 letters, digits, '.', '_' or '-'.")]
    [InlineData("Collab:Client:ConnectTimeoutSeconds", "-1", "Collab:Client:ConnectTimeoutSeconds is '-1'; expected a whole number from 1 to 3600.")]
    [InlineData("Collab:Documents:SnapshotEvery", "0", "Collab:Documents:SnapshotEvery is '0'; expected a whole number from 1 to 1000000.")]
    [InlineData("Collab:Documents:AnchorsRewriteEvery", "0", "Collab:Documents:AnchorsRewriteEvery is '0'; expected a whole number from 1 to 1000000.")]
    [InlineData("Collab:Documents:AnchorsRewriteEvery", "often", "Collab:Documents:AnchorsRewriteEvery is 'often'; expected a whole number from 1 to 1000000.")]
    [InlineData("Collab:Dashboard:Enabled", "on", "Collab:Dashboard:Enabled is 'on'; expected 'true' or 'false'.")]
    [InlineData("Collab:Telemetry:Traces", "1", "Collab:Telemetry:Traces is '1'; expected 'true' or 'false'.")]
    [InlineData("OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4317", "OTEL_EXPORTER_OTLP_ENDPOINT is 'collector:4317'; expected an http(s) URL such as http://collector:4317.")]
    public void InvalidSettingIsNamedWithWhatItExpects(string key, string value, string message)
    {
        Assert.Contains(message, Rejection((key, value)), StringComparison.Ordinal);
    }

    [Fact]
    public void WebNodesCoHostTheirSiloInEmbeddedModeAndUseSeparateSilosInClusteredModeUnlessConfigured()
    {
        const string Postgres = "Host=db;Database=collab;Username=collab";

        Assert.Equal(Topology.CoHosted, Load().Topology);
        Assert.Equal(Topology.CoHosted, Load(("Collab:Topology", "CoHosted")).Topology);
        Assert.Equal(Topology.Separate, Load(("Collab:Storage", "Postgres"), ("ConnectionStrings:Collab", Postgres)).Topology);
        Assert.Equal(Topology.CoHosted, Load(("Collab:Storage", "Postgres"), ("ConnectionStrings:Collab", Postgres), ("Collab:Topology", "cohosted")).Topology);
    }

    [Fact]
    public void DashboardIsOnInEmbeddedModeAndOffInClusteredModeUnlessConfigured()
    {
        const string Postgres = "Host=db;Database=collab;Username=collab";

        Assert.True(Load().Dashboard);
        Assert.False(Load(("Collab:Storage", "Postgres"), ("ConnectionStrings:Collab", Postgres)).Dashboard);
        Assert.False(Load(("Collab:Dashboard:Enabled", "false")).Dashboard);
        Assert.True(Load(("Collab:Storage", "Postgres"), ("ConnectionStrings:Collab", Postgres), ("Collab:Dashboard:Enabled", "true")).Dashboard);
    }

    [Fact]
    public void TracesAreRecordedWhenSomeoneCollectsThem()
    {
        Assert.False(Load().Traces);
        Assert.Null(Load().OtlpEndpoint);
        var exported = Load(("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4317"));
        Assert.True(exported.Traces);
        Assert.Equal("http://collector:4317", exported.OtlpEndpoint);
        Assert.False(Load(("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4317"), ("Collab:Telemetry:Traces", "false")).Traces);
        Assert.True(Load(("Collab:Telemetry:Traces", "true")).Traces);
    }

    [Fact]
    public void PostgresWithoutConnectionStringNamesTheMissingSetting()
    {
        Assert.Contains("ConnectionStrings:Collab is missing", Rejection(("Collab:Storage", "Postgres")), StringComparison.Ordinal);
    }

    [Fact]
    public void MalformedConnectionStringIsNamed()
    {
        var message = Rejection(("Collab:Storage", "Postgres"), ("ConnectionStrings:Collab", "Host=db;Colour=blue"));

        Assert.Contains("ConnectionStrings:Collab is malformed", message, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryInvalidSettingIsReportedAtOnce()
    {
        var message = Rejection(("Collab:Storage", "Postgres"), ("Collab:Silo:Port", "x"), ("Collab:ClusterId", "has space"));

        Assert.Contains("ConnectionStrings:Collab", message, StringComparison.Ordinal);
        Assert.Contains("Collab:Silo:Port", message, StringComparison.Ordinal);
        Assert.Contains("Collab:ClusterId", message, StringComparison.Ordinal);
    }

    [Fact]
    public void EmbeddedModeDoesNotNeedAConnectionString()
    {
        Assert.Equal(StorageKind.Sqlite, Load(("Collab:Storage", "Sqlite"), ("ConnectionStrings:Collab", null)).Storage);
    }
}
