using Collab.Workshops;

namespace Collab.Client;

/// <summary>
/// A workshop's presence kept current from the hub's pushes (docs/protocol.md, <c>WorkshopPresenceDelta</c>): a
/// snapshot (fetched, or pushed as <c>WorkshopPresenceChanged</c>), then every delta applied to the version it follows.
/// A delta that does not follow what it holds (one was missed, the connection dropped, the server's presence started
/// again) is held and the snapshot fetched again; held deltas newer than that snapshot are applied after it.
/// </summary>
public sealed class WorkshopPresenceFollower(Func<CancellationToken, Task<WorkshopPresence>> fetch)
{
    /// <summary>Deltas held while a snapshot is on its way; the oldest go first (the snapshot covers them).</summary>
    public const int MaxHeld = 64;

    private readonly Lock _gate = new();
    private readonly List<WorkshopPresenceDelta> _held = [];
    private WorkshopPresence? _current;
    private Task? _fetching;

    /// <summary>The presence as it is now (null until the first snapshot).</summary>
    public WorkshopPresence? Current
    {
        get
        {
            lock (_gate)
            {
                return _current;
            }
        }
    }

    /// <summary>How many snapshots were fetched (the first one included).</summary>
    public int Fetches { get; private set; }

    /// <summary>The whole presence after each change, in the order of versions (raised under the follower's lock: keep handlers short).</summary>
    public event Action<WorkshopPresence>? Changed;

    /// <summary>Fetching the snapshot after a gap failed; the next delta that does not follow tries again.</summary>
    public event Action<Exception>? FetchFailed;

    /// <summary>
    /// Follows <paramref name="connection"/>'s presence pushes, and fetches the snapshot again after every reconnect
    /// (pushes sent while it was away are lost). Call <see cref="LoadAsync"/> once it is subscribed.
    /// </summary>
    public static WorkshopPresenceFollower Follow(CollabConnection connection, Func<CancellationToken, Task<WorkshopPresence>> fetch)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var follower = new WorkshopPresenceFollower(fetch);
        connection.WorkshopPresenceChanged += follower.Receive;
        connection.WorkshopPresenceDelta += follower.Receive;
        connection.Reconnected += () => _ = follower.ReloadAsync();
        return follower;
    }

    /// <summary>After a reconnect: fetches the snapshot; a failure is reported through <see cref="FetchFailed"/>, and the next gap tries again.</summary>
    private async Task ReloadAsync()
    {
        try
        {
            await LoadAsync();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // FetchFailed told the app.
        }
    }

    /// <summary>Fetches the snapshot (after subscribing, so that no change falls between it and the pushes).</summary>
    public Task LoadAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return _fetching ??= FetchAsync(cancellationToken);
        }
    }

    /// <summary>A snapshot, pushed or fetched: kept when newer than what the follower holds.</summary>
    public void Receive(WorkshopPresence snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        lock (_gate)
        {
            var before = _current;
            if (_current is null || snapshot.Version > _current.Version)
            {
                _current = snapshot;
            }

            ApplyHeld();
            Announce(before);
        }
    }

    /// <summary>A delta: applied when it follows what the follower holds, else held and the snapshot fetched.</summary>
    public void Receive(WorkshopPresenceDelta delta)
    {
        ArgumentNullException.ThrowIfNull(delta);
        lock (_gate)
        {
            var before = _current;
            if (_current?.With(delta) is { } next)
            {
                _current = next;
                Announce(before);
                return;
            }

            if (_held.Count == MaxHeld)
            {
                _held.RemoveAt(0);
            }

            _held.Add(delta);
            _fetching ??= FetchAsync(CancellationToken.None);
        }
    }

    private async Task FetchAsync(CancellationToken cancellationToken)
    {
        // Never completes inside the caller's lock: _fetching is assigned before this clears it.
        await Task.Yield();
        WorkshopPresence snapshot;
        try
        {
            snapshot = await fetch(cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            lock (_gate)
            {
                _fetching = null;
            }

            FetchFailed?.Invoke(e);
            throw;
        }

        lock (_gate)
        {
            _fetching = null;
            Fetches++;
        }

        Receive(snapshot);
    }

    /// <summary>Applies the held deltas that follow the presence now held; fetches again if some still do not.</summary>
    private void ApplyHeld()
    {
        _held.Sort((a, b) => a.Version.CompareTo(b.Version));
        for (var i = 0; i < _held.Count; i++)
        {
            if (_current?.With(_held[i]) is { } next)
            {
                _current = next;
                _held.RemoveAt(i--);
            }
        }

        if (_held.Count > 0)
        {
            _fetching ??= FetchAsync(CancellationToken.None);
        }
    }

    private void Announce(WorkshopPresence? before)
    {
        if (_current is { } now && !ReferenceEquals(now, before))
        {
            Changed?.Invoke(now);
        }
    }
}
