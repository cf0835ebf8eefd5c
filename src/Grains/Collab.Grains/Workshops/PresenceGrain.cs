using Microsoft.Extensions.Logging;
using Orleans.Utilities;

namespace Collab.Workshops;

/// <summary>
/// Workshop presence, in memory only. Per connection: who and which documents (by room). A participant is online while
/// any connection is; after their last one drops they show as reconnecting for the grace period, so a Wi-Fi blip or a
/// page reload does not make them leave and come back. Changes are pushed at most every presence interval, as a delta
/// from the previous push (<see cref="PresenceTracker"/>): filling a workshop of n people costs O(n) entries per
/// push, not O(n) snapshots of n entries.
/// </summary>
internal sealed class PresenceGrain(WorkshopOptions options, TimeProvider clock, ILogger<PresenceGrain> logger) : Grain, IPresenceGrain
{
    private readonly ObserverManager<IPresenceObserver> _observers = new(options.ObserverExpiry, logger);
    private PresenceTracker? _presence;
    private IGrainTimer? _timer;

    private string WorkshopId => this.GetPrimaryKeyString();

    // Versions start from the activation's clock, above any an earlier activation handed out (PresenceVersions).
    private PresenceTracker Presence => _presence ??= new PresenceTracker(WorkshopId, clock.GetUtcNow());

    Task IPresenceGrain.ConnectAsync(string connectionId, Caller caller)
    {
        if (caller.WorkshopId == WorkshopId)
        {
            Presence.Connect(connectionId, caller);
            Changed();
        }

        return Task.CompletedTask;
    }

    Task IPresenceGrain.LocateAsync(string connectionId, string docId, string room, bool open)
    {
        if (Presence.Locate(connectionId, docId, room, open))
        {
            Changed();
        }

        return Task.CompletedTask;
    }

    Task IPresenceGrain.DisconnectAsync(string connectionId)
    {
        if (Presence.Disconnect(connectionId, clock.GetUtcNow()))
        {
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

        return Task.FromResult(Presence.Snapshot(clock.GetUtcNow()));
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

    private void Changed() =>
        _timer ??= this.RegisterGrainTimer(TickAsync, new GrainTimerCreationOptions
        {
            DueTime = options.PresenceInterval,
            Period = options.PresenceInterval,
            Interleave = true,
        });

    private async Task TickAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        Presence.Expire(now, options.PresenceGrace);
        var touched = Presence.Touched;

        // The tracker's state is settled before the await: a call interleaving with the notification starts the next delta.
        switch (Presence.TakeChange(now))
        {
            case { Delta: { } delta }:
                await _observers.Notify(o => o.WorkshopPresenceDelta(delta));
                break;
            case { Snapshot: { } snapshot }:
                await _observers.Notify(o => o.WorkshopPresenceChanged(snapshot));
                break;
            case null when !touched && !Presence.AnyReconnecting:
                _timer?.Dispose();
                _timer = null;
                break;
        }
    }
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
