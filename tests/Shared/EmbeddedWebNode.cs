using System.Globalization;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Collab.Testing;

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

/// <summary>The embedded web node on a real Kestrel at 127.0.0.1 (WebSockets), for real SignalR clients and browsers.</summary>
public class EmbeddedKestrelNode : EmbeddedWebNode
{
    private Uri? _address;

    /// <summary>Where it listens; the first use starts it.</summary>
    public Uri Address
    {
        get
        {
            if (_address is null)
            {
                UseKestrel();
                StartServer();
                var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
                _address = new Uri(addresses.First());
            }

            return _address;
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseUrls("http://127.0.0.1:0");
    }
}
