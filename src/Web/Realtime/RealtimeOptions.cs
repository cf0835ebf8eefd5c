namespace Collab.Web.Realtime;

/// <summary>
/// Limits of the real-time edge, per connection (never per IP address: a venue puts everyone behind one address).
/// <c>Collab:Realtime:*</c> settings; docs/protocol.md lists them.
/// </summary>
public sealed record RealtimeOptions
{
    /// <summary>Ops a connection may submit per second, sustained.</summary>
    public double OpsPerSecond { get; init; } = 50;

    /// <summary>Ops a connection may submit in a burst.</summary>
    public int OpsBurst { get; init; } = 200;

    /// <summary>
    /// Other calls (open, close, watch, enter) a connection may make per second, sustained: each may activate a grain, so
    /// none is free.
    /// </summary>
    public double CallsPerSecond { get; init; } = 10;

    /// <summary>Other calls a connection may make in a burst (a page opening a room's documents at once).</summary>
    public int CallsBurst { get; init; } = 100;

    /// <summary>Presence updates a connection may send per second, sustained (they are coalesced before any push).</summary>
    public double PresencePerSecond { get; init; } = 20;

    /// <summary>Presence updates a connection may send in a burst.</summary>
    public int PresenceBurst { get; init; } = 60;

    /// <summary>Largest message a client may send (an op of 64 Ki code units fits).</summary>
    public long MaxMessageBytes { get; init; } = 512 * 1024;

    /// <summary>Documents one connection may have open at once.</summary>
    public int MaxOpenDocuments { get; init; } = 50;

    /// <summary>Sessions one connection may watch at once (an agenda has at most 40).</summary>
    public int MaxWatchedSessions { get; init; } = 50;

    /// <summary>Hub connections one participant may hold on one web node (tabs and devices).</summary>
    public int MaxConnectionsPerParticipant { get; init; } = 20;

    /// <summary>Longest document or session id a client may send.</summary>
    public int MaxIdLength { get; init; } = 200;

    /// <summary>
    /// Hub calls of one connection that may run at once (SignalR runs one at a time by default): a call stuck on a dead
    /// silo holds up only the calls about its own document (see <see cref="InvocationOrderFilter"/>).
    /// </summary>
    public int ParallelInvocationsPerConnection { get; init; } = 8;

    /// <summary>How often a web node renews its document subscriptions (below the grains' 2-minute expiry).</summary>
    public TimeSpan SubscriptionRenewal { get; init; } = TimeSpan.FromSeconds(30);
}
