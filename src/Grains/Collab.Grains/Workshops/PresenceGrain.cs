using Microsoft.Extensions.Logging;
using Orleans.Utilities;

namespace Collab.Workshops;

/// <summary>
/// Workshop presence, in memory only. Per connection: who and which documents (by room). A participant is online while
/// any connection is; after their last one drops they show as reconnecting for the grace period, so a Wi-Fi blip or a
/// page reload does not make them leave and come back. Changes are pushed at most every presence interval.
/// </summary>
internal sealed class PresenceGrain(WorkshopOptions options, TimeProvider clock, ILogger<PresenceGrain> logger) : Grain, IPresenceGrain
{
    private readonly ObserverManager<IPresenceObserver> _observers = new(options.ObserverExpiry, logger);
    private readonly Dictionary<string, Connection> _connections = [];
    private readonly Dictionary<string, (Caller Caller, DateTimeOffset Since)> _dropped = [];
    private IGrainTimer? _timer;
    private bool _dirty;
    private long _version;

    private string WorkshopId => this.GetPrimaryKeyString();

    Task IPresenceGrain.ConnectAsync(string connectionId, Caller caller)
    {
        if (caller.WorkshopId == WorkshopId)
        {
            _connections[connectionId] = new Connection(caller, []);
            _dropped.Remove(caller.ParticipantId);
            Changed();
        }

        return Task.CompletedTask;
    }

    Task IPresenceGrain.LocateAsync(string connectionId, string docId, string room, bool open)
    {
        if (_connections.TryGetValue(connectionId, out var connection))
        {
            if (open)
            {
                connection.Documents[docId] = room;
            }
            else
            {
                connection.Documents.Remove(docId);
            }

            Changed();
        }

        return Task.CompletedTask;
    }

    Task IPresenceGrain.DisconnectAsync(string connectionId)
    {
        if (_connections.Remove(connectionId, out var gone))
        {
            var pid = gone.Caller.ParticipantId;
            if (_connections.Values.All(c => c.Caller.ParticipantId != pid))
            {
                _dropped[pid] = (gone.Caller, clock.GetUtcNow());
            }

            Changed();
        }

        return Task.CompletedTask;
    }

    Task<WorkshopPresence> IPresenceGrain.GetAsync(Caller caller)
    {
        if (caller.WorkshopId != WorkshopId)
        {
            throw new Errors.NotFoundException("workshop.not_found", $"There is no workshop '{WorkshopId}'.");
        }

        return Task.FromResult(Snapshot());
    }

    Task IPresenceGrain.SubscribeAsync(IPresenceObserver observer)
    {
        _observers.Subscribe(observer, observer);
        return Task.CompletedTask;
    }

    Task IPresenceGrain.UnsubscribeAsync(IPresenceObserver observer)
    {
        _observers.Unsubscribe(observer);
        return Task.CompletedTask;
    }

    private void Changed()
    {
        _dirty = true;
        _timer ??= this.RegisterGrainTimer(TickAsync, new GrainTimerCreationOptions
        {
            DueTime = options.PresenceInterval,
            Period = options.PresenceInterval,
            Interleave = true,
        });
    }

    private async Task TickAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        foreach (var (pid, (_, since)) in _dropped.ToList())
        {
            if (now - since >= options.PresenceGrace)
            {
                _dropped.Remove(pid);
                _dirty = true;
            }
        }

        if (_dirty)
        {
            _dirty = false;
            var snapshot = Snapshot();
            await _observers.Notify(o => o.WorkshopPresenceChanged(snapshot));
        }
        else if (_dropped.Count == 0)
        {
            _timer?.Dispose();
            _timer = null;
        }
    }

    private WorkshopPresence Snapshot()
    {
        var online = _connections.Values
            .GroupBy(c => c.Caller.ParticipantId)
            .Select(g =>
            {
                var caller = g.First().Caller;
                var documents = g.SelectMany(c => c.Documents).ToList();
                return new ParticipantPresence(
                    caller.ParticipantId,
                    caller.DisplayName,
                    caller.Role,
                    [.. documents.Select(d => d.Value).Distinct().Order(StringComparer.Ordinal)],
                    [.. documents.Select(d => d.Key).Distinct().Order(StringComparer.Ordinal)],
                    Reconnecting: false);
            })
            .Concat(_dropped.Values.Select(d => new ParticipantPresence(d.Caller.ParticipantId, d.Caller.DisplayName, d.Caller.Role, [], [], Reconnecting: true)))
            .OrderBy(p => p.Name, StringComparer.CurrentCultureIgnoreCase)
            .ToList();
        _version = PresenceVersions.Next(_version, clock.GetUtcNow());
        return new WorkshopPresence(WorkshopId, _version, online);
    }

    private sealed record Connection(Caller Caller, Dictionary<string, string> Documents);
}

/// <summary>
/// Versions of a state kept in memory only (presence), which pages compare to keep the newest: they must never go back
/// when the grain is activated again (a restart, a silo lost) while pages keep the highest version they saw. A version
/// is the time in milliseconds since the Unix epoch times 1,000, or the previous version plus one when that is higher:
/// a new activation starts above anything an earlier one handed out (it would have to hand out a thousand versions per
/// millisecond to catch up with the clock), and stays below 2^53, exact in JavaScript, until the year 2255.
/// </summary>
internal static class PresenceVersions
{
    public static long Next(long previous, DateTimeOffset now) => Math.Max(previous + 1, now.ToUnixTimeMilliseconds() * 1000);
}
