using System.Collections.Concurrent;

namespace Collab.Web.Realtime;

/// <summary>
/// Grain references by key for the hub's per-call paths. Orleans' <c>GetGrain&lt;T&gt;(key)</c> resolves the
/// interface's grain interface type again on every call (attribute reflection and the type name formatted anew: about
/// 1 KB of garbage and some microseconds per edit); here each interface is resolved once and every later reference is
/// made from its grain id directly. The reference is the same one <c>GetGrain</c> returns.
/// </summary>
public sealed class GrainReferences(IClusterClient cluster)
{
    private readonly ConcurrentDictionary<Type, (GrainType Type, GrainInterfaceType Interface)> _resolved = new();

    public T Get<T>(string key)
        where T : IGrainWithStringKey
    {
        var (type, grainInterface) = _resolved.GetOrAdd(typeof(T), static (_, state) => Resolve<T>(state), cluster);
        return (T)cluster.GetGrain(GrainId.Create(type, key), grainInterface);
    }

    private static (GrainType, GrainInterfaceType) Resolve<T>(IClusterClient cluster)
        where T : IGrainWithStringKey
    {
        // Any key: only the grain type and interface type are kept.
        var probe = (GrainReference)(object)cluster.GetGrain<T>("-");
        return (probe.GrainId.Type, probe.InterfaceType);
    }
}
