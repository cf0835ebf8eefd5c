using System.Buffers;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Collab.Text;

namespace Collab.Bench;

/// <summary>
/// The stamps one client published: when each of its ops (by <c>clientSeq</c>) was first typed and sent. Written by
/// its author before the op leaves, read by every peer that applies the op.
/// </summary>
internal sealed class StampBook
{
    private readonly object _gate = new();
    private SeqStamp[] _stamps = new SeqStamp[64];

    public void Set(long seq, SeqStamp stamp)
    {
        lock (_gate)
        {
            if (seq >= _stamps.Length)
            {
                Array.Resize(ref _stamps, (int)Math.Max(seq + 1, _stamps.Length * 2L));
            }

            _stamps[seq] = stamp;
        }
    }

    public bool TryGet(long seq, out SeqStamp stamp)
    {
        lock (_gate)
        {
            stamp = seq >= 0 && seq < _stamps.Length ? _stamps[seq] : default;
            return stamp.SentAt != 0;
        }
    }
}

/// <summary>
/// A participant that costs the generator as little as a client can (<c>--client lean</c>, the default with JSON): one
/// <see cref="ClientWebSocket"/> speaking the hub's JSON protocol by hand as docs/protocol.md describes it for
/// third-party clients, and the client side of the OT protocol written for exactly this use.
/// <list type="bullet">
/// <item>One receive loop per connection reads frames into one reused buffer and parses each record once with a
/// <see cref="Utf8JsonReader"/>: only <c>OpsCommitted</c> and the completions are read, every other push is skipped
/// without being materialised.</item>
/// <item>The text is a character array edited in place; no string is built per op.</item>
/// <item>At most one op in flight; keystrokes typed meanwhile are composed into a buffer sent on the ack (the rules of
/// docs/protocol.md, "Acknowledgement"). Remote ops are transformed through the op in flight and the buffer, in
/// revision order; one that arrives ahead of a gap waits for it, and so does an ack (the answer may come before or
/// after pushes of other revisions). A push of the client's own op in flight counts as its ack.</item>
/// <item>This client numbers its ops, so the stamp of each (first keystroke, sent) is exact and published in its
/// <see cref="StampBook"/> before the op leaves; peers find their author's book from the client id
/// (<c>b&lt;index&gt;-…</c>) without a shared dictionary.</item>
/// </list>
/// No reconnection: a connection the hub closes ends the client, and the run reports it (its convergence check fails).
/// </summary>
internal sealed class LeanClient : SimulatedClient
{
    private const byte Separator = 0x1e;
    private const long OpenInvocation = 0;
    private static readonly byte[] Ping = [.. "{\"type\":6}"u8, Separator];
    private static readonly TextOperationJsonConverter OpWriter = new();

    private readonly ClientWebSocket _socket = new();
    private readonly SemaphoreSlim _sending = new(1, 1);
    private readonly object _gate = new();
    private readonly Dictionary<int, Incoming> _ahead = [];
    private readonly List<byte[]> _outbox = [];
    private readonly TaskCompletionSource _opened = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly byte[] _clientIdUtf8;
    private readonly StampBook _book;
    private readonly string _docId;
    private readonly string _clientId;
    private char[] _text = new char[1024];
    private int _length;
    private int _revision = -1;
    private TextOperation? _inflight;
    private long _inflightSeq;
    private TextOperation? _buffer;
    private long _bufferFirstEditAt;
    private long _lastSeq;
    private int _acks;
    private bool _handshaken;
    private bool _tracking = true;
    private bool _disposing;
    private long _lastSentAt;
    private Task _receiving = Task.CompletedTask;
    private TaskCompletionSource? _synced;

    private LeanClient(string docId, int index, int docIndex, RunClock clock, int seed)
        : base(docIndex, clock, seed)
    {
        _docId = docId;
        _clientId = $"b{index}-{Guid.NewGuid():N}"[..24];
        _clientIdUtf8 = Encoding.UTF8.GetBytes(_clientId);
        _book = clock.Books[index];
        // SignalR's pings keep the connection (KeepAliveAsync); no WebSocket pings too.
        _socket.Options.KeepAliveInterval = TimeSpan.Zero;
    }

    public override string DocId => _docId;

    public override string ClientId => _clientId;

    public override int Revision
    {
        get
        {
            lock (_gate)
            {
                return _revision;
            }
        }
    }

    public override string Text
    {
        get
        {
            lock (_gate)
            {
                return new string(_text, 0, _length);
            }
        }
    }

    public override int Acks => Volatile.Read(ref _acks);

    /// <summary>
    /// Connects to <paramref name="hub"/> (<c>http://…/hubs/collab</c>) with <paramref name="token"/>, skipping
    /// negotiation as docs/protocol.md allows, and opens <paramref name="docId"/> from a snapshot. The client's stamps
    /// go into <c>clock.Books[index]</c>. A 503 at the handshake (a node too busy to admit it) is tried again until
    /// <paramref name="cancellationToken"/> ends it.
    /// </summary>
    public static Task<LeanClient> ConnectAsync(
        Uri hub, string token, string docId, int index, int docIndex, RunClock clock, int seed, CancellationToken cancellationToken)
    {
        var uri = new UriBuilder(hub) { Scheme = "ws", Query = "access_token=" + Uri.EscapeDataString(token) }.Uri;
        return BenchRunner.WhileBusyAsync(
            async () =>
            {
                var client = new LeanClient(docId, index, docIndex, clock, seed);
                try
                {
                    await client.OpenAsync(uri, docId, cancellationToken);
                    return client;
                }
                catch
                {
                    await client.DisposeAsync();
                    throw;
                }
            },
            cancellationToken);
    }

    private async Task OpenAsync(Uri uri, string docId, CancellationToken cancellationToken)
    {
        await _socket.ConnectAsync(uri, cancellationToken);
        _receiving = ReceiveLoopAsync();
        await SendAsync([.. "{\"protocol\":\"json\",\"version\":1}"u8, Separator]);
        var json = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(json))
        {
            writer.WriteStartObject();
            writer.WriteNumber("type"u8, 1);
            writer.WriteString("invocationId"u8, "0");
            writer.WriteString("target"u8, "OpenDocument"u8);
            writer.WriteStartArray("arguments"u8);
            writer.WriteStartObject();
            writer.WriteString("docId"u8, docId);
            writer.WriteNull("lastRevision"u8);
            writer.WriteEndObject();
            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        await SendAsync([.. json.WrittenSpan, Separator]);
        await _opened.Task.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Sends SignalR's ping for every client that sent nothing for 10 s, until <paramref name="cancellationToken"/>: the
    /// hub drops a client silent for 30 s (its <c>ClientTimeoutInterval</c>), as the library client's own pings prevent.
    /// </summary>
    public static async Task KeepAliveAsync(IReadOnlyList<LeanClient> clients, CancellationToken cancellationToken)
    {
        var quiet = 10 * Stopwatch.Frequency;
        using var every = new PeriodicTimer(TimeSpan.FromSeconds(2));
        try
        {
            while (await every.WaitForNextTickAsync(cancellationToken))
            {
                var now = Stopwatch.GetTimestamp();
                foreach (var client in clients)
                {
                    if (now - Volatile.Read(ref client._lastSentAt) > quiet)
                    {
                        client.Send(Ping);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The run is over.
        }
    }

    public override void Attach()
    {
        // Everything is in place from the start: the receive loop has run since the connection opened.
    }

    public override async Task WaitSyncedAsync(TimeSpan timeout)
    {
        Task synced;
        lock (_gate)
        {
            if (_inflight is null && _buffer is null)
            {
                return;
            }

            if (_receiving.IsCompleted)
            {
                throw new TimeoutException($"{_clientId} still has unacknowledged edits, and its connection is closed.");
            }

            _synced ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            synced = _synced.Task;
        }

        await synced.WaitAsync(timeout);
    }

    public override async ValueTask DisposeAsync()
    {
        _disposing = true;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            if (_socket.State == WebSocketState.Open)
            {
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or InvalidOperationException)
        {
            // Closing is best effort.
        }

        _socket.Abort();
        await _receiving;
        _socket.Dispose();
    }

    protected override bool EditOnce(string insert, long at)
    {
        byte[]? message = null;
        lock (_gate)
        {
            if (_revision < 0 || _receiving.IsCompleted || !_tracking)
            {
                Problems.Enqueue("local edit failed: the connection is closed or the text diverged");
                return false;
            }

            var position = RandomPosition(_text.AsSpan(0, _length));
            var op = new TextOperation(
                position == 0 && _length == 0 ? [OpComponent.Insert(insert)]
                : position == 0 ? [OpComponent.Insert(insert), OpComponent.Retain(_length)]
                : position == _length ? [OpComponent.Retain(position), OpComponent.Insert(insert)]
                : [OpComponent.Retain(position), OpComponent.Insert(insert), OpComponent.Retain(_length - position)]);
            ApplyToText(op);
            Inserted += insert.Length;
            if (_inflight is null)
            {
                message = Submit(op, at, at);
            }
            else if (_buffer is null)
            {
                _buffer = op;
                _bufferFirstEditAt = at;
            }
            else
            {
                _buffer = TextOt.Compose(_buffer, op);
            }
        }

        if (message is not null)
        {
            Send(message);
        }

        return true;
    }

    // Under the gate: makes op the one in flight, numbered and stamped, and writes its SubmitOp.
    private byte[] Submit(TextOperation op, long firstEditAt, long sentAt)
    {
        _inflight = op;
        _inflightSeq = ++_lastSeq;
        _book.Set(_inflightSeq, new SeqStamp(firstEditAt, sentAt));
        var json = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(json))
        {
            writer.WriteStartObject();
            writer.WriteNumber("type"u8, 1);
            writer.WriteString("invocationId"u8, _inflightSeq.ToString(System.Globalization.CultureInfo.InvariantCulture));
            writer.WriteString("target"u8, "SubmitOp"u8);
            writer.WriteStartArray("arguments"u8);
            writer.WriteStartObject();
            writer.WriteString("docId"u8, _docId);
            writer.WriteNumber("baseRevision"u8, _revision);
            writer.WriteString("clientId"u8, _clientIdUtf8);
            writer.WriteNumber("clientSeq"u8, _inflightSeq);
            writer.WritePropertyName("op"u8);
            OpWriter.Write(writer, op, JsonSerializerOptions.Default);
            writer.WriteEndObject();
            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return [.. json.WrittenSpan, Separator];
    }

    private void Send(byte[] message)
    {
        var sending = SendAsync(message);
        if (!sending.IsCompletedSuccessfully)
        {
            sending.ContinueWith(
                t => Problems.Enqueue($"send failed: {t.Exception?.GetBaseException().Message}"),
                CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
    }

    private async Task SendAsync(byte[] message)
    {
        await _sending.WaitAsync();
        try
        {
            Volatile.Write(ref _lastSentAt, Stopwatch.GetTimestamp());
            await _socket.SendAsync(message, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
        }
        finally
        {
            _sending.Release();
        }
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[16 * 1024];
        var filled = 0;
        try
        {
            while (true)
            {
                if (filled == buffer.Length)
                {
                    Array.Resize(ref buffer, buffer.Length * 2);
                }

                var result = await _socket.ReceiveAsync(buffer.AsMemory(filled), CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    Closed($"the hub closed the connection ({_socket.CloseStatus}: {_socket.CloseStatusDescription})");
                    return;
                }

                filled += result.Count;
                var last = buffer.AsSpan(0, filled).LastIndexOf(Separator);
                if (last < 0)
                {
                    continue;
                }

                lock (_gate)
                {
                    var records = buffer.AsSpan(0, last + 1);
                    while (records.Length > 0)
                    {
                        var end = records.IndexOf(Separator);
                        Process(records[..end]);
                        records = records[(end + 1)..];
                    }
                }

                filled -= last + 1;
                buffer.AsSpan(last + 1, filled).CopyTo(buffer);
                foreach (var message in _outbox)
                {
                    await SendAsync(message);
                }

                _outbox.Clear();
            }
        }
        catch (Exception e) when (e is WebSocketException or ObjectDisposedException or OperationCanceledException or JsonException or InvalidOperationException)
        {
            Closed(e is JsonException or InvalidOperationException ? $"unreadable message: {e.Message}" : $"connection lost: {e.Message}");
        }
    }

    private void Closed(string why)
    {
        if (!_disposing)
        {
            Interlocked.Increment(ref Reconnects);
            Problems.Enqueue(why);
        }

        _opened.TrySetException(new InvalidOperationException(why));
        lock (_gate)
        {
            _synced?.TrySetException(new TimeoutException($"{_clientId} still has unacknowledged edits: {why}"));
            _synced = null;
        }
    }

    // Under the gate: one SignalR record (docs/protocol.md). SignalR writes "type" and "invocationId" or "target" before
    // "arguments" and "result", which is what lets this read each record in one pass.
    private void Process(ReadOnlySpan<byte> record)
    {
        var reader = new Utf8JsonReader(record);
        reader.Read();
        if (!_handshaken)
        {
            _handshaken = true;
            if (reader.TokenType != JsonTokenType.StartObject || (reader.Read() && reader.TokenType != JsonTokenType.EndObject))
            {
                throw new InvalidOperationException($"the hub refused the handshake: {Encoding.UTF8.GetString(record)}");
            }

            return;
        }

        var type = 0;
        var target = 0;
        long invocation = -1;
        string? error = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("type"u8))
            {
                reader.Read();
                type = reader.GetInt32();
            }
            else if (reader.ValueTextEquals("target"u8))
            {
                reader.Read();
                target = reader.ValueTextEquals("OpsCommitted"u8) ? 1 : 2;
            }
            else if (reader.ValueTextEquals("invocationId"u8))
            {
                reader.Read();
                invocation = long.Parse(reader.ValueSpan, provider: System.Globalization.CultureInfo.InvariantCulture);
            }
            else if (reader.ValueTextEquals("arguments"u8) && target == 1)
            {
                reader.Read();
                ReadOpsCommitted(ref reader);
            }
            else if (reader.ValueTextEquals("result"u8) && type == 3)
            {
                reader.Read();
                if (invocation == OpenInvocation)
                {
                    ReadOpened(ref reader);
                }
                else
                {
                    ReadAck(ref reader, invocation);
                }
            }
            else if (reader.ValueTextEquals("error"u8))
            {
                reader.Read();
                error = reader.GetString();
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (error is null)
        {
            return;
        }

        if (type == 7)
        {
            Closed($"the hub closed the connection: {error}");
        }
        else if (invocation == OpenInvocation)
        {
            _opened.TrySetException(new InvalidOperationException($"OpenDocument failed: {error}"));
        }
        else
        {
            Interlocked.Increment(ref Rejections);
            _tracking = false;
            Problems.Enqueue($"rejected: {error}");
        }
    }

    private void ReadOpened(ref Utf8JsonReader reader)
    {
        var revision = -1;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("revision"u8))
            {
                reader.Read();
                revision = reader.GetInt32();
            }
            else if (reader.ValueTextEquals("text"u8))
            {
                reader.Read();
                var text = reader.GetString() ?? throw new InvalidOperationException("OpenDocument without a last revision answered no text.");
                _length = 0;
                Reserve(text.Length);
                text.CopyTo(0, _text, 0, text.Length);
                _length = text.Length;
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        _revision = revision;
        foreach (var early in _ahead.Keys.Where(r => r <= revision).ToList())
        {
            _ahead.Remove(early);
        }

        Drain();
        _opened.TrySetResult();
    }

    private void ReadAck(ref Utf8JsonReader reader, long seq)
    {
        var revision = -1;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isRevision = reader.ValueTextEquals("revision"u8);
            reader.Read();
            if (isRevision)
            {
                revision = reader.GetInt32();
            }
            else
            {
                reader.Skip(); // the op as committed: this client already holds it, transformed the same way
            }
        }

        Deliver(new Incoming(revision, null, seq, -1));
    }

    private void ReadOpsCommitted(ref Utf8JsonReader reader)
    {
        // arguments: [ { docId, ops: [ … ] } ]
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("ops"u8))
            {
                reader.Read();
                while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
                {
                    Deliver(ReadCommittedOp(ref reader));
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        reader.Read(); // the end of the arguments
    }

    private Incoming ReadCommittedOp(ref Utf8JsonReader reader)
    {
        var revision = -1;
        var author = -1;
        var mine = false;
        long seq = 0;
        TextOperation? op = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("revision"u8))
            {
                reader.Read();
                revision = reader.GetInt32();
            }
            else if (reader.ValueTextEquals("op"u8))
            {
                reader.Read();
                op = ReadOperation(ref reader);
            }
            else if (reader.ValueTextEquals("clientId"u8))
            {
                reader.Read();
                mine = reader.ValueTextEquals(_clientIdUtf8);
                author = AuthorIndex(reader.ValueSpan);
            }
            else if (reader.ValueTextEquals("clientSeq"u8))
            {
                reader.Read();
                seq = reader.GetInt64();
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return new Incoming(revision, mine ? null : op ?? throw new InvalidOperationException("a committed op without 'op'"), seq, author);
    }

    private static TextOperation ReadOperation(ref Utf8JsonReader reader)
    {
        var components = ImmutableArray.CreateBuilder<OpComponent>(3);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType == JsonTokenType.String)
            {
                components.Add(OpComponent.Insert(reader.GetString()!));
            }
            else
            {
                var n = reader.GetInt32();
                components.Add(n > 0 ? OpComponent.Retain(n) : OpComponent.Delete(-n));
            }
        }

        return new TextOperation(components.Count == components.Capacity ? components.MoveToImmutable() : components.ToImmutable());
    }

    /// <summary>The client index in a bench client id (<c>b&lt;index&gt;-…</c>); -1 for any other id.</summary>
    private static int AuthorIndex(ReadOnlySpan<byte> clientId)
    {
        if (clientId.Length < 3 || clientId[0] != (byte)'b')
        {
            return -1;
        }

        var index = 0;
        for (var i = 1; i < clientId.Length && clientId[i] != (byte)'-'; i++)
        {
            var digit = clientId[i] - (byte)'0';
            if (digit is < 0 or > 9)
            {
                return -1;
            }

            index = (index * 10) + digit;
        }

        return index;
    }

    // Under the gate: an op or an ack in revision order; ahead of a gap it waits for the gap to fill.
    private void Deliver(Incoming incoming)
    {
        if (_revision < 0 || incoming.Revision > _revision + 1)
        {
            _ahead.TryAdd(incoming.Revision, incoming);
            return;
        }

        if (incoming.Revision == _revision + 1)
        {
            Apply(incoming);
            Drain();
        }
    }

    private void Drain()
    {
        while (_ahead.Remove(_revision + 1, out var next))
        {
            Apply(next);
        }
    }

    private void Apply(Incoming incoming)
    {
        var now = Stopwatch.GetTimestamp();
        _revision = incoming.Revision;
        if (incoming.Op is null)
        {
            // This client's own op: its ack, whether from the answer or from a push.
            if (_inflight is null || incoming.Seq != _inflightSeq)
            {
                Problems.Enqueue($"ack of seq {incoming.Seq} at revision {incoming.Revision}, in flight {(_inflight is null ? "nothing" : _inflightSeq)}");
                _tracking = false;
                return;
            }

            Interlocked.Increment(ref _acks);
            if (Clock.InWindow(now))
            {
                AcksInWindow++;
            }

            if (_book.TryGet(_inflightSeq, out var sent) && Clock.InWindow(sent.FirstEditAt))
            {
                AckLatencyMs.Add(RunClock.Ms(now - sent.SentAt));
            }

            _inflight = null;
            if (_buffer is { } buffered)
            {
                _buffer = null;
                _outbox.Add(Submit(buffered, _bufferFirstEditAt, now));
            }
            else
            {
                _synced?.TrySetResult();
                _synced = null;
            }

            return;
        }

        var op = incoming.Op;
        if (_inflight is not null)
        {
            (_inflight, op) = TextOt.Transform(_inflight, op);
            if (_buffer is not null)
            {
                (_buffer, op) = TextOt.Transform(_buffer, op);
            }
        }

        if (!ApplyToText(op))
        {
            return;
        }

        if (Clock.InWindow(now))
        {
            DeliveriesInWindow++;
        }

        if (incoming.Author >= 0 && incoming.Author < Clock.Books.Length && Clock.Books[incoming.Author].TryGet(incoming.Seq, out var stamp))
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

    // Under the gate: applies op to the text in place.
    private bool ApplyToText(TextOperation op)
    {
        if (op.BaseLength != _length || !_tracking)
        {
            if (_tracking)
            {
                Problems.Enqueue($"an op for {op.BaseLength} code units on a text of {_length}");
                _tracking = false;
            }

            return false;
        }

        Reserve(_length + (int)op.InsertedLength);
        var position = 0;
        foreach (var c in op.Components)
        {
            switch (c.Kind)
            {
                case OpKind.Retain:
                    position += c.Count;
                    break;
                case OpKind.Insert:
                    Array.Copy(_text, position, _text, position + c.Count, _length - position);
                    c.Text!.CopyTo(0, _text, position, c.Count);
                    _length += c.Count;
                    position += c.Count;
                    break;
                default:
                    Array.Copy(_text, position + c.Count, _text, position, _length - position - c.Count);
                    _length -= c.Count;
                    break;
            }
        }

        return true;
    }

    private void Reserve(int length)
    {
        if (length > _text.Length)
        {
            Array.Resize(ref _text, Math.Max(length, _text.Length * 2));
        }
    }

    /// <summary>A committed op at <paramref name="Revision"/>; <paramref name="Op"/> is null for this client's own (an ack).</summary>
    private readonly record struct Incoming(int Revision, TextOperation? Op, long Seq, int Author);
}
