namespace Collab.Diagnostics;

/// <summary>
/// A stateless grain that answers with the silo it runs on. Readiness checks call it to prove that a node can
/// reach the cluster and activate grains; operators and tests use it to see which silos serve calls.
/// Placed at random, so different keys land on different silos.
/// </summary>
[Alias("collab.IClusterProbeGrain")]
public interface IClusterProbeGrain : IGrainWithStringKey
{
    /// <summary>Where this activation runs.</summary>
    [Alias("ping")]
    Task<SiloIdentity> PingAsync();
}

/// <summary>Which silo answered.</summary>
/// <param name="SiloName">The silo's configured name.</param>
/// <param name="Address">The silo's endpoint and generation.</param>
[GenerateSerializer, Immutable, Alias("collab.SiloIdentity")]
public sealed record SiloIdentity([property: Id(0)] string SiloName, [property: Id(1)] string Address);
