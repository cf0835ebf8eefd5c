using Microsoft.Extensions.Logging;
using Orleans.Utilities;

namespace Collab.Storage;

/// <summary>
/// The web nodes a grain pushes to (one observer per node), kept in memory as <see cref="ObserverManager{T}"/> does and
/// also stored, so that a new activation of the grain (after its silo died, or a second activation that a cluster
/// change let appear) pushes to them from its first event, without waiting for each node to subscribe again. The set
/// is written only when a node joins or leaves it (renewals change nothing stored); a node that died without leaving
/// expires as in memory, at the first write after that.
/// </summary>
internal sealed partial class DurableObservers<T> where T : class, IGrainObserver
{
    private readonly IPersistentState<ObserverSetState<T>> _state;
    private readonly ObserverManager<T> _observers;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _writing = new(1, 1);
    private bool _dirty;

    public DurableObservers(IPersistentState<ObserverSetState<T>> state, TimeSpan expiry, ILogger logger)
    {
        _state = state;
        _observers = new ObserverManager<T>(expiry, logger);
        _logger = logger;
    }

    public int Count => _observers.Count;

    /// <summary>
    /// On activation: every node that had subscribed to an earlier activation is pushed to from now on, until it expires
    /// without renewing. Answers them (e.g. to tell them where the grain stands).
    /// </summary>
    public IReadOnlyList<T> Restore()
    {
        foreach (var observer in _state.State.Observers)
        {
            _observers.Subscribe(observer, observer);
        }

        return _state.State.Observers;
    }

    /// <summary>Subscribes or renews <paramref name="observer"/>; true when it is new to this activation.</summary>
    public async Task<bool> SubscribeAsync(T observer)
    {
        var known = _observers.Observers.ContainsKey(observer);
        _observers.Subscribe(observer, observer);
        if (!known && !_state.State.Observers.Contains(observer))
        {
            await StoreAsync();
        }

        return !known;
    }

    public async Task UnsubscribeAsync(T observer)
    {
        _observers.Unsubscribe(observer);
        if (_state.State.Observers.Contains(observer))
        {
            await StoreAsync();
        }
    }

    public Task Notify(Func<T, Task> notification) => _observers.Notify(notification);

    /// <summary>
    /// Stores the set as it is in memory. One write at a time (subscriptions interleave); a write waiting for another
    /// is skipped when that one already stored the latest set. A failed write is logged, not thrown: the subscription
    /// holds in memory, and the node's next renewal is the fallback for a later activation.
    /// </summary>
    private async Task StoreAsync()
    {
        _dirty = true;
        await _writing.WaitAsync();
        try
        {
            if (!_dirty)
            {
                return;
            }

            _dirty = false;
            _state.State.Observers = [.. _observers.Observers.Values];
            await _state.WriteStateAsync();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogStoreFailed(_logger, e, typeof(T).Name);
        }
        finally
        {
            _writing.Release();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Storing the {Observer} subscribers failed; a later activation learns them from their renewals")]
    private static partial void LogStoreFailed(ILogger logger, Exception error, string observer);
}

/// <summary>Persisted state of <see cref="DurableObservers{T}"/>: the web nodes' observer references.</summary>
[GenerateSerializer, Alias("collab.ObserverSetState`1")]
internal sealed class ObserverSetState<T> where T : class, IGrainObserver
{
    [Id(0)] public List<T> Observers { get; set; } = [];
}
