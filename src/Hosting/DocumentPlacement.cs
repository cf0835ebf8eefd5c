using System.Diagnostics.CodeAnalysis;
using Collab.Documents;
using Orleans.Metadata;
using Orleans.Runtime.Placement;

namespace Collab.Hosting;

/// <summary>
/// Where a co-hosted web node's silo activates a document grain that has no activation: on itself (Orleans'
/// <see cref="PreferLocalPlacement"/>), whatever the silos' load, where Orleans' default would move it to a less busy
/// silo. The first caller decides: the grain that creates the document (its workshop, group or recommendation), or,
/// once it has been collected, usually the hub of the node whose participant opens it, so that node's hot path (hub →
/// <see cref="IDocumentGrain"/> → its <c>DocumentFanout</c>) stays in one process. A document already active elsewhere is
/// used where it is: participants on other nodes reach it through one silo-to-silo hop each way, and their node
/// subscribes to it like any web node. Placement is decided by the calling silo, so a <c>src/Silo</c> process in the
/// same cluster (which has no such resolver) keeps Orleans' default for what it calls. Other grains keep the default too.
/// </summary>
internal sealed class DocumentPlacement(GrainClassMap grainClasses) : IPlacementStrategyResolver
{
    private static readonly PreferLocalPlacement PreferLocal = new();

    public bool TryResolvePlacementStrategy(
        GrainType grainType, GrainProperties? properties, [MaybeNullWhen(false)] out PlacementStrategy result)
    {
        if (grainClasses.TryGetGrainClass(grainType, out var grainClass) && typeof(IDocumentGrain).IsAssignableFrom(grainClass))
        {
            result = PreferLocal;
            return true;
        }

        result = null;
        return false;
    }
}
