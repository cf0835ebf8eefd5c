using Microsoft.AspNetCore.Hosting;

namespace Collab.Tests.Operations;

/// <summary>The Orleans Dashboard is on in embedded mode unless configured off.</summary>
public sealed class DashboardTests
{
    [Fact]
    public async Task EmbeddedNodeServesTheDashboardByDefault()
    {
        await using var node = new EmbeddedWebNode();
        using var http = node.CreateClient();

        using var page = await http.GetAsync(new Uri("/dashboard/", UriKind.Relative));

        var html = await page.Content.ReadAsStringAsync();
        Assert.True(page.IsSuccessStatusCode, $"GET /dashboard/ answered {(int)page.StatusCode}: {html}");
        Assert.Contains("<html", html, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task DashboardIsAbsentWhenDisabled()
    {
        await using var node = new NodeWithoutDashboard();
        using var http = node.CreateClient();

        using var page = await http.GetAsync(new Uri("/dashboard/", UriKind.Relative));

        Assert.Equal(System.Net.HttpStatusCode.NotFound, page.StatusCode);
    }

    private sealed class NodeWithoutDashboard : EmbeddedWebNode
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Collab:Dashboard:Enabled", "false");
        }
    }
}
