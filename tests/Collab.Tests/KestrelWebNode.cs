using System.Globalization;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Collab.Tests;

/// <summary>The embedded web node on a real Kestrel at 127.0.0.1 (WebSockets), for real SignalR clients.</summary>
public sealed class KestrelWebNode : WebApplicationFactory<Program>
{
    private readonly TempFolder _data = new();
    private Uri? _address;

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

    public Uri HubUrl => new(Address, "/hubs/collab");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseUrls("http://127.0.0.1:0");
        builder.UseSetting("Collab:Storage", "Sqlite");
        builder.UseSetting("Collab:DataPath", _data.Path);
        builder.UseSetting("Collab:Silo:Port", FreePorts.Next().ToString(CultureInfo.InvariantCulture));
        builder.UseSetting("Collab:Silo:GatewayPort", FreePorts.Next().ToString(CultureInfo.InvariantCulture));
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _data.Dispose();
    }
}
