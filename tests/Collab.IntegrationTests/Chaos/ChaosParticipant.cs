using System.Diagnostics;
using Collab.Client;
using Collab.Documents;
using Collab.Text;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Http.Connections.Client;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Collab.IntegrationTests.Chaos;

/// <summary>
/// One participant of the chaos test: a real SignalR connection (through the load balancer, so that it reconnects to
/// another web node when its own dies) with one open document. A writer types a unique token every
/// <see cref="TypingInterval"/>; every participant records when its acks and others' pushes arrived, which tokens were
/// acknowledged, and every hub error that came without a code.
/// </summary>
internal sealed class ChaosParticipant : IAsyncDisposable
{
    public static readonly TimeSpan TypingInterval = TimeSpan.FromMilliseconds(500);

    private readonly Stopwatch _clock;
    private readonly object _sync = new();
    private readonly Dictionary<long, List<string>> _tokensBySeq = [];
    private readonly HashSet<string> _acknowledged = new(StringComparer.Ordinal);
    private readonly HashSet<long> _ackedSeqs = [];
    private readonly List<double> _acks = [];
    private readonly List<double> _pushes = [];
    private readonly List<string> _uncoded = [];
    private readonly List<double> _reconnects = [];
    private CancellationTokenSource? _typing;
    private Task _typingLoop = Task.CompletedTask;
    private int _typed;

    private ChaosParticipant(int number, bool writer, Stopwatch clock, CollabConnection connection, SharedDocument document)
    {
        Number = number;
        Writer = writer;
        _clock = clock;
        Connection = connection;
        Document = document;
    }

    public int Number { get; }

    public bool Writer { get; }

    public CollabConnection Connection { get; }

    public SharedDocument Document { get; }

    /// <summary>
    /// Connects, enters the workshop and opens the document. A web node closes a connection the cluster cannot admit yet
    /// (a cluster just started, a silo joining), and the client reconnects by itself; <see cref="CollabConnection"/>'s
    /// calls wait for it (at most its <see cref="CollabConnection.ReconnectWait"/>, 30 s). Every drop is logged with its reason.
    /// </summary>
    public static async Task<ChaosParticipant> JoinAsync(
        int number, bool writer, Stopwatch clock, Uri hubUrl, string token, string docId, Action<string> log)
    {
        var connection = await CollabConnection.ConnectAsync(hubUrl, token, builder => builder.Services.Configure<HttpConnectionOptions>(o =>
        {
            // One WebSocket, no negotiate request: a reconnect may reach another web node (no sticky sessions needed).
            o.SkipNegotiation = true;
            o.Transports = HttpTransportType.WebSockets;
        }));
        connection.Connection.Reconnecting += error =>
        {
            log($"participant {number}: connection lost ({error?.GetType().Name ?? "closed by the server"}: {error?.Message}), reconnecting");
            return Task.CompletedTask;
        };

        await connection.EnterWorkshopAsync();
        var document = await connection.OpenAsync(docId);
        var participant = new ChaosParticipant(number, writer, clock, connection, document);
        participant.Observe(docId);
        return participant;
    }

    /// <summary>Seconds since the test's clock started at which this participant's ops were acknowledged.</summary>
    public IReadOnlyList<double> Acks => Snapshot(_acks);

    /// <summary>Seconds at which a push of someone else's op arrived.</summary>
    public IReadOnlyList<double> Pushes => Snapshot(_pushes);

    /// <summary>Seconds at which the connection dropped and started reconnecting.</summary>
    public IReadOnlyList<double> Reconnects => Snapshot(_reconnects);

    /// <summary>Hub errors without a code (SignalR's generic error), as received.</summary>
    public IReadOnlyList<string> Uncoded => Snapshot(_uncoded);

    public IReadOnlySet<string> Acknowledged
    {
        get
        {
            lock (_sync)
            {
                return new HashSet<string>(_acknowledged, StringComparer.Ordinal);
            }
        }
    }

    public int Typed => Volatile.Read(ref _typed);

    /// <summary>The token of this participant's <paramref name="n"/>-th edit: unique in the whole test.</summary>
    public string Token(int n) => $"[p{Number:00}#{n:0000}]";

    public void StartTyping()
    {
        if (!Writer)
        {
            return;
        }

        _typing = new CancellationTokenSource();
        _typingLoop = TypeAsync(_typing.Token);
    }

    public async Task StopTypingAsync()
    {
        if (_typing is null)
        {
            return;
        }

        await _typing.CancelAsync();
        await _typingLoop;
    }

    public async ValueTask DisposeAsync()
    {
        await StopTypingAsync();
        _typing?.Dispose();
        await Connection.DisposeAsync();
    }

    private void Observe(string docId)
    {
        Document.OwnOpCommitted += (seq, _) =>
        {
            lock (_sync)
            {
                _acks.Add(_clock.Elapsed.TotalSeconds);
                _ackedSeqs.Add(seq);
                if (_tokensBySeq.Remove(seq, out var tokens))
                {
                    _acknowledged.UnionWith(tokens);
                }
            }
        };
        Document.InvocationFailed += (_, error) =>
        {
            if (error is HubException && HubErrors.CodeOf(error) is null)
            {
                lock (_sync)
                {
                    _uncoded.Add(error.Message);
                }
            }
        };
        Connection.Connection.On<OpsCommitted>("OpsCommitted", committed =>
        {
            if (committed.DocId == docId && committed.Ops.Any(op => op.ClientId != Document.ClientId))
            {
                lock (_sync)
                {
                    _pushes.Add(_clock.Elapsed.TotalSeconds);
                }
            }
        });
        Connection.Connection.Reconnecting += _ =>
        {
            lock (_sync)
            {
                _reconnects.Add(_clock.Elapsed.TotalSeconds);
            }

            return Task.CompletedTask;
        };
    }

    /// <summary>Types a token every interval, at the end of the text or at its start in turn (never inside another token).</summary>
    private async Task TypeAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(TypingInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                var n = Interlocked.Increment(ref _typed);
                var token = Token(n);

                // Built under the document's lock from the text it applies to. The seq it returns is the one its ack will
                // carry (edits typed while one is in flight travel together). Not under our lock: acks take ours inside
                // the document's.
                var seq = Document.Edit(text => n % 2 == 0 && text.Length > 0
                    ? TextOperation.Of(OpComponent.Retain(text.Length), OpComponent.Insert(token))
                    : text.Length > 0
                        ? TextOperation.Of(OpComponent.Insert(token), OpComponent.Retain(text.Length))
                        : TextOperation.Of(OpComponent.Insert(token)));
                if (seq is not { } s)
                {
                    continue;
                }

                lock (_sync)
                {
                    if (_ackedSeqs.Contains(s))
                    {
                        // Acknowledged between Edit and here.
                        _acknowledged.Add(token);
                    }
                    else
                    {
                        if (!_tokensBySeq.TryGetValue(s, out var tokens))
                        {
                            _tokensBySeq[s] = tokens = [];
                        }

                        tokens.Add(token);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped typing.
        }
    }

    private List<T> Snapshot<T>(List<T> list)
    {
        lock (_sync)
        {
            return [.. list];
        }
    }
}
