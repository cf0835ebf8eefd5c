using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Collab.IntegrationTests.Infrastructure;

/// <summary>
/// The real web node (<c>src/Web</c>'s Program) hosted in the test process on the test server, configured as an
/// Orleans client of a PostgreSQL-backed cluster whose silos run as separate processes.
/// </summary>
internal sealed class WebNodeFactory(string connectionString, string clusterId) : WebApplicationFactory<Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Collab:Storage", "Postgres");
        builder.UseSetting("ConnectionStrings:Collab", connectionString);
        builder.UseSetting("Collab:ClusterId", clusterId);
        builder.UseSetting("Collab:Auth:SigningKey", TestKeys.SigningKey);
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
    }
}
