using Collab.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime.Placement;

namespace Collab.Tests.Configuration;

/// <summary>
/// Which silo activates a grain is decided by the calling silo's placement strategy: a co-hosted web node activates a
/// document it calls first on itself, so its hub → grain → push path never leaves the process (nothing is started here).
/// </summary>
public sealed class DocumentPlacementTests
{
    private static PlacementStrategy StrategyOf(string topology, string grainType)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration["Collab:Storage"] = "Postgres";
        builder.Configuration["ConnectionStrings:Collab"] = "Host=127.0.0.1;Database=collab;Username=collab";
        builder.Configuration["Collab:Topology"] = topology;
        builder.AddCollabWebNode();
        using var host = builder.Build();
        return host.Services.GetRequiredService<PlacementStrategyResolver>().GetPlacementStrategy(GrainType.Create(grainType));
    }

    [Fact]
    public void ACoHostedWebNodeActivatesDocumentsOnItselfAndOtherGrainsWhereverOrleansChooses()
    {
        Assert.IsType<PreferLocalPlacement>(StrategyOf("CoHosted", "document"));
        Assert.IsNotType<PreferLocalPlacement>(StrategyOf("CoHosted", "workshop"));
        Assert.IsNotType<PreferLocalPlacement>(StrategyOf("CoHosted", "session"));
    }
}
