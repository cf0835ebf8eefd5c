using Microsoft.AspNetCore.SignalR;

namespace Collab.Web.Realtime;

/// <summary>
/// Lets one connection's hub calls run side by side (<see cref="RealtimeOptions.ParallelInvocationsPerConnection"/>)
/// while keeping, for the calls about one document (or one session), the order the client sent them in. A call stuck
/// on a silo that just died then holds up only the calls about its own document, not the participant's other documents,
/// presence or session; and a client may still send <c>CloseDocument</c> then <c>OpenDocument</c> (or <c>OpenDocument</c>
/// then <c>SubmitOp</c>) without awaiting the first: they run in that order, as when SignalR ran one call at a time.
/// <c>UpdatePresence</c> (best effort, one-way to the grain) and <c>EnterWorkshop</c> (a read) wait for nothing; any
/// other method waits for the connection's earlier calls of the same kind. The connection's <c>OnDisconnectedAsync</c>
/// runs after its calls have finished, so that they cannot take a subscription after it released them.
/// </summary>
internal sealed class InvocationOrderFilter(RealtimeOptions options) : IHubFilter
{
    private const string LanesItem = "collab.invocation.lanes";

    public async Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
    {
        // Made before any call can run, so that two calls running at once never each make their own.
        context.Context.Items[LanesItem] = new Lanes();
        ConnectionState.Of(context.Context, options);
        await next(context);
    }

    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        if (LaneOf(invocationContext) is not { } lane || !invocationContext.Context.Items.TryGetValue(LanesItem, out var item) || item is not Lanes lanes)
        {
            return await next(invocationContext);
        }

        var (previous, mine) = lanes.Enter(lane);
        try
        {
            await previous;
            return await next(invocationContext);
        }
        finally
        {
            lanes.Leave(lane, mine);
        }
    }

    public async Task OnDisconnectedAsync(HubLifetimeContext context, Exception? exception, Func<HubLifetimeContext, Exception?, Task> next)
    {
        if (context.Context.Items.TryGetValue(LanesItem, out var item) && item is Lanes lanes)
        {
            await lanes.IdleAsync();
        }

        await next(context, exception);
    }

    /// <summary>Which calls a call must follow: those about the same document or session; null for none.</summary>
    private static string? LaneOf(HubInvocationContext invocation) => invocation.HubMethodName switch
    {
        nameof(CollabHub.UpdatePresence) or nameof(CollabHub.EnterWorkshop) => null,
        _ => invocation.HubMethodArguments switch
        {
            [IDocumentRequest { DocId: var docId }, ..] => "document:" + docId,
            [WatchSessionRequest { SessionId: var sessionId }, ..] => "session:" + sessionId,
            _ => "",
        },
    };

    /// <summary>Per lane, the call that runs last; the calls under way.</summary>
    private sealed class Lanes
    {
        private readonly Dictionary<string, Task> _tails = new(StringComparer.Ordinal);
        private readonly HashSet<Task> _running = [];

        public (Task Previous, TaskCompletionSource Mine) Enter(string lane)
        {
            var mine = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (this)
            {
                var previous = _tails.GetValueOrDefault(lane) ?? Task.CompletedTask;
                _tails[lane] = mine.Task;
                _running.Add(mine.Task);
                return (previous, mine);
            }
        }

        public void Leave(string lane, TaskCompletionSource mine)
        {
            lock (this)
            {
                _running.Remove(mine.Task);
                if (_tails.TryGetValue(lane, out var tail) && tail == mine.Task)
                {
                    _tails.Remove(lane);
                }
            }

            mine.SetResult();
        }

        public Task IdleAsync()
        {
            lock (this)
            {
                return Task.WhenAll(_running);
            }
        }
    }
}
