using System.Collections.Concurrent;
using System.Diagnostics;
using Collab.Client;
using Collab.Documents;
using Collab.Errors;
using Collab.Text;

namespace Collab.Bench;

/// <summary>When each sequenced op of a client was typed (its first keystroke) and sent.</summary>
internal readonly record struct SeqStamp(long FirstEditAt, long SentAt);

/// <summary>What all clients of a run share: the window and the submit time of every (client id, client seq).</summary>
internal sealed class RunClock
{
    public ConcurrentDictionary<(string ClientId, long Seq), SeqStamp> Seqs { get; } = new();

    public long WindowStart { get; set; } = long.MaxValue;

    public long WindowEnd { get; set; } = long.MaxValue;

    public bool InWindow(long timestamp) => timestamp >= WindowStart && timestamp < WindowEnd;

    public static double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
}

/// <summary>
/// One simulated participant: a connection with one open document that inserts short strings at random positions.
/// <para>
/// <see cref="SharedDocument"/> keeps at most one op in flight and composes later edits into a buffer, and it numbers
/// ops itself, so which keystrokes a (client id, client seq) carries is reconstructed here: every keystroke is
/// registered before <see cref="SharedDocument.Edit(TextOperation)"/>; on the n-th acknowledgement (inside the document's lock) the
/// local edits applied so far are counted from the text length, which tells whether seq n+1 was just created from the
/// buffer (it carries every applied, unassigned keystroke) or will be created by the next keystroke alone. The first
/// keystroke's time of each seq is published before the op can leave, so peers find it when they apply the op.
/// </para>
/// </summary>
internal sealed class BenchClient(
    CollabConnection connection, SharedDocument document, int docIndex, RunClock clock, int seed)
{
    private static readonly string[] Ascii = [.. "abcdefghijklmnopqrstuvwxyz    ,.".Select(c => c.ToString())];
    private static readonly string[] Accented = ["é", "è", "à", "ç", "ô", "ü", "ñ", "ß", "ő", "ã", "€", "—", "中", "文", "\n"];
    private static readonly string[] Emoji = ["🌍", "🎉", "👍", "😀", "🇧🇯", "✍️"];

    private readonly object _gate = new();
    private readonly List<long> _editAt = [];
    private readonly List<long> _editEnd = [];
    private readonly List<SeqStamp> _seqs = [];
    private readonly Random _random = new(seed);
    private int _initialLength;
    private long _remoteInserted;
    private int _acks;
    private int _nextUnassigned;
    private long _awaitingSeq = 1;
    private bool _tracking = true;

    public CollabConnection Connection { get; } = connection;

    public SharedDocument Document { get; } = document;

    public int DocIndex { get; } = docIndex;

    /// <summary>Code units this client inserted (and the server must hold exactly once).</summary>
    public long Inserted { get; private set; }

    // Written by the document's event handlers (serialised by its lock) and read after the run.
    public List<double> PeerLatencyMs { get; } = [];

    public List<double> PeerFromSendMs { get; } = [];

    public List<double> AckLatencyMs { get; } = [];

    public List<double> AckLatencyLibraryMs { get; } = [];

    public int Acks => _acks;

    public int AcksInWindow { get; private set; }

    public int DeliveriesInWindow { get; private set; }

    public int MissingStamps { get; private set; }

    // Written by the edit loop only.
    public int Edits { get; private set; }

    public int EditsInWindow { get; private set; }

    public int Retries { get; private set; }

    public int ScheduleResets { get; private set; }

    public ConcurrentQueue<string> Problems { get; } = new();

    public int Reconnects;

    public int Rejections;

    public void Attach()
    {
        _initialLength = Document.Text.Length;
        Document.RemoteApplied += OnRemoteApplied;
        Document.Acknowledged += OnAcknowledged;
        Document.Rejected += (code, message) =>
        {
            Interlocked.Increment(ref Rejections);
            _tracking = false; // the document resynchronises from a snapshot: pending edits are dropped
            Problems.Enqueue($"rejected: {message}");
        };
        Connection.Connection.Reconnecting += error =>
        {
            Interlocked.Increment(ref Reconnects);
            Problems.Enqueue($"reconnecting: {error?.Message}");
            return Task.CompletedTask;
        };
    }

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

        EditOnce();
        NextEditAt += (long)(mean * (0.5 + _random.NextDouble()));
    }

    private void EditOnce()
    {
        var insert = RandomInsert();
        var at = Stopwatch.GetTimestamp();
        Inserted += insert.Length;
        var index = Register(at, Inserted);
        for (var attempt = 0; ; attempt++)
        {
            var text = Document.Text;
            var position = _random.Next(text.Length + 1);
            if (position > 0 && position < text.Length && char.IsHighSurrogate(text[position - 1]) && char.IsLowSurrogate(text[position]))
            {
                position--; // never between the halves of a surrogate pair
            }

            var components = new List<OpComponent>(3);
            if (position > 0)
            {
                components.Add(OpComponent.Retain(position));
            }

            components.Add(OpComponent.Insert(insert));
            if (text.Length - position > 0)
            {
                components.Add(OpComponent.Retain(text.Length - position));
            }

            try
            {
                Document.Edit(new TextOperation([.. components]));
                break;
            }
            catch (CollabException e) when (e.Code == "op.base_length_mismatch" && attempt < 100)
            {
                Retries++; // a remote op landed between reading the text and editing it
            }
            catch (Exception e) when (e is CollabException or InvalidOperationException)
            {
                Unregister(index);
                Inserted -= insert.Length;
                Problems.Enqueue($"local edit failed: {e.Message}");
                return;
            }
        }

        Edits++;
        if (clock.InWindow(at))
        {
            EditsInWindow++;
        }
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

    private int Register(long at, long endAfter)
    {
        lock (_gate)
        {
            var index = _editAt.Count;
            _editAt.Add(at);
            _editEnd.Add(endAfter);
            if (_awaitingSeq != 0 && index == _nextUnassigned)
            {
                // No op is in flight: this keystroke alone becomes the next seq.
                Assign(_awaitingSeq, index, at);
                _awaitingSeq = 0;
                _nextUnassigned = index + 1;
            }

            return index;
        }
    }

    private void Unregister(int index)
    {
        lock (_gate)
        {
            _editAt.RemoveAt(index);
            _editEnd.RemoveAt(index);
            if (_nextUnassigned > index)
            {
                // It had been given the newest seq on its own; that seq goes to the next keystroke instead.
                var seq = _seqs.Count;
                _seqs.RemoveAt(seq - 1);
                clock.Seqs.TryRemove((Document.ClientId, seq), out _);
                _nextUnassigned = index;
                _awaitingSeq = seq;
            }
        }
    }

    private void Assign(long seq, int firstEdit, long sentAt)
    {
        if (seq != _seqs.Count + 1)
        {
            Problems.Enqueue($"seq bookkeeping: assigning {seq} after {_seqs.Count}");
            _tracking = false;
            return;
        }

        var stamp = new SeqStamp(_editAt[firstEdit], sentAt);
        _seqs.Add(stamp);
        clock.Seqs[(Document.ClientId, seq)] = stamp;
    }

    // Runs inside the document's lock.
    private void OnRemoteApplied(TextOperation applied, CommittedOp committed)
    {
        var now = Stopwatch.GetTimestamp();
        _remoteInserted += applied.InsertedLength;
        if (clock.InWindow(now))
        {
            DeliveriesInWindow++;
        }

        if (clock.Seqs.TryGetValue((committed.ClientId, committed.ClientSeq), out var stamp))
        {
            if (clock.InWindow(stamp.FirstEditAt))
            {
                PeerLatencyMs.Add(RunClock.Ms(now - stamp.FirstEditAt));
                PeerFromSendMs.Add(RunClock.Ms(now - stamp.SentAt));
            }
        }
        else
        {
            MissingStamps++;
        }
    }

    // Runs inside the document's lock, after the buffer (if any) became the next op in flight.
    private void OnAcknowledged(int revision, long submittedAtTickCount64)
    {
        var now = Stopwatch.GetTimestamp();
        var libraryMs = Environment.TickCount64 - submittedAtTickCount64;
        var localApplied = Document.Text.Length - _initialLength - _remoteInserted;
        lock (_gate)
        {
            var n = ++_acks;
            if (clock.InWindow(now))
            {
                AcksInWindow++;
            }

            if (!_tracking)
            {
                return;
            }

            if (n <= _seqs.Count)
            {
                var stamp = _seqs[n - 1];
                if (clock.InWindow(stamp.FirstEditAt))
                {
                    AckLatencyMs.Add(RunClock.Ms(now - stamp.SentAt));
                    AckLatencyLibraryMs.Add(libraryMs);
                }
            }
            else
            {
                Problems.Enqueue($"ack {n} (revision {revision}) for a seq never sent");
                _tracking = false;
                return;
            }

            var applied = _nextUnassigned;
            while (applied < _editEnd.Count && _editEnd[applied] <= localApplied)
            {
                applied++;
            }

            if (applied > _nextUnassigned)
            {
                Assign(n + 1, _nextUnassigned, now); // the buffer was just sent as seq n+1
                _nextUnassigned = applied;
            }
            else if (_nextUnassigned < _editAt.Count)
            {
                Assign(n + 1, _nextUnassigned, now); // registered, about to be applied with nothing in flight
                _nextUnassigned++;
            }
            else
            {
                _awaitingSeq = n + 1;
            }
        }
    }
}
