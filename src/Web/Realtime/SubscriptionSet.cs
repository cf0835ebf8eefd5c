using System.Collections.Concurrent;
using System.Threading.Channels;

namespace Collab.Web.Realtime;

/// <summary>
/// A web node's ref-counted grain subscriptions: subscribe when the first local connection becomes interested in a
/// key, unsubscribe after the last one leaves, and list the keys for renewal. Subscribing and unsubscribing one key run
/// one at a time (a key is never unsubscribed while another connection is subscribing to it); different keys never wait
/// for each other, so a call stuck on a silo that just died holds back only the connections of that one key.
/// </summary>
internal sealed class SubscriptionSet<TKey>(Func<TKey, Task> subscribe, Func<TKey, Task> unsubscribe, Action<Exception, TKey> unsubscribeFailed)
    where TKey : notnull
{
    // Guarded by locking the dictionary. An entry lives while it has interest or someone is waiting for its gate.
    private readonly Dictionary<TKey, Entry> _entries = [];

    // Keys to subscribe again promptly, with when to give up; guarded by locking _entries.
    private readonly Dictionary<TKey, DateTime> _soon = [];

    // Wakes the renewal loop when keys are asked for.
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public async Task AcquireAsync(TKey key)
    {
        var entry = Enter(key);
        try
        {
            await entry.Gate.WaitAsync();
            try
            {
                if (Interest(entry) == 0)
                {
                    await subscribe(key);
                }

                lock (_entries)
                {
                    entry.Interest++;
                }
            }
            finally
            {
                entry.Gate.Release();
            }
        }
        finally
        {
            Leave(key, entry);
        }
    }

    /// <summary>
    /// Drops one interest; true when it was the last (the subscription is gone). Never fails for the cluster: this node
    /// stops forwarding at once, and a grain that could not be told forgets the node at its observer expiry. (A failure
    /// here used to end a disconnecting connection's clean-up half way, leaking its other subscriptions.)
    /// </summary>
    public async Task<bool> ReleaseAsync(TKey key)
    {
        var entry = Enter(key);
        try
        {
            await entry.Gate.WaitAsync();
            try
            {
                lock (_entries)
                {
                    if (entry.Interest == 0)
                    {
                        return false;
                    }

                    if (--entry.Interest > 0)
                    {
                        return false;
                    }
                }

                try
                {
                    await unsubscribe(key);
                }
                catch (Exception e)
                {
                    unsubscribeFailed(e, key);
                }

                return true;
            }
            finally
            {
                entry.Gate.Release();
            }
        }
        finally
        {
            Leave(key, entry);
        }
    }

    /// <summary>How many local interests <paramref name="key"/> has now (read without waiting for a subscribe in progress).</summary>
    public int InterestIn(TKey key)
    {
        lock (_entries)
        {
            return _entries.TryGetValue(key, out var entry) ? entry.Interest : 0;
        }
    }

    /// <summary>The keys with local interest now.</summary>
    public TKey[] Keys()
    {
        lock (_entries)
        {
            return [.. _entries.Where(e => e.Value.Interest > 0).Select(e => e.Key)];
        }
    }

    /// <summary>
    /// Subscribes again to <paramref name="keys"/>, all at once, each call bounded by <paramref name="perCall"/>: a call
    /// stuck on a silo that just died must not hold back the others (their grains may already live on another silo). A
    /// key nobody is interested in any more, or whose subscribe or unsubscribe is under way, is skipped (that call reaches
    /// the grain anyway). Every failure is reported to <paramref name="failed"/> and never thrown: renewal is a background
    /// duty, and it is tried again. Returns the keys that could not be renewed.
    /// </summary>
    public async Task<IReadOnlyCollection<TKey>> RenewAsync(
        IEnumerable<TKey> keys, TimeSpan perCall, Action<Exception, TKey> failed, CancellationToken cancellationToken)
    {
        var failures = new ConcurrentDictionary<TKey, bool>();
        await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (key, ct) =>
        {
            var entry = Enter(key);
            try
            {
                if (!entry.Gate.Wait(0))
                {
                    return;
                }

                try
                {
                    if (Interest(entry) > 0)
                    {
                        await subscribe(key).WaitAsync(perCall, ct);
                    }
                }
                finally
                {
                    entry.Gate.Release();
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // The node is stopping.
            }
            catch (Exception e)
            {
                // Whatever it is (a silo died, the database blinked, a grain refused), it is tried again; meanwhile
                // clients catch up from versions and revisions.
                failures[key] = true;
                failed(e, key);
            }
            finally
            {
                Leave(key, entry);
            }
        });
        return [.. failures.Keys];
    }

    /// <summary>
    /// Asks for <paramref name="keys"/> (every key when null) to be subscribed again promptly rather than at the next
    /// periodic renewal: their grain may have a new activation that does not know this node (a silo died, the cluster
    /// changed, the grain said it is going away). <see cref="RunRenewalsAsync"/> retries each until it succeeds or
    /// <see cref="PromptWindow"/> has passed.
    /// </summary>
    public void RenewSoon(IEnumerable<TKey>? keys = null)
    {
        var until = DateTime.UtcNow + PromptWindow;
        lock (_entries)
        {
            foreach (var key in keys ?? _entries.Where(e => e.Value.Interest > 0).Select(e => e.Key))
            {
                _soon[key] = until;
            }
        }

        _wake.Writer.TryWrite(true);
    }

    /// <summary>
    /// How long a key asked for by <see cref="RenewSoon"/> is retried, every <see cref="PromptPace"/>, before it is left
    /// to the periodic renewal.
    /// </summary>
    public static TimeSpan PromptWindow { get; } = TimeSpan.FromSeconds(60);

    /// <summary>The pause between two prompt rounds (each call of a round is bounded anyway).</summary>
    public static TimeSpan PromptPace { get; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The renewal loop of a web node: every key every <paramref name="period"/> (below the grains' observer expiry), and
    /// the keys asked for by <see cref="RenewSoon"/> every <see cref="PromptPace"/> until each succeeds. A key whose
    /// periodic renewal fails is retried promptly too. Never throws but when <paramref name="stoppingToken"/> is cancelled.
    /// </summary>
    public async Task RunRenewalsAsync(
        TimeSpan period, Action<Exception, TKey> failed, Action<Exception, TKey> failedPromptly, CancellationToken stoppingToken)
    {
        var perCall = period < TimeSpan.FromSeconds(5) ? period : TimeSpan.FromSeconds(5);
        var nextFull = DateTime.UtcNow + period;
        var lastPrompt = DateTime.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            var now = DateTime.UtcNow;
            bool prompt;
            lock (_entries)
            {
                prompt = _soon.Count > 0;
            }

            var due = prompt ? Min(lastPrompt + PromptPace, nextFull) : nextFull;
            if (due > now)
            {
                await WakeOrTimeoutAsync(due - now, stoppingToken);
                continue;
            }

            TKey[] keys;
            var full = now >= nextFull;
            if (full)
            {
                nextFull = now + period;
                keys = Keys();
            }
            else
            {
                lastPrompt = now;
                lock (_entries)
                {
                    foreach (var expired in _soon.Where(s => s.Value < now).Select(s => s.Key).ToList())
                    {
                        _soon.Remove(expired);
                    }

                    keys = [.. _soon.Keys];
                }
            }

            var failures = (await RenewAsync(keys, perCall, full ? failed : failedPromptly, stoppingToken)).ToHashSet();
            lock (_entries)
            {
                foreach (var key in keys)
                {
                    if (!failures.Contains(key))
                    {
                        _soon.Remove(key);
                    }
                    else if (full && !_soon.ContainsKey(key))
                    {
                        _soon[key] = now + PromptWindow;
                    }
                }
            }
        }
    }

    private async Task WakeOrTimeoutAsync(TimeSpan timeout, CancellationToken stoppingToken)
    {
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeoutSource.CancelAfter(timeout);
        try
        {
            await _wake.Reader.ReadAsync(timeoutSource.Token);
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            // The time is up.
        }
    }

    private static DateTime Min(DateTime a, DateTime b) => a < b ? a : b;

    private int Interest(Entry entry)
    {
        lock (_entries)
        {
            return entry.Interest;
        }
    }

    private Entry Enter(TKey key)
    {
        lock (_entries)
        {
            if (!_entries.TryGetValue(key, out var entry))
            {
                entry = new Entry();
                _entries[key] = entry;
            }

            entry.Users++;
            return entry;
        }
    }

    private void Leave(TKey key, Entry entry)
    {
        lock (_entries)
        {
            if (--entry.Users == 0 && entry.Interest == 0)
            {
                _entries.Remove(key);
                entry.Gate.Dispose();
            }
        }
    }

    private sealed class Entry
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);

        /// <summary>Local connections subscribed through this node.</summary>
        public int Interest { get; set; }

        /// <summary>Calls holding or waiting for <see cref="Gate"/>; the entry is dropped when none is left and nobody is interested.</summary>
        public int Users { get; set; }
    }
}
