using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Collab.Tests;

/// <summary>The embedded web node on a real Kestrel at 127.0.0.1 (WebSockets), for real SignalR clients.</summary>
public class KestrelWebNode : EmbeddedWebNode
{
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
        base.ConfigureWebHost(builder);
        builder.UseUrls("http://127.0.0.1:0");
    }
}
