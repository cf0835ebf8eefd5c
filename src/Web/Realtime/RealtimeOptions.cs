namespace Collab.Web.Realtime;

/// <summary>Limits of the real-time edge; <c>Collab:Realtime:OpsPerSecond</c>, <c>OpsBurst</c> and <c>MaxOpenDocuments</c> are settings.</summary>
public sealed record RealtimeOptions
{
    /// <summary>Ops a connection may submit per second, sustained.</summary>
    public double OpsPerSecond { get; init; } = 50;

    /// <summary>Ops a connection may submit in a burst.</summary>
    public int OpsBurst { get; init; } = 200;

    /// <summary>Largest message a client may send (an op of 64 Ki code units fits).</summary>
    public long MaxMessageBytes { get; init; } = 512 * 1024;

    /// <summary>Documents one connection may have open at once.</summary>
    public int MaxOpenDocuments { get; init; } = 50;

    /// <summary>
    /// Hub calls of one connection that may run at once (SignalR runs one at a time by default): a call stuck on a dead
    /// silo holds up only the calls about its own document (see <see cref="InvocationOrderFilter"/>).
    /// </summary>
    public int ParallelInvocationsPerConnection { get; init; } = 8;

    /// <summary>How often a web node renews its document subscriptions (below the grains' 2-minute expiry).</summary>
    public TimeSpan SubscriptionRenewal { get; init; } = TimeSpan.FromSeconds(30);
}
