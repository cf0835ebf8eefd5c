using System.Globalization;
using Collab.IntegrationTests.Infrastructure;

namespace Collab.IntegrationTests.Processes;

/// <summary>A misconfigured process stops at once, with exit code 2 and a message that names the setting.</summary>
public sealed class StartupFailureTests
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(45);

    public static TheoryData<string, string, string, string> BadSettings => new()
    {
        // program, variable, value, the setting the message must name
        { "silo", "ConnectionStrings__Collab", "", "ConnectionStrings:Collab is missing" },
        { "silo", "ConnectionStrings__Collab", "Host=127.0.0.1;Frobnicate=yes", "ConnectionStrings:Collab is malformed" },
        { "silo", "ConnectionStrings__Collab", "Database=collab", "ConnectionStrings:Collab names no Host" },
        { "silo", "Collab__Silo__Port", "seventy", "Collab:Silo:Port is 'seventy'" },
        { "silo", "Collab__Storage", "Sqlite", "Collab:Storage must be 'Postgres' for a silo process" },
        { "web", "Collab__Storage", "Mongo", "Collab:Storage is 'Mongo'" },
        { "web", "Collab__Storage", "Postgres", "ConnectionStrings:Collab is missing" },
        { "web", "Collab__Silo__GatewayPort", "70000", "Collab:Silo:GatewayPort is '70000'" },
        { "web", "Collab__ClusterId", "has spaces", "Collab:ClusterId is 'has spaces'" },
        { "web", "Collab__Auth__SigningKey", "c2hvcnQ=", "Collab:Auth:SigningKey has 5 bytes; it needs at least 32" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public async Task BadSettingStopsTheProcessNamingIt(string program, string variable, string value, string expected)
    {
        using var data = new TempFolder();
        var environment = new Dictionary<string, string?>
        {
            ["Collab__DataPath"] = data.Path,
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{FreePorts.Next()}",
            [variable] = value,
        };
        await using var process = ChildProcess.Start(program == "silo" ? Repo.SiloDll : Repo.WebDll, environment);

        Assert.Equal(2, await process.WaitForExitAsync(ExitTimeout));
        Assert.Contains(expected, process.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("silo")]
    [InlineData("web")]
    public async Task UnreachableDatabaseStopsTheProcessNamingTheConnectionString(string program)
    {
        // Port 1 on loopback: nothing listens there, so the connection is refused at once.
        await using var process = ChildProcess.Start(program == "silo" ? Repo.SiloDll : Repo.WebDll, new Dictionary<string, string?>
        {
            ["Collab__Storage"] = "Postgres",
            ["ConnectionStrings__Collab"] = "Host=127.0.0.1;Port=1;Database=collab;Username=collab;Password=secret;Timeout=5",
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{FreePorts.Next()}",
            ["Collab__Silo__Port"] = FreePorts.Next().ToString(CultureInfo.InvariantCulture),
            ["Collab__Silo__GatewayPort"] = FreePorts.Next().ToString(CultureInfo.InvariantCulture),
            ["Collab__Auth__SigningKey"] = TestKeys.SigningKey,
        });

        Assert.Equal(2, await process.WaitForExitAsync(ExitTimeout));
        Assert.Contains("Cannot connect to PostgreSQL with ConnectionStrings:Collab (Host=127.0.0.1;Port=1;", process.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", process.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnmigratedDatabaseStopsTheSiloWithTheCommandToRun()
    {
        await using var database = await PostgresServer.CreateDatabaseAsync(migrate: false);
        await using var process = ChildProcess.Start(Repo.SiloDll, new Dictionary<string, string?>
        {
            ["ConnectionStrings__Collab"] = database.ConnectionString,
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{FreePorts.Next()}",
        });

        Assert.Equal(2, await process.WaitForExitAsync(ExitTimeout));
        Assert.Contains("has schema version none", process.Output, StringComparison.Ordinal);
        Assert.Contains("dotnet run --project src/Silo -- migrate", process.Output, StringComparison.Ordinal);
    }
}
