using Microsoft.AspNetCore.SignalR;

namespace Collab.Web.Realtime;

/// <summary>Per-connection state kept in <see cref="HubCallerContext.Items"/>: open documents and the op budget.</summary>
internal sealed class ConnectionState
{
    private readonly object _lock = new();
    private double _tokens;
    private long _refilledAt;

    private ConnectionState(RealtimeOptions options)
    {
        _tokens = options.OpsBurst;
        _refilledAt = Environment.TickCount64;
    }

    public HashSet<string> OpenDocuments { get; } = [];

    /// <summary>Sessions the connection watches (guarded by locking the set).</summary>
    public HashSet<string> WatchedSessions { get; } = [];

    public static ConnectionState Of(HubCallerContext context, RealtimeOptions options)
    {
        if (!context.Items.TryGetValue(typeof(ConnectionState), out var state) || state is not ConnectionState known)
        {
            known = new ConnectionState(options);
            context.Items[typeof(ConnectionState)] = known;
        }

        return known;
    }

    /// <summary>Token bucket per connection (never per IP: a venue puts everyone behind one address).</summary>
    public bool TryTakeOp(RealtimeOptions options)
    {
        lock (_lock)
        {
            var now = Environment.TickCount64;
            _tokens = Math.Min(options.OpsBurst, _tokens + ((now - _refilledAt) / 1000.0 * options.OpsPerSecond));
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
