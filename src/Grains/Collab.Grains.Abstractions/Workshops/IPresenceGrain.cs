using Collab.Diagnostics;
namespace Collab.Workshops;

/// <summary>
/// Who is online in a workshop, in which room and which documents. Ephemeral (never persisted). A participant whose
/// last connection drops stays "online" for a grace period, so a reconnect does not flap. Keyed by workshop id.
/// </summary>
[Alias("collab.IPresenceGrain")]
public interface IPresenceGrain : IGrainWithStringKey
{
    [Alias("connect"), Orleans.Concurrency.AlwaysInterleave, ResponseTimeout(CallTimeouts.RealTime)]
    Task ConnectAsync(string connectionId, Caller caller);

    /// <summary>The connection opened (<paramref name="open"/>) or closed a document of a room.</summary>
    [Alias("locate"), Orleans.Concurrency.OneWay]
    Task LocateAsync(string connectionId, string docId, string room, bool open);

    [Alias("disconnect"), Orleans.Concurrency.OneWay]
    Task DisconnectAsync(string connectionId);

    [Alias("get")]
    Task<WorkshopPresence> GetAsync(Caller caller);

    [Alias("subscribe"), Orleans.Concurrency.AlwaysInterleave, ResponseTimeout(CallTimeouts.RealTime)]
    Task SubscribeAsync(IPresenceObserver observer);

    [Alias("unsubscribe"), Orleans.Concurrency.AlwaysInterleave, ResponseTimeout(CallTimeouts.RealTime)]
    Task UnsubscribeAsync(IPresenceObserver observer);
}

[Alias("collab.IPresenceObserver")]
public interface IPresenceObserver : IGrainObserver
{
    /// <summary>Everyone online; batched (at most a few per second).</summary>
    [Alias("workshop-presence-changed"), Orleans.Concurrency.OneWay]
    Task WorkshopPresenceChanged(WorkshopPresence presence);
}

/// <summary>Everyone online in a workshop.</summary>
[GenerateSerializer, Immutable, Alias("collab.WorkshopPresence")]
public sealed record WorkshopPresence(
    [property: Id(0)] string WorkshopId,
    [property: Id(1)] long Version,
    [property: Id(2)] IReadOnlyList<ParticipantPresence> Online);

/// <summary>One participant online: the rooms and documents they have open (over all their connections).</summary>
[GenerateSerializer, Immutable, Alias("collab.ParticipantPresence")]
public sealed record ParticipantPresence(
    [property: Id(0)] string ParticipantId,
    [property: Id(1)] string Name,
    [property: Id(2)] Role Role,
    [property: Id(3)] IReadOnlyList<string> Rooms,
    [property: Id(4)] IReadOnlyList<string> Documents,
    [property: Id(5)] bool Reconnecting);
