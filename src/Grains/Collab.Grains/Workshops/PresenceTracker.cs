namespace Collab.Workshops;

/// <summary>
/// <see cref="PresenceGrain"/>'s bookkeeping, without a silo: each connection's participant and documents (by room),
/// who is in their grace period, the entry last pushed for each participant and who was touched since. A push is a
/// delta from the last one (<see cref="TakeChange"/>), so a change of one participant costs one entry, not everyone.
/// </summary>
internal sealed class PresenceTracker(string workshopId, DateTimeOffset activated)
{
    private readonly Dictionary<string, Connection> _connections = [];
    private readonly Dictionary<string, HashSet<string>> _connectionsOf = [];
    private readonly Dictionary<string, (Caller Caller, DateTimeOffset Since)> _dropped = [];
    private readonly Dictionary<string, ParticipantPresence> _pushed = [];
    private readonly HashSet<string> _touched = [];
    private long _version = PresenceVersions.Next(0, activated);
    private long _pushedVersion = PresenceVersions.Next(0, activated);

    // A snapshot handed out since the last push holds changes no push has carried yet, maybe undone since (someone
    // came and left): the next delta then lists everyone touched, so that it applies to that snapshot too.
    private bool _handedOut;

    /// <summary>Someone changed since the last push (the push may still find nothing to say: a change undone).</summary>
    public bool Touched => _touched.Count > 0;

    /// <summary>Someone is in their grace period: a tick will have to drop them.</summary>
    public bool AnyReconnecting => _dropped.Count > 0;

    public void Connect(string connectionId, Caller caller)
    {
        Disconnected(connectionId);
        _connections[connectionId] = new Connection(caller, []);
        var pid = caller.ParticipantId;
        if (!_connectionsOf.TryGetValue(pid, out var ids))
        {
            _connectionsOf[pid] = ids = [];
        }

        ids.Add(connectionId);
        _dropped.Remove(pid);
        _touched.Add(pid);
    }

    /// <summary>The connection opened (<paramref name="open"/>) or closed a document of a room; false for an unknown connection.</summary>
    public bool Locate(string connectionId, string docId, string room, bool open)
    {
        if (!_connections.TryGetValue(connectionId, out var connection))
        {
            return false;
        }

        if (open)
        {
            connection.Documents[docId] = room;
        }
        else
        {
            connection.Documents.Remove(docId);
        }

        _touched.Add(connection.Caller.ParticipantId);
        return true;
    }

    /// <summary>The connection dropped; its participant shows as reconnecting from <paramref name="now"/> if it was their last.</summary>
    public bool Disconnect(string connectionId, DateTimeOffset now)
    {
        if (Disconnected(connectionId) is not { } gone)
        {
            return false;
        }

        if (!_connectionsOf.ContainsKey(gone.ParticipantId))
        {
            _dropped[gone.ParticipantId] = (gone, now);
        }

        return true;
    }

    /// <summary>Drops who has been reconnecting for <paramref name="grace"/> or longer.</summary>
    public void Expire(DateTimeOffset now, TimeSpan grace)
    {
        foreach (var (pid, (_, since)) in _dropped.ToList())
        {
            if (now - since >= grace)
            {
                _dropped.Remove(pid);
                _touched.Add(pid);
            }
        }
    }

    /// <summary>Everyone online now, at a version the next delta applies to (a new one if anything changed since the last push).</summary>
    public WorkshopPresence Snapshot(DateTimeOffset now)
    {
        if (_touched.Count > 0)
        {
            _version = PresenceVersions.Next(_version, now);
            _handedOut = true;
        }

        List<ParticipantPresence> online = [.. _connectionsOf.Keys.Concat(_dropped.Keys).Select(pid => Entry(pid)!)];
        online.Sort(ParticipantPresence.Order);
        return new WorkshopPresence(workshopId, _version, online);
    }

    /// <summary>
    /// What to push for the changes since the last push: a delta, or the snapshot when the delta would list more
    /// participants than the snapshot; null when nothing changed.
    /// </summary>
    public PresencePush? TakeChange(DateTimeOffset now)
    {
        if (_touched.Count == 0)
        {
            return null;
        }

        List<ParticipantPresence> changed = [];
        List<string> gone = [];
        foreach (var pid in _touched)
        {
            var before = _pushed.GetValueOrDefault(pid);
            if (Entry(pid) is { } entry)
            {
                if (_handedOut || before is null || !entry.SameAs(before))
                {
                    changed.Add(entry);
                }

                _pushed[pid] = entry;
            }
            else
            {
                if (_handedOut || before is not null)
                {
                    gone.Add(pid);
                }

                _pushed.Remove(pid);
            }
        }

        _touched.Clear();
        _handedOut = false;
        if (changed.Count == 0 && gone.Count == 0)
        {
            return null;
        }

        var baseVersion = _pushedVersion;
        _version = _pushedVersion = PresenceVersions.Next(_version, now);
        if (changed.Count + gone.Count > _pushed.Count)
        {
            List<ParticipantPresence> online = [.. _pushed.Values];
            online.Sort(ParticipantPresence.Order);
            return new PresencePush(null, new WorkshopPresence(workshopId, _version, online));
        }

        changed.Sort(ParticipantPresence.Order);
        gone.Sort(StringComparer.Ordinal);
        return new PresencePush(new WorkshopPresenceDelta(workshopId, _version, baseVersion, changed, gone), null);
    }

    /// <summary>Forgets a connection; its caller, or null for an unknown one.</summary>
    private Caller? Disconnected(string connectionId)
    {
        if (!_connections.Remove(connectionId, out var gone))
        {
            return null;
        }

        var pid = gone.Caller.ParticipantId;
        var ids = _connectionsOf[pid];
        ids.Remove(connectionId);
        if (ids.Count == 0)
        {
            _connectionsOf.Remove(pid);
        }

        _touched.Add(pid);
        return gone.Caller;
    }

    /// <summary>A participant's entry now: over all their connections, reconnecting, or null when gone.</summary>
    private ParticipantPresence? Entry(string pid)
    {
        if (_connectionsOf.TryGetValue(pid, out var ids))
        {
            var connections = ids.Select(id => _connections[id]).ToList();
            var caller = connections[0].Caller;
            var documents = connections.SelectMany(c => c.Documents).ToList();
            return new ParticipantPresence(
                caller.ParticipantId,
                caller.DisplayName,
                caller.Role,
                [.. documents.Select(d => d.Value).Distinct().Order(StringComparer.Ordinal)],
                [.. documents.Select(d => d.Key).Distinct().Order(StringComparer.Ordinal)],
                Reconnecting: false);
        }

        return _dropped.TryGetValue(pid, out var dropped)
            ? new ParticipantPresence(pid, dropped.Caller.DisplayName, dropped.Caller.Role, [], [], Reconnecting: true)
            : null;
    }

    private sealed record Connection(Caller Caller, Dictionary<string, string> Documents);
}

/// <summary>One push of workshop presence: a delta, or (when that would be longer) the whole snapshot.</summary>
internal sealed record PresencePush(WorkshopPresenceDelta? Delta, WorkshopPresence? Snapshot);
