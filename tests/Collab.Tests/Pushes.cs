namespace Collab.Tests;

/// <summary>
/// Every push of one kind a client received, in arrival order, and a way to await the first that matches: tests wait
/// for the push they expect (with a timeout that says what it was), never for a fixed time.
/// </summary>
public sealed class Pushes<T>
{
    /// <summary>How long a test waits for a push before it fails.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly List<T> _received = [];
    private readonly List<(Func<T, bool> Match, TaskCompletionSource<T> Found)> _waiting = [];

    /// <summary>Records a push; subscribe it to a client event (<c>connection.SessionChanged += pushes.Add</c>).</summary>
    public void Add(T push)
    {
        var found = new List<(TaskCompletionSource<T> Found, T Push)>();
        lock (_received)
        {
            _received.Add(push);
            for (var i = _waiting.Count - 1; i >= 0; i--)
            {
                if (_waiting[i].Match(push))
                {
                    found.Add((_waiting[i].Found, push));
                    _waiting.RemoveAt(i);
                }
            }
        }

        foreach (var (waiter, value) in found)
        {
            waiter.TrySetResult(value);
        }
    }

    /// <summary>Everything received so far.</summary>
    public IReadOnlyList<T> Received
    {
        get
        {
            lock (_received)
            {
                return [.. _received];
            }
        }
    }

    /// <summary>The first push (already received or still to come) matching <paramref name="match"/>.</summary>
    public async Task<T> FirstAsync(Func<T, bool> match, string expected, TimeSpan? timeout = null)
    {
        var patience = timeout ?? Patience;
        var found = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_received)
        {
            foreach (var push in _received)
            {
                if (match(push))
                {
                    return push;
                }
            }

            _waiting.Add((match, found));
        }

        try
        {
            return await found.Task.WaitAsync(patience);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Timed out after {patience.TotalSeconds:0} s waiting for {expected} ({Received.Count} {typeof(T).Name} pushes received, none matched).");
        }
    }
}
