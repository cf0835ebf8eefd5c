using Orleans.Configuration;

namespace Collab.Hosting;

/// <summary>
/// Orleans' failure handling, tuned for a venue cluster (silos and web nodes on one LAN) where a dead silo must cost a
/// participant seconds, not minutes. See README, "What a node failure costs a participant".
/// </summary>
internal static class ClusterTuning
{
    /// <summary>
    /// Silos probe each other about every second (Orleans adapts the period and timeout between half and four times
    /// <see cref="ClusterMembershipOptions.ProbeTimeout"/> to the response times it sees; default 5 s) and declare a silo
    /// dead after three missed probes: a SIGKILLed silo (its port refuses at once) is out of the cluster in about 2–3 s
    /// instead of 10–20 s, and its grains can be activated elsewhere. A live but busy silo is not voted out: a vote is
    /// dropped while messages from it keep arriving (<see cref="ClusterMembershipOptions.EnableConnectionLivenessCheck"/>),
    /// and the timeout grows while the prober itself is degraded.
    /// </summary>
    public static ISiloBuilder AddFailureTuning(this ISiloBuilder silo) => silo.Configure<ClusterMembershipOptions>(membership =>
    {
        membership.ProbeTimeout = TimeSpan.FromSeconds(1);
        membership.NumMissedProbesLimit = 3;
    });

    /// <summary>
    /// A web node reads the gateway list every 5 s (default 60 s): a restarted silo is used again within seconds, and a
    /// gateway it marked dead is tried again after as long. It asks a gateway for the cluster manifest every second
    /// (default 60 s), whose silo list is how the push path learns at once that a silo joined or was declared dead
    /// (one small call per second; see <c>Collab.Web.Realtime.ClusterChanges</c>).
    /// </summary>
    public static IClientBuilder AddFailureTuning(this IClientBuilder client) => client
        .Configure<GatewayOptions>(gateways => gateways.GatewayListRefreshPeriod = TimeSpan.FromSeconds(5))
        .Configure<TypeManagementOptions>(types => types.TypeMapRefreshInterval = TimeSpan.FromSeconds(1));
}
