using System.Collections.Concurrent;
using System.Diagnostics;

namespace Collab.Bench;

/// <summary>
/// One simulated participant with one open document, whichever client library carries it: what it types and when,
/// and what it measured. <see cref="LibraryClient"/> types through Collab's .NET client, <see cref="LeanClient"/>
/// speaks the hub's JSON protocol by hand (<c>--client</c>).
/// </summary>
internal abstract class SimulatedClient(int docIndex, RunClock clock, int seed) : IAsyncDisposable
{
    private static readonly string[] Ascii = [.. "abcdefghijklmnopqrstuvwxyz    ,.".Select(c => c.ToString())];
    private static readonly string[] Accented = ["é", "è", "à", "ç", "ô", "ü", "ñ", "ß", "ő", "ã", "€", "—", "中", "文", "\n"];
    private static readonly string[] Emoji = ["🌍", "🎉", "👍", "😀", "🇧🇯", "✍️"];

    private readonly Random _random = new(seed);

    protected RunClock Clock { get; } = clock;

    public int DocIndex { get; } = docIndex;

    public abstract string DocId { get; }

    public abstract string ClientId { get; }

    /// <summary>The revision this client has applied (read after the run).</summary>
    public abstract int Revision { get; }

    /// <summary>This client's text (read after the run).</summary>
    public abstract string Text { get; }

    /// <summary>Code units this client inserted (and the server must hold exactly once).</summary>
    public long Inserted { get; protected set; }

    // Written while the client applies pushes and acks, and read after the run.
    public List<double> PeerLatencyMs { get; } = [];

    public List<double> PeerFromSendMs { get; } = [];

    public List<double> AckLatencyMs { get; } = [];

    /// <summary>Ack latencies as the client library itself timed them; empty for a client that has no such timer.</summary>
    public List<double> AckLatencyLibraryMs { get; } = [];

    public abstract int Acks { get; }

    public int AcksInWindow { get; protected set; }

    public int DeliveriesInWindow { get; protected set; }

    public int MissingStamps { get; protected set; }

    // Written by the edit loop only.
    public int Edits { get; private set; }

    public int EditsInWindow { get; private set; }

    public int Retries { get; protected set; }

    public int ScheduleResets { get; private set; }

    public ConcurrentQueue<string> Problems { get; } = new();

    public int Reconnects;

    public int Rejections;

    /// <summary>When this client types next (a <see cref="Stopwatch"/> timestamp); owned by its <see cref="EditScheduler"/> loop.</summary>
    public long NextEditAt { get; private set; }

    /// <summary>The first keystroke falls uniformly within one mean interval after <paramref name="start"/>.</summary>
    public void Schedule(long start, double mean) => NextEditAt = start + (long)(_random.NextDouble() * mean);

    /// <summary>
    /// Types one keystroke now and schedules the next one a uniform ±50 % around <paramref name="mean"/> later. More
    /// than a second behind (an overloaded generator), it carries on from now rather than burst.
    /// </summary>
    public void EditAndReschedule(long now, double mean)
    {
        if (now - NextEditAt > Stopwatch.Frequency)
        {
            NextEditAt = now;
            ScheduleResets++;
        }

        var at = Stopwatch.GetTimestamp();
        if (EditOnce(RandomInsert(), at))
        {
            Edits++;
            if (Clock.InWindow(at))
            {
                EditsInWindow++;
            }
        }

        NextEditAt += (long)(mean * (0.5 + _random.NextDouble()));
    }

    /// <summary>Called once every client is connected, before anyone types.</summary>
    public abstract void Attach();

    /// <summary>Until nothing this client typed is unacknowledged; throws <see cref="TimeoutException"/> after <paramref name="timeout"/>.</summary>
    public abstract Task WaitSyncedAsync(TimeSpan timeout);

    public abstract ValueTask DisposeAsync();

    /// <summary>Inserts <paramref name="insert"/> at a random position of the text, typed at <paramref name="at"/>; false when it could not.</summary>
    protected abstract bool EditOnce(string insert, long at);

    /// <summary>A random position in a text of <paramref name="text"/>'s length, never between the halves of a surrogate pair.</summary>
    protected int RandomPosition(ReadOnlySpan<char> text)
    {
        var position = _random.Next(text.Length + 1);
        if (position > 0 && position < text.Length && char.IsHighSurrogate(text[position - 1]) && char.IsLowSurrogate(text[position]))
        {
            position--;
        }

        return position;
    }

    private string RandomInsert()
    {
        var count = 1 + _random.Next(3);
        var parts = new string[count];
        for (var i = 0; i < count; i++)
        {
            var roll = _random.Next(100);
            var pool = roll < 70 ? Ascii : roll < 92 ? Accented : Emoji;
            parts[i] = pool[_random.Next(pool.Length)];
        }

        return string.Concat(parts);
    }
}
