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
    /// <summary>The stamps of <see cref="LibraryClient"/>s.</summary>
    public ConcurrentDictionary<(string ClientId, long Seq), SeqStamp> Seqs { get; } = new();

    /// <summary>The stamps of <see cref="LeanClient"/>s, by client index.</summary>
    public StampBook[] Books { get; set; } = [];

    public long WindowStart { get; set; } = long.MaxValue;

    public long WindowEnd { get; set; } = long.MaxValue;

    public bool InWindow(long timestamp) => timestamp >= WindowStart && timestamp < WindowEnd;

    public static double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
}

/// <summary>
/// One simulated participant typing through Collab's .NET client (<c>--client library</c>, and always with
/// <c>--protocol msgpack</c>): a <see cref="CollabConnection"/> with one open <see cref="SharedDocument"/>.
/// <para>
/// <see cref="SharedDocument"/> keeps at most one op in flight and composes later edits into a buffer, and it numbers
/// ops itself, so which keystrokes a (client id, client seq) carries is reconstructed here: every keystroke is
/// registered before <see cref="SharedDocument.Edit(TextOperation)"/>; on the n-th acknowledgement (inside the document's lock) the
/// local edits applied so far are counted from the text length, which tells whether seq n+1 was just created from the
/// buffer (it carries every applied, unassigned keystroke) or will be created by the next keystroke alone. The first
/// keystroke's time of each seq is published before the op can leave, so peers find it when they apply the op.
/// </para>
/// </summary>
internal sealed class LibraryClient(
    CollabConnection connection, SharedDocument document, int docIndex, RunClock clock, int seed) : SimulatedClient(docIndex, clock, seed)
{
    private readonly object _gate = new();
    private readonly List<long> _editAt = [];
    private readonly List<long> _editEnd = [];
    private readonly List<SeqStamp> _seqs = [];
    private int _initialLength;
    private long _remoteInserted;
    private int _acks;
    private int _nextUnassigned;
    private long _awaitingSeq = 1;
    private bool _tracking = true;

    public CollabConnection Connection { get; } = connection;

    public SharedDocument Document { get; } = document;

    public override string DocId => Document.DocId;

    public override string ClientId => Document.ClientId;

    public override int Revision => Document.Revision;

    public override string Text => Document.Text;

    public override int Acks => _acks;

    public override Task WaitSyncedAsync(TimeSpan timeout) => Document.WaitSyncedAsync(timeout);

    public override ValueTask DisposeAsync() => Connection.DisposeAsync();

    public override void Attach()
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

    protected override bool EditOnce(string insert, long at)
    {
        Inserted += insert.Length;
        var index = Register(at, Inserted);
        for (var attempt = 0; ; attempt++)
        {
            var text = Document.Text;
            var position = RandomPosition(text);
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
                return true;
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
                return false;
            }
        }
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
                Clock.Seqs.TryRemove((Document.ClientId, seq), out _);
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
        Clock.Seqs[(Document.ClientId, seq)] = stamp;
    }

    // Runs inside the document's lock.
    private void OnRemoteApplied(TextOperation applied, CommittedOp committed)
    {
        var now = Stopwatch.GetTimestamp();
        _remoteInserted += applied.InsertedLength;
        if (Clock.InWindow(now))
        {
            DeliveriesInWindow++;
        }

        if (Clock.Seqs.TryGetValue((committed.ClientId, committed.ClientSeq), out var stamp))
        {
            if (Clock.InWindow(stamp.FirstEditAt))
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
            if (Clock.InWindow(now))
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
                if (Clock.InWindow(stamp.FirstEditAt))
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
