using System.Diagnostics.CodeAnalysis;
using Collab.Documents;
using Orleans.Metadata;
using Orleans.Runtime.Placement;

namespace Collab.Hosting;

/// <summary>
/// Where a co-hosted web node's silo activates a document grain: on itself, when the grain has no activation yet
/// (Orleans' <see cref="PreferLocalPlacement"/>). The first participant to open a document decides its node, so the
/// hot path of everyone on that node (hub → <see cref="IDocumentGrain"/> → the node's <c>DocumentFanout</c>) stays in
/// one process. A document that is already active elsewhere is used where it is: participants on other nodes reach it
/// through one silo-to-silo hop each way, and their node subscribes to it like any other. Placement is decided by the
/// calling silo, so a <c>src/Silo</c> process (which has no such resolver) keeps Orleans' default for what it calls.
/// Other grains (workshops, sessions, boards) keep the default too: each is shared by all the nodes of a workshop.
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
