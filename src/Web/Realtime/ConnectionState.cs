using Microsoft.AspNetCore.SignalR;

namespace Collab.Web.Realtime;

/// <summary>
/// Per-connection state kept in <see cref="HubCallerContext.Items"/>: open documents, watched sessions and the call
/// budgets (token buckets per connection, never per IP: a venue puts everyone behind one address).
/// </summary>
internal sealed class ConnectionState
{
    private ConnectionState(RealtimeOptions options)
    {
        Ops = new TokenBucket(options.OpsPerSecond, options.OpsBurst);
        Calls = new TokenBucket(options.CallsPerSecond, options.CallsBurst);
        Presence = new TokenBucket(options.PresencePerSecond, options.PresenceBurst);
    }

    /// <summary>Documents the connection has open (guarded by locking the set).</summary>
    public HashSet<string> OpenDocuments { get; } = [];

    /// <summary>Sessions the connection watches (guarded by locking the set).</summary>
    public HashSet<string> WatchedSessions { get; } = [];

    /// <summary><c>SubmitOp</c>.</summary>
    public TokenBucket Ops { get; }

    /// <summary>Every other invocation that may reach a grain (open, close, watch, unwatch, enter).</summary>
    public TokenBucket Calls { get; }

    /// <summary><c>UpdatePresence</c>.</summary>
    public TokenBucket Presence { get; }

    public static ConnectionState Of(HubCallerContext context, RealtimeOptions options)
    {
        if (!context.Items.TryGetValue(typeof(ConnectionState), out var state) || state is not ConnectionState known)
        {
            known = new ConnectionState(options);
            context.Items[typeof(ConnectionState)] = known;
        }

        return known;
    }

    public bool IsOpen(string docId)
    {
        lock (OpenDocuments)
        {
            return OpenDocuments.Contains(docId);
        }
    }

    /// <summary>A token bucket: <c>burst</c> tokens, refilled at <c>perSecond</c>.</summary>
    internal sealed class TokenBucket(double perSecond, int burst)
    {
        private readonly object _lock = new();
        private double _tokens = burst;
        private long _refilledAt = Environment.TickCount64;

        public double PerSecond => perSecond;

        public bool TryTake()
        {
            lock (_lock)
            {
                var now = Environment.TickCount64;
                _tokens = Math.Min(burst, _tokens + ((now - _refilledAt) / 1000.0 * perSecond));
                _refilledAt = now;
                if (_tokens < 1)
                {
                    return false;
                }

                _tokens--;
                return true;
            }
        }
    }
}
