using Orleans.Placement;

namespace Collab.Diagnostics;

[RandomPlacement]
internal sealed class ClusterProbeGrain(ILocalSiloDetails silo) : Grain, IClusterProbeGrain
{
    Task<SiloIdentity> IClusterProbeGrain.PingAsync() =>
        Task.FromResult(new SiloIdentity(silo.Name, silo.SiloAddress.ToParsableString()));
}
