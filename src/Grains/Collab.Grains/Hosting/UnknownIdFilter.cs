using Microsoft.Extensions.DependencyInjection;
using Orleans.Hosting;

namespace Collab.Hosting;

/// <summary>
/// A grain whose key is chosen by a caller (a document id, a join code, a session id…) and so may name nothing.
/// <see cref="Exists"/> is false while the grain holds nothing that was ever created (no stored state, nothing in flight).
/// </summary>
internal interface IMayNotExist
{
    bool Exists { get; }
}

/// <summary>
/// Every call to an <see cref="IMayNotExist"/> grain that ends with the grain still not existing (a refused id:
/// <c>document.not_found</c>, an unknown join code …) deactivates it at once. So ids that name nothing leave nothing
/// behind, whoever sends them and however many: without this, each would keep an activation (and its memory) until
/// Orleans' idle collection, many minutes later.
/// </summary>
internal sealed class UnknownIdFilter : IIncomingGrainCallFilter
{
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        try
        {
            await context.Invoke();
        }
        finally
        {
            if (context.TargetContext.GrainInstance is IMayNotExist { Exists: false })
            {
                context.TargetContext.Deactivate(new DeactivationReason(DeactivationReasonCode.ApplicationRequested, "The id names nothing."));
            }
        }
    }
}

/// <summary>Silo wiring of the domain's grain-call filters.</summary>
public static class CollabGrainFilters
{
    public static ISiloBuilder AddCollabGrainFilters(this ISiloBuilder silo)
    {
        ArgumentNullException.ThrowIfNull(silo);
        silo.AddIncomingGrainCallFilter<UnknownIdFilter>();
        return silo;
    }
}
