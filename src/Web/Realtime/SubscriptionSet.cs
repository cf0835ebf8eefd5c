namespace Collab.Web.Realtime;

/// <summary>
/// A web node's ref-counted grain subscriptions: subscribe when the first local connection becomes interested in a
/// key, unsubscribe after the last one leaves, and list the keys for renewal. Subscribing and unsubscribing run one at
/// a time, so a key is never unsubscribed while another connection is subscribing to it.
/// </summary>
internal sealed class SubscriptionSet(Func<string, Task> subscribe, Func<string, Task> unsubscribe) : IDisposable
{
    private readonly Dictionary<string, int> _interest = [];
    private readonly SemaphoreSlim _gate = new(1, 1);

    public async Task AcquireAsync(string key)
    {
        await _gate.WaitAsync();
        try
        {
            _interest.TryGetValue(key, out var count);
            if (count == 0)
            {
                await subscribe(key);
            }

            lock (_interest)
            {
                _interest[key] = count + 1;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Drops one interest; true when it was the last (the subscription is gone).</summary>
    public async Task<bool> ReleaseAsync(string key)
    {
        await _gate.WaitAsync();
        try
        {
            if (!_interest.TryGetValue(key, out var count))
            {
                return false;
            }

            lock (_interest)
            {
                if (count > 1)
                {
                    _interest[key] = count - 1;
                    return false;
                }

                _interest.Remove(key);
            }

            await unsubscribe(key);
            return true;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>How many local interests <paramref name="key"/> has now (read without waiting for a subscribe in progress).</summary>
    public int InterestIn(string key)
    {
        lock (_interest)
        {
            return _interest.GetValueOrDefault(key);
        }
    }

    public async Task<string[]> KeysAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            return [.. _interest.Keys];
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Subscribes again to every key, all at once, each call bounded by <paramref name="perCall"/>: a call stuck on a silo
    /// that just died must not hold back the others (their grains may already live on another silo).
    /// </summary>
    public async Task RenewAsync(TimeSpan perCall, Action<Exception, string> failed, CancellationToken cancellationToken)
    {
        var keys = await KeysAsync(cancellationToken);
        await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (key, ct) =>
        {
            try
            {
                await subscribe(key).WaitAsync(perCall, ct);
            }
            catch (Exception e) when (e is OrleansException or TimeoutException)
            {
                // The next round tries again; meanwhile clients catch up from versions and revisions.
                failed(e, key);
            }
        });
    }

    public void Dispose() => _gate.Dispose();
}
