using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Collab.IntegrationTests.Infrastructure;

/// <summary>A clustered web node (Orleans client of a PostgreSQL cluster) on a real Kestrel at 127.0.0.1.</summary>
internal sealed class KestrelClusterWebNode(string connectionString, string clusterId, int subscriptionRenewalSeconds = 30)
    : WebApplicationFactory<Program>
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
                _address = new Uri(Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
            }

            return _address;
        }
    }

    public Uri HubUrl => new(Address, "/hubs/collab");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseUrls("http://127.0.0.1:0");
        builder.UseSetting("Collab:Storage", "Postgres");
        builder.UseSetting("ConnectionStrings:Collab", connectionString);
        builder.UseSetting("Collab:ClusterId", clusterId);
        builder.UseSetting("Collab:Auth:SigningKey", TestKeys.SigningKey);
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        builder.UseSetting("Collab:Realtime:SubscriptionRenewalSeconds", subscriptionRenewalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}
