using System.Globalization;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Collab.Tests;

/// <summary>
/// The real web node (<c>src/Web</c>'s Program) in embedded mode: co-hosted silo, SQLite in a temp folder, its own
/// silo ports so test classes run side by side. Shared by the tests of a class through <see cref="IClassFixture{T}"/>.
/// </summary>
public class EmbeddedWebNode : WebApplicationFactory<Program>
{
    private readonly TempFolder _data = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Collab:Storage", "Sqlite");
        builder.UseSetting("Collab:DataPath", _data.Path);
        builder.UseSetting("Collab:Silo:Port", FreePorts.Next().ToString(CultureInfo.InvariantCulture));
        builder.UseSetting("Collab:Silo:GatewayPort", FreePorts.Next().ToString(CultureInfo.InvariantCulture));
        builder.UseSetting("Logging:LogLevel:Default", "Warning");

        // Tests script faster than people click; the per-participant HTTP limit has its own test.
        builder.UseSetting("Collab:Auth:RequestsPerSecondPerParticipant", "1000");
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _data.Dispose();
    }
}
