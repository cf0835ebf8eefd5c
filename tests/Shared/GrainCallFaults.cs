using Orleans;

namespace Collab.Testing;

/// <summary>Records the grains the web node calls, and fails the calls to one grain's method with a chosen exception while armed.</summary>
public sealed class GrainCallFaults : IOutgoingGrainCallFilter
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _called = new();
    private volatile Func<IOutgoingGrainCallContext, Exception?> _fault = _ => null;
    private volatile Task? _hold;

    /// <summary>The keys of every grain called so far, in order.</summary>
    public IReadOnlyList<string> CalledKeys => [.. _called];

    /// <summary>From now on, calls of <paramref name="method"/> on the grain with key <paramref name="key"/> throw <paramref name="error"/>.</summary>
    public IDisposable Fail(string method, string key, Func<Exception> error)
    {
        _fault = call => call.InterfaceMethod?.Name == method && call.TargetId.Key.ToString() == key ? error() : null;
        return new Disarm(this);
    }

    /// <summary>
    /// The next <paramref name="times"/> calls of <typeparamref name="TGrain"/>'s <paramref name="method"/> on the grain
    /// with key <paramref name="key"/> throw <paramref name="error"/> (every one while <paramref name="times"/> is null),
    /// each once <paramref name="until"/> has completed when it is given (a silo slow to answer); the handle counts them.
    /// </summary>
    public Armed Fail<TGrain>(string method, string key, Func<Exception> error, int? times = null, Task? until = null)
    {
        var armed = new Armed(this);
        _hold = until;
        _fault = call =>
            call.InterfaceMethod is { } called && called.Name == method && called.DeclaringType == typeof(TGrain)
            && call.TargetId.Key.ToString() == key && armed.Take(times) ? error() : null;
        return armed;
    }

    public Task Invoke(IOutgoingGrainCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _called.Enqueue(context.TargetId.Key.ToString() ?? "");
        if (_fault(context) is not { } error)
        {
            return context.Invoke();
        }

        return _hold is { } hold ? ThrowWhenAsync(hold, error) : Task.FromException(error);
    }

    private static async Task ThrowWhenAsync(Task hold, Exception error)
    {
        await hold;
        throw error;
    }

    private sealed class Disarm(GrainCallFaults faults) : IDisposable
    {
        public void Dispose() => faults._fault = _ => null;
    }

    /// <summary>A fault armed by <see cref="Fail{TGrain}"/>: how many calls it failed; disposing it disarms it.</summary>
    public sealed class Armed(GrainCallFaults faults) : IDisposable
    {
        private int _failed;

        public int Failed => Volatile.Read(ref _failed);

        public void Dispose()
        {
            faults._fault = _ => null;
            faults._hold = null;
        }

        private readonly TaskCompletionSource _taken = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Completes when the first call is taken (and, with a hold, is waiting for it).</summary>
        public Task Taken => _taken.Task;

        internal bool Take(int? times)
        {
            var failed = Interlocked.Increment(ref _failed);
            if (times is { } most && failed > most)
            {
                Interlocked.Decrement(ref _failed);
                return false;
            }

            _taken.TrySetResult();
            return true;
        }
    }
}
