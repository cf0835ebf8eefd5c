using System.Text.Json;
using Collab.Documents;
using Collab.Text;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Collab.Client;

/// <summary>
/// One open document on a <see cref="HubConnection"/>: the client side of server-sequenced OT. Local edits apply at
/// once; at most one op is in flight (later edits are composed into a buffer); incoming ops are transformed against
/// what is pending (the server's op wins ties); pushes are applied in revision order and a gap triggers a catch-up;
/// after a reconnect the document is reopened at its last revision and the pending op is resent with the same
/// sequence number, so it takes effect exactly once. A call that fails for a reason that passes
/// (<c>server.unavailable</c>, <c>rate.limited</c>, no code, a dropped connection) is tried again after a short
/// backoff, by reopening and resending, as docs/protocol.md says; it never relies on the server running this
/// connection's calls one at a time.
/// </summary>
public sealed class SharedDocument
{
    private readonly HubConnection _connection;
    private readonly object _sync = new();
    private readonly SortedDictionary<int, CommittedOp> _early = [];
    private Pending? _outstanding;
    private TextOperation? _buffer;
    private long _nextSeq = 1;
    private bool _sending;
    private bool _catchingUp;
    private bool _catchUpAgain;
    private bool _retryScheduled;
    private int _retryAttempt;
    private bool _closed;
    private bool _loaded;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal SharedDocument(HubConnection connection, string docId, string clientId)
    {
        _connection = connection;
        DocId = docId;
        ClientId = clientId;
    }

    /// <summary>How long a gap in the pushed revisions may last before the client asks for the missing ops.</summary>
    public static TimeSpan GapDelay { get; } = TimeSpan.FromMilliseconds(300);

    /// <summary>Waits before reopening and resending after a call failed for a reason that passes; the last one repeats.</summary>
    public static IReadOnlyList<TimeSpan> RetryDelays { get; } =
        [TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)];

    public string DocId { get; }

    public string ClientId { get; }

    public string Text { get; private set; } = "";

    /// <summary>The last server revision this client has applied.</summary>
    public int Revision { get; private set; }

    /// <summary>What this participant may do with the document now, as the server said when it was last (re)opened.</summary>
    public DocumentAccess Access { get; private set; } = DocumentAccess.Edit;

    /// <summary>True while a local edit is not yet acknowledged by the server.</summary>
    public bool HasUnsyncedChanges
    {
        get
        {
            lock (_sync)
            {
                return _outstanding is not null || _buffer is not null;
            }
        }
    }

    /// <summary>A remote op was applied: the op as applied here and who made it.</summary>
    public event Action<TextOperation, CommittedOp>? RemoteApplied;

    /// <summary>One of this client's ops was acknowledged: its revision and the local time it was submitted.</summary>
    public event Action<int, long>? Acknowledged;

    /// <summary>
    /// One of this client's ops was acknowledged: its sequence number (the one <see cref="Edit(Func{string, TextOperation?})"/>
    /// returned for every edit it carries) and its revision.
    /// </summary>
    public event Action<long, int>? OwnOpCommitted;

    /// <summary>
    /// A hub call for this document failed (the method and the error as received). Informational: the document
    /// retries, resynchronises or reports <see cref="Rejected"/> by itself.
    /// </summary>
    public event Action<string, Exception>? InvocationFailed;

    /// <summary>The server rejected an op (code, message); the document resynchronises from a snapshot.</summary>
    public event Action<string, string>? Rejected;

    /// <summary>
    /// What this participant may do changed (a phase, a session's end, a status, a lock, a group's members): the new
    /// access, known after the document reopened itself on the server's <c>AccessChanged</c>.
    /// </summary>
    public event Action<DocumentAccess>? AccessChanged;

    /// <summary>Applies a local edit and sends it (or buffers it behind the op in flight).</summary>
    public void Edit(TextOperation op) => Edit(_ => op);

    /// <summary>
    /// Builds an edit from the current text and applies it atomically (no remote op can land in between);
    /// <paramref name="makeEdit"/> may return null for no edit. Returns the sequence number the edit will travel under
    /// (ops typed while one is in flight are composed and share the next number), or null.
    /// </summary>
    public long? Edit(Func<string, TextOperation?> makeEdit)
    {
        ArgumentNullException.ThrowIfNull(makeEdit);
        long seq;
        lock (_sync)
        {
            if (makeEdit(Text) is not { } op)
            {
                return null;
            }

            Text = TextOt.Apply(Text, op);
            if (_outstanding is null)
            {
                _outstanding = new Pending(op, _nextSeq++, Revision, Environment.TickCount64);
            }
            else
            {
                _buffer = _buffer is null ? op : TextOt.Compose(_buffer, op);
            }

            seq = _buffer is null ? _outstanding.Seq : _nextSeq;
            Signal();
        }

        SendOutstanding();
        return seq;
    }

    /// <summary>Waits until nothing is pending, or throws on timeout.</summary>
    public Task WaitSyncedAsync(TimeSpan timeout) =>
        WaitUntilAsync(() => _outstanding is null && _buffer is null, $"no unsynced changes in {DocId}", timeout);

    /// <summary>Waits until this client has applied <paramref name="revision"/> and has nothing pending.</summary>
    public Task WaitForRevisionAsync(int revision, TimeSpan timeout) =>
        WaitUntilAsync(() => Revision >= revision && _outstanding is null && _buffer is null, $"revision {revision} of {DocId}", timeout);

    private async Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            Task changed;
            lock (_sync)
            {
                if (condition())
                {
                    return;
                }

                changed = _changed.Task;
            }

            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException($"Timed out after {timeout} waiting for {what} (at revision {Revision}, unsynced: {HasUnsyncedChanges}).");
            }

            try
            {
                await changed.WaitAsync(left);
            }
            catch (TimeoutException)
            {
                // Checked once more at the top, then reported with the state it stopped in.
            }
        }
    }

    /// <summary>Wakes waiters; called under the lock after every change of revision or pending state.</summary>
    private void Signal()
    {
        var changed = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        changed.TrySetResult();
    }

    internal void Load(OpenedDocument opened)
    {
        var access = opened.Access ?? DocumentAccess.Edit;
        bool accessChanged;
        lock (_sync)
        {
            _loaded = true;
            accessChanged = access != Access;
            Access = access;
            if (opened.Text is not null)
            {
                // A snapshot replaces everything; pending local edits cannot be rebased onto it and are dropped. The
                // sequence number Edit promised to the buffered ones is never given to other edits.
                Text = opened.Text;
                Revision = opened.Revision;
                if (_buffer is not null)
                {
                    _nextSeq++;
                }

                _outstanding = null;
                _buffer = null;
                _early.Clear();
            }
            else
            {
                foreach (var op in opened.Ops)
                {
                    _early[op.Revision] = op;
                }

                Drain();
            }

            Signal();
        }

        if (accessChanged)
        {
            AccessChanged?.Invoke(access);
        }
    }

    /// <summary>The server says access changed: reopen to learn it (and any ops missed meanwhile).</summary>
    internal void OnAccessChanged() => _ = CatchUpOrRetryLaterAsync();

    internal void OnCommitted(IReadOnlyList<CommittedOp> ops)
    {
        bool gap;
        lock (_sync)
        {
            foreach (var op in ops)
            {
                if (op.Revision > Revision)
                {
                    _early[op.Revision] = op;
                }
            }

            Drain();
            gap = _early.Count > 0;
            Signal();
        }

        if (gap)
        {
            _ = CatchUpIfStillBehindAsync();
        }

        SendOutstanding();
    }

    /// <summary>Pushes may arrive out of order for a moment: only a gap that lasts triggers a catch-up.</summary>
    private async Task CatchUpIfStillBehindAsync()
    {
        await Task.Delay(GapDelay);
        bool behind;
        lock (_sync)
        {
            behind = _early.Count > 0;
        }

        if (behind)
        {
            await CatchUpOrRetryLaterAsync();
        }
    }

    /// <summary>
    /// Reopens at the last revision seen and resends what is pending, with its original sequence number (after a
    /// reconnect or a gap). <see cref="CollabConnection"/> calls it on every automatic reconnect.
    /// </summary>
    public async Task CatchUpAsync()
    {
        lock (_sync)
        {
            if (_catchingUp)
            {
                // The answer on its way may predate what asked for this one (e.g. a change of access): reopen once more.
                _catchUpAgain = true;
                return;
            }

            _catchingUp = true;
            _catchUpAgain = false;
        }

        try
        {
            while (true)
            {
                var opened = await _connection.InvokeAsync<OpenedDocument>("OpenDocument", new { docId = DocId, lastRevision = (int?)Revision });
                Load(opened);
                lock (_sync)
                {
                    if (!_catchUpAgain)
                    {
                        break;
                    }

                    _catchUpAgain = false;
                }
            }
        }
        finally
        {
            lock (_sync)
            {
                _catchingUp = false;
                _sending = false;
            }
        }

        SendOutstanding();
    }

    private void Drain()
    {
        while (_early.Remove(Revision + 1, out var next))
        {
            if (_outstanding is { } mine && next.ClientId == ClientId && next.ClientSeq == mine.Seq)
            {
                AcknowledgeLocked(next.Revision);
                continue;
            }

            var incoming = next.Op;
            if (_outstanding is { } pending)
            {
                var (pendingPrime, incomingPrime) = TextOt.Transform(pending.Op, incoming);
                _outstanding = pending with { Op = pendingPrime };
                incoming = incomingPrime;
                if (_buffer is not null)
                {
                    (_buffer, incoming) = TextOt.Transform(_buffer, incoming);
                }
            }

            Text = TextOt.Apply(Text, incoming);
            Revision = next.Revision;
            RemoteApplied?.Invoke(incoming, next);
        }

        // Anything at or below the revision is a duplicate.
        foreach (var stale in _early.Keys.Where(r => r <= Revision).ToList())
        {
            _early.Remove(stale);
        }
    }

    private void AcknowledgeLocked(int revision)
    {
        var acked = _outstanding!;
        Revision = revision;
        _outstanding = null;
        _sending = false;
        if (_buffer is not null)
        {
            _outstanding = new Pending(_buffer, _nextSeq++, Revision, Environment.TickCount64);
            _buffer = null;
        }

        _retryAttempt = 0;
        Signal();
        Acknowledged?.Invoke(revision, acked.SubmittedAt);
        OwnOpCommitted?.Invoke(acked.Seq, revision);
    }

    private void SendOutstanding()
    {
        Pending pending;
        lock (_sync)
        {
            if (_outstanding is null || _sending || _catchingUp)
            {
                return;
            }

            _sending = true;
            _outstanding = _outstanding with { BaseRevision = Revision };
            pending = _outstanding;
        }

        _ = SubmitAsync(pending);
    }

    private async Task SubmitAsync(Pending pending)
    {
        SubmitResult result;
        try
        {
            result = await _connection.InvokeAsync<SubmitResult>("SubmitOp", new
            {
                docId = DocId,
                baseRevision = pending.BaseRevision,
                clientId = ClientId,
                clientSeq = pending.Seq,
                op = JsonSerializer.SerializeToElement(pending.Op),
            });
        }
        catch (HubException e) when (HubErrors.CodeOf(e) is { } code && !IsRetryable(code))
        {
            InvocationFailed?.Invoke("SubmitOp", e);
            Rejected?.Invoke(code, e.Message);
            await ResyncFromSnapshotAsync();
            return;
        }
        catch (Exception e) when (IsTransient(e))
        {
            // Not sent, or the answer was lost: keep it; a reconnect, the next catch-up or the retry below resends it
            // with the same seq.
            InvocationFailed?.Invoke("SubmitOp", e);
            lock (_sync)
            {
                _sending = false;
            }

            RetryLater();
            return;
        }

        bool gap;
        lock (_sync)
        {
            if (_outstanding is { } mine && mine.Seq == pending.Seq && result.Revision > Revision)
            {
                // The answer is our op, committed at its revision. It fills that revision like a push would (the server
                // need not push an author its own op), and pushes of later ops that came first follow it.
                _early[result.Revision] = new CommittedOp(result.Revision, result.Op, ClientId, pending.Seq, "", "", default, null);
                Drain();
                Signal();
            }

            gap = _early.Count > 0;
        }

        if (gap)
        {
            // Ops before ours have not arrived yet: they are normally on their way; fetch them if they do not come.
            _ = CatchUpIfStillBehindAsync();
        }

        SendOutstanding();
    }

    private async Task ResyncFromSnapshotAsync()
    {
        try
        {
            var opened = await _connection.InvokeAsync<OpenedDocument>("OpenDocument", new { docId = DocId, lastRevision = (int?)null });
            Load(opened);
        }
        catch (Exception e) when (IsTransient(e))
        {
            // The rejected op is gone either way; catching up later brings the text (a gap, a push or the retry).
            InvocationFailed?.Invoke("OpenDocument", e);
            RetryLater();
        }
        finally
        {
            lock (_sync)
            {
                _sending = false;
            }
        }
    }

    /// <summary>
    /// After an automatic reconnect: catch up now, or later if the server cannot answer yet. A document whose first open
    /// has not been answered yet has nothing to catch up: <see cref="CollabConnection.OpenAsync"/> opens it again.
    /// </summary>
    internal Task CatchUpAfterReconnectAsync()
    {
        lock (_sync)
        {
            if (!_loaded)
            {
                return Task.CompletedTask;
            }
        }

        return CatchUpOrRetryLaterAsync();
    }

    /// <summary>Reopens now; if that fails for a reason that passes, tries again after a backoff.</summary>
    private async Task CatchUpOrRetryLaterAsync()
    {
        try
        {
            await CatchUpAsync();
        }
        catch (Exception e) when (IsTransient(e))
        {
            InvocationFailed?.Invoke("OpenDocument", e);
            RetryLater();
        }
    }

    /// <summary>Reopens and resends after the next delay of <see cref="RetryDelays"/>, unless a retry is already waiting.</summary>
    private void RetryLater()
    {
        TimeSpan delay;
        lock (_sync)
        {
            if (_retryScheduled || _closed)
            {
                return;
            }

            _retryScheduled = true;
            delay = RetryDelays[Math.Min(_retryAttempt++, RetryDelays.Count - 1)];
        }

        _ = RetryAsync(delay);
    }

    private async Task RetryAsync(TimeSpan delay)
    {
        await Task.Delay(delay);
        lock (_sync)
        {
            _retryScheduled = false;
            if (_closed)
            {
                return;
            }
        }

        await CatchUpOrRetryLaterAsync();
    }

    /// <summary>The document was closed: no more retries.</summary>
    internal void Close()
    {
        lock (_sync)
        {
            _closed = true;
        }
    }

    /// <summary>Codes that mean "nothing was decided, send it again" (docs/protocol.md).</summary>
    private static bool IsRetryable(string code) => code is "server.unavailable" or "rate.limited";

    /// <summary>
    /// A failure that passes: a retryable code, an error without a code, or the connection dropping under the call (but
    /// not a disposed connection: that one is over).
    /// </summary>
    private static bool IsTransient(Exception error) => error switch
    {
        ObjectDisposedException => false,
        HubException hub => HubErrors.CodeOf(hub) is not { } code || IsRetryable(code),
        InvalidOperationException or IOException or OperationCanceledException or TimeoutException => true,
        _ => false,
    };

    private sealed record Pending(TextOperation Op, long Seq, int BaseRevision, long SubmittedAt);
}
