using System.Diagnostics;

namespace Collab.Bench;

/// <summary>
/// Runs every client's keystrokes on a few loops (one per core) instead of a timer per client: each loop keeps its
/// clients in a queue ordered by their next keystroke and sleeps only until the earliest one. Thousands of
/// <see cref="Task.Delay(TimeSpan)"/> timers per second contended on the runtime's timer lock and cost the generator
/// more than the edits themselves. A loop never waits less than a millisecond: <see cref="Task.Delay(TimeSpan)"/>
/// rounds a shorter wait down to none and completes at once, so the loop would spin on the clock until the next
/// keystroke (it did: a fifth of the generator's CPU went to reading the clock, taken from the server beside it).
/// Keystrokes due within the next millisecond are typed together instead, up to a millisecond early; latencies are
/// timed from the moment each one is sent, so that moves no figure.
/// </summary>
internal static class EditScheduler
{
    private static readonly long Tick = Stopwatch.Frequency / 1000;

    public static Task RunAsync(IReadOnlyList<SimulatedClient> clients, long start, long stop, double rate, CancellationToken cancellationToken)
    {
        var mean = Stopwatch.Frequency / rate;
        var loops = Math.Max(1, Math.Min(Environment.ProcessorCount, clients.Count));
        return Task.WhenAll(Enumerable.Range(0, loops).Select(loop =>
            Task.Run(() => LoopAsync([.. clients.Where((_, i) => i % loops == loop)], start, stop, mean, cancellationToken), cancellationToken)));
    }

    private static async Task LoopAsync(List<SimulatedClient> clients, long start, long stop, double mean, CancellationToken cancellationToken)
    {
        var due = new PriorityQueue<SimulatedClient, long>(clients.Count);
        foreach (var client in clients)
        {
            client.Schedule(start, mean);
            due.Enqueue(client, client.NextEditAt);
        }

        while (due.TryPeek(out _, out var next) && next < stop && !cancellationToken.IsCancellationRequested)
        {
            var wait = next - Stopwatch.GetTimestamp();
            if (wait >= Tick)
            {
                await Task.Delay(TimeSpan.FromSeconds(wait / (double)Stopwatch.Frequency), cancellationToken);
            }

            // Everyone due within the next millisecond types now, earliest first; a client whose next keystroke falls
            // after the end is done.
            var now = Stopwatch.GetTimestamp();
            while (due.TryPeek(out var client, out var at) && at < now + Tick && at < stop)
            {
                due.Dequeue();
                client.EditAndReschedule(now, mean);
                due.Enqueue(client, client.NextEditAt);
            }
        }
    }
}
