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

    /// <summary>
    /// Everyone online now, at a version from which the next <see cref="IPresenceObserver.WorkshopPresenceDelta"/> applies
    /// (its <see cref="WorkshopPresenceDelta.BaseVersion"/> is at most this version).
    /// </summary>
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
    /// <summary>
    /// Everyone online, in place of a delta that would have been longer (a delta never lists more participants than
    /// the snapshot); batched (at most a few per second).
    /// </summary>
    [Alias("workshop-presence-changed"), Orleans.Concurrency.OneWay]
    Task WorkshopPresenceChanged(WorkshopPresence presence);

    /// <summary>What changed since the previous push or snapshot; batched (at most a few per second).</summary>
    [Alias("workshop-presence-delta"), Orleans.Concurrency.OneWay]
    Task WorkshopPresenceDelta(WorkshopPresenceDelta delta);
}

/// <summary>Everyone online in a workshop, in <see cref="ParticipantPresence.Order"/>.</summary>
[GenerateSerializer, Immutable, Alias("collab.WorkshopPresence")]
public sealed record WorkshopPresence(
    [property: Id(0)] string WorkshopId,
    [property: Id(1)] long Version,
    [property: Id(2)] IReadOnlyList<ParticipantPresence> Online)
{
    /// <summary>
    /// This presence with <paramref name="delta"/> applied: itself when it already has the delta's version, null when
    /// it is older than the delta's base (a delta was missed, or the grain was activated again): fetch the snapshot.
    /// </summary>
    public WorkshopPresence? With(WorkshopPresenceDelta delta)
    {
        ArgumentNullException.ThrowIfNull(delta);
        if (delta.Version <= Version)
        {
            return this;
        }

        if (delta.BaseVersion > Version)
        {
            return null;
        }

        var replaced = delta.Changed.Select(p => p.ParticipantId).Concat(delta.Gone).ToHashSet(StringComparer.Ordinal);
        List<ParticipantPresence> online = [.. Online.Where(p => !replaced.Contains(p.ParticipantId)), .. delta.Changed];
        online.Sort(ParticipantPresence.Order);
        return new WorkshopPresence(WorkshopId, delta.Version, online);
    }
}

/// <summary>
/// What changed in a workshop's presence between <see cref="BaseVersion"/> and <see cref="Version"/>: the entries of
/// participants who came or changed (whole entries), and the ids of those who left. It applies to any presence of a
/// version from <see cref="BaseVersion"/> up to (not including) <see cref="Version"/>: it lists everyone who changed in
/// that span, even someone who changed back. Never longer than the snapshot it leads to (else that is pushed instead).
/// </summary>
[GenerateSerializer, Immutable, Alias("collab.WorkshopPresenceDelta")]
public sealed record WorkshopPresenceDelta(
    [property: Id(0)] string WorkshopId,
    [property: Id(1)] long Version,
    [property: Id(2)] long BaseVersion,
    [property: Id(3)] IReadOnlyList<ParticipantPresence> Changed,
    [property: Id(4)] IReadOnlyList<string> Gone);

/// <summary>One participant online: the rooms and documents they have open (over all their connections).</summary>
[GenerateSerializer, Immutable, Alias("collab.ParticipantPresence")]
public sealed record ParticipantPresence(
    [property: Id(0)] string ParticipantId,
    [property: Id(1)] string Name,
    [property: Id(2)] Role Role,
    [property: Id(3)] IReadOnlyList<string> Rooms,
    [property: Id(4)] IReadOnlyList<string> Documents,
    [property: Id(5)] bool Reconnecting)
{
    /// <summary>The order of <see cref="WorkshopPresence.Online"/>: by name ignoring case, then by participant id.</summary>
    public static IComparer<ParticipantPresence> Order { get; } = Comparer<ParticipantPresence>.Create((a, b) =>
    {
        var byName = StringComparer.CurrentCultureIgnoreCase.Compare(a.Name, b.Name);
        return byName != 0 ? byName : StringComparer.Ordinal.Compare(a.ParticipantId, b.ParticipantId);
    });

    /// <summary>The same entry (record equality compares the lists by reference).</summary>
    public bool SameAs(ParticipantPresence other) =>
        other is not null
        && (ParticipantId, Name, Role, Reconnecting) == (other.ParticipantId, other.Name, other.Role, other.Reconnecting)
        && Rooms.SequenceEqual(other.Rooms, StringComparer.Ordinal)
        && Documents.SequenceEqual(other.Documents, StringComparer.Ordinal);
}
