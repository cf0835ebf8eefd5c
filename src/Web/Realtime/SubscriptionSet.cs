namespace Collab.Web.Realtime;

/// <summary>
/// A web node's ref-counted grain subscriptions: subscribe when the first local connection becomes interested in a
/// key, unsubscribe after the last one leaves, and list the keys for renewal. Subscribing and unsubscribing one key run
/// one at a time (a key is never unsubscribed while another connection is subscribing to it); different keys never wait
/// for each other, so a call stuck on a silo that just died holds back only the connections of that one key.
/// </summary>
internal sealed class SubscriptionSet(Func<string, Task> subscribe, Func<string, Task> unsubscribe)
{
    // Guarded by locking the dictionary. An entry lives while it has interest or someone is waiting for its gate.
    private readonly Dictionary<string, Entry> _entries = [];

    public async Task AcquireAsync(string key)
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

    /// <summary>Drops one interest; true when it was the last (the subscription is gone).</summary>
    public async Task<bool> ReleaseAsync(string key)
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

                await unsubscribe(key);
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
    public int InterestIn(string key)
    {
        lock (_entries)
        {
            return _entries.TryGetValue(key, out var entry) ? entry.Interest : 0;
        }
    }

    /// <summary>The keys with local interest now.</summary>
    public string[] Keys()
    {
        lock (_entries)
        {
            return [.. _entries.Where(e => e.Value.Interest > 0).Select(e => e.Key)];
        }
    }

    /// <summary>
    /// Subscribes again to every key, all at once, each call bounded by <paramref name="perCall"/>: a call stuck on a silo
    /// that just died must not hold back the others (their grains may already live on another silo). A key whose
    /// subscribe or unsubscribe is under way is skipped (that call reaches the grain anyway). Every failure is reported
    /// to <paramref name="failed"/> and never thrown: renewal is a background duty, and the next round tries again.
    /// Returns how many keys could not be renewed.
    /// </summary>
    public async Task<int> RenewAsync(TimeSpan perCall, Action<Exception, string> failed, CancellationToken cancellationToken)
    {
        var failures = 0;
        await Parallel.ForEachAsync(Keys(), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (key, ct) =>
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
                // Whatever it is (a silo died, the database blinked, a grain refused), the next round tries again;
                // meanwhile clients catch up from versions and revisions.
                Interlocked.Increment(ref failures);
                failed(e, key);
            }
            finally
            {
                Leave(key, entry);
            }
        });
        return failures;
    }

    private int Interest(Entry entry)
    {
        lock (_entries)
        {
            return entry.Interest;
        }
    }

    private Entry Enter(string key)
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

    private void Leave(string key, Entry entry)
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
