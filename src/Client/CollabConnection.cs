using System.Text.Json;
using System.Text.Json.Serialization;
using Collab.Documents;
using Collab.Sessions;
using Collab.Workshops;
using Collab.Wire;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.DependencyInjection;

namespace Collab.Client;

/// <summary>
/// A connection to <c>/hubs/collab</c> with any number of open <see cref="SharedDocument"/>s. Reconnects
/// automatically and then catches every open document up and resends what was pending. It never gives up while it is
/// not disposed: when SignalR closes it for good (its reconnect attempts ran out, or the server closed it because the
/// cluster could not take the connection), it starts again after a backoff, unless the server refuses the token.
/// Its calls (<see cref="EnterWorkshopAsync"/>, <see cref="OpenAsync"/>, <see cref="WatchSessionAsync"/>) ask for
/// nothing that a second asking changes, so one made while the connection is down, or cut off by a drop, waits for the
/// connection to come back (at most <see cref="ReconnectWait"/>) and is made again.
/// </summary>
public sealed class CollabConnection : IAsyncDisposable
{
    /// <summary>Waits before starting again a connection that closed for good; the last one repeats.</summary>
    public static IReadOnlyList<TimeSpan> RestartDelays { get; } =
        [TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5)];

    private readonly Dictionary<string, SharedDocument> _documents = [];

    // The sessions the app watches, watched again on every new connection; guarded by locking _documents.
    private readonly HashSet<string> _watched = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _disposed = new();

    // Which connection this is (incremented each time it is up again, after a start, a reconnect or a restart), and a
    // task that completes when the next one is up; guarded by locking _documents.
    private int _generation;
    private TaskCompletionSource _nextUp = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Why the connection will not come back (the token is refused, or this object disposed), once it is known.
    private Exception? _over;

    private CollabConnection(HubConnection connection)
    {
        Connection = connection;
        connection.On<OpsCommitted>("OpsCommitted", committed =>
        {
            if (Find(committed.DocId) is { } document)
            {
                document.OnCommitted(committed.Ops);
            }
        });
        connection.On<PresenceChanged>("PresenceChanged", presence => PresenceChanged?.Invoke(presence));
        connection.On<LockChanged>("LockChanged", change => LockChanged?.Invoke(change));
        connection.On<AccessChanged>("AccessChanged", change => Find(change.DocId)?.OnAccessChanged());
        connection.On<SessionView>("SessionChanged", session => SessionChanged?.Invoke(session));
        connection.On<AnnouncementView>("Announced", announcement => Announced?.Invoke(announcement));
        connection.On<TimeUp>("TimeUp", timeUp => TimeUp?.Invoke(timeUp));
        connection.On<HelpQueue>("HelpQueueChanged", queue => HelpQueueChanged?.Invoke(queue));
        connection.On<WorkshopPresence>("WorkshopPresenceChanged", presence => WorkshopPresenceChanged?.Invoke(presence));
        connection.On<WorkshopPresenceDelta>("WorkshopPresenceDelta", delta => WorkshopPresenceDelta?.Invoke(delta));
        connection.On<JsonElement>("Revoked", _ =>
        {
            // The server closes the connection and will refuse the token: calls waiting for it to come back fail now.
            Over(new HttpRequestException("auth.revoked: the participant was removed from the workshop.", null, System.Net.HttpStatusCode.Unauthorized));
            Revoked?.Invoke();
        });
        connection.Reconnected += _ =>
        {
            Up();
            return ResumeAsync();
        };
        connection.Closed += error =>
        {
            if (!_disposed.IsCancellationRequested)
            {
                _ = RestartAsync();
            }

            return Task.CompletedTask;
        };
    }

    public HubConnection Connection { get; }

    /// <summary>
    /// How long a call waits for the connection to be up again, in all, before it fails with a <see cref="TimeoutException"/>:
    /// the server closes a connection it cannot admit yet (a silo starting or leaving), and a client reconnects by itself.
    /// </summary>
    public TimeSpan ReconnectWait { get; set; } = TimeSpan.FromSeconds(30);

    public event Action<PresenceChanged>? PresenceChanged;

    public event Action<LockChanged>? LockChanged;

    public event Action<SessionView>? SessionChanged;

    public event Action<AnnouncementView>? Announced;

    public event Action<TimeUp>? TimeUp;

    public event Action<HelpQueue>? HelpQueueChanged;

    /// <summary>The whole workshop presence, pushed when a delta would be longer (<see cref="WorkshopPresenceFollower"/> keeps it current).</summary>
    public event Action<WorkshopPresence>? WorkshopPresenceChanged;

    /// <summary>Who came, changed or left since the previous presence push (<see cref="WorkshopPresenceFollower"/> applies them).</summary>
    public event Action<WorkshopPresenceDelta>? WorkshopPresenceDelta;

    /// <summary>
    /// A new connection is up after the first: an automatic reconnect, or a start again after SignalR closed the
    /// connection for good (which its own <c>Connection.Reconnected</c> does not report). Pushes sent while the client was
    /// away are lost: fetch again what you follow (<see cref="WorkshopPresenceFollower"/> does). Raised before sessions are
    /// watched again and documents caught up.
    /// </summary>
    public event Action? Reconnected;

    /// <summary>The participant was removed from the workshop; the server closes the connection, and calls fail from now on.</summary>
    public event Action? Revoked;

    /// <summary>
    /// Connects to <paramref name="hubUrl"/> with a bearer token from <c>POST /api/join</c>; <paramref name="configure"/>
    /// may set transports or a test server handler; <paramref name="protocol"/> chooses the hub protocol (JSON unless told).
    /// </summary>
    public static async Task<CollabConnection> ConnectAsync(
        Uri hubUrl,
        string accessToken,
        Action<HubConnectionBuilder>? configure = null,
        CancellationToken cancellationToken = default,
        CollabHubProtocol protocol = CollabHubProtocol.Json)
    {
        ArgumentNullException.ThrowIfNull(hubUrl);
        var builder = new HubConnectionBuilder();
        builder.WithUrl(hubUrl, http => http.AccessTokenProvider = () => Task.FromResult<string?>(accessToken));
        UseProtocol(builder, protocol);
        builder.WithAutomaticReconnect([TimeSpan.Zero, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5)]);
        configure?.Invoke(builder);
        var connection = new CollabConnection(builder.Build());
        await connection.Connection.StartAsync(cancellationToken);
        connection.Up();
        return connection;
    }

    /// <summary>
    /// Makes <paramref name="builder"/> speak <paramref name="protocol"/> with the server's vocabulary (camelCase names,
    /// enums as camelCase strings): for any <see cref="HubConnection"/> to <c>/hubs/collab</c>, not only this class's.
    /// </summary>
    public static void UseProtocol(IHubConnectionBuilder builder, CollabHubProtocol protocol)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddJsonProtocol(options => options.PayloadSerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase)));
        if (protocol == CollabHubProtocol.MessagePack)
        {
            // The last protocol registered is the one a HubConnection speaks. Messages without a formatter of their own
            // are bound as the JSON protocol binds them (SignalR's JSON defaults and the same enum converter).
            var json = new JsonHubProtocolOptions().PayloadSerializerOptions;
            json.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
            builder.Services.AddSingleton<IHubProtocol>(new MessagePackHubProtocol(Options.Create(new MessagePackHubProtocolOptions
            {
                SerializerOptions = HubMessagePack.Options(json),
            })));
        }
    }

    /// <summary>Opens a document (a snapshot at the current revision) with a fresh client id.</summary>
    public async Task<SharedDocument> OpenAsync(string docId, CancellationToken cancellationToken = default)
    {
        var document = new SharedDocument(Connection, docId, Guid.NewGuid().ToString("N"));
        lock (_documents)
        {
            _documents[docId] = document;
        }

        try
        {
            // Loaded only from an answer of the connection that is up now: one that dropped since took the open with
            // it. (A reconnect catches up only documents already loaded; this one's open is simply made again.)
            await CallAsync(
                async ct =>
                {
                    var generation = Generation();
                    var opened = await Connection.InvokeAsync<OpenedDocument>("OpenDocument", new { docId, lastRevision = (int?)null }, ct);
                    document.Load(opened);
                    return (true, Generation() == generation && Connection.State == HubConnectionState.Connected);
                },
                cancellationToken);
        }
        catch
        {
            // Not open: a reconnect must not try to catch up a document that never loaded, nor a later push reach it.
            lock (_documents)
            {
                if (_documents.TryGetValue(docId, out var registered) && ReferenceEquals(registered, document))
                {
                    _documents.Remove(docId);
                }
            }

            document.Close();
            throw;
        }

        return document;
    }

    /// <summary>The caller's workshop and identity (from the token).</summary>
    public Task<EnteredWorkshop> EnterWorkshopAsync(CancellationToken cancellationToken = default) =>
        CallAsync(ct => Connection.InvokeAsync<EnteredWorkshop>("EnterWorkshop", ct), cancellationToken);

    /// <summary>
    /// Watches a session: <see cref="SessionChanged"/>, <see cref="Announced"/> and <see cref="TimeUp"/> from now on, also
    /// across reconnects. A new connection watches nothing on the server, so the client watches the session again on it
    /// and raises <see cref="SessionChanged"/> with where it stands then (what was pushed while away is lost).
    /// </summary>
    public async Task<SessionView> WatchSessionAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        // Noted first, so that a reconnect while the call is under way watches it again on the new connection too.
        lock (_documents)
        {
            _watched.Add(sessionId);
        }

        try
        {
            return await CallAsync(ct => Connection.InvokeAsync<SessionView>("WatchSession", new { sessionId }, ct), cancellationToken);
        }
        catch
        {
            lock (_documents)
            {
                _watched.Remove(sessionId);
            }

            throw;
        }
    }

    /// <summary>Stops watching a session. Nothing waits for a connection that is down: a new one watches only what is watched.</summary>
    public async Task UnwatchSessionAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        lock (_documents)
        {
            _watched.Remove(sessionId);
        }

        await SendIfUpAsync("UnwatchSession", new { sessionId }, cancellationToken);
    }

    /// <summary>
    /// Stops following a document. Local changes not yet committed are abandoned. Nothing waits for a connection that is
    /// down: the server forgot the document with the connection that had it open, and a reconnect does not reopen it.
    /// </summary>
    public async Task CloseAsync(string docId, CancellationToken cancellationToken = default)
    {
        lock (_documents)
        {
            if (_documents.Remove(docId, out var document))
            {
                document.Close();
            }
        }

        await SendIfUpAsync("CloseDocument", new { docId }, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        Over(new ObjectDisposedException(nameof(CollabConnection)));
        await _disposed.CancelAsync();
        await Connection.DisposeAsync();
        _disposed.Dispose();
    }

    /// <summary>Makes <paramref name="call"/> once the connection is up, and again when a drop cut it off.</summary>
    private Task<T> CallAsync<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken) =>
        CallAsync(
            async ct =>
            {
                var result = await call(ct);
                return (result, true);
            },
            cancellationToken);

    /// <summary>
    /// Tells the server to drop something this connection took (a document, a watch) when the connection is up. When it
    /// is down, or drops under the call, there is nothing to tell: the server forgot it with that connection.
    /// </summary>
    private async Task SendIfUpAsync(string method, object argument, CancellationToken cancellationToken)
    {
        if (Connection.State != HubConnectionState.Connected)
        {
            return;
        }

        try
        {
            await Connection.InvokeAsync(method, argument, cancellationToken);
        }
        catch (Exception e) when (DroppedUnder(e, cancellationToken))
        {
            // Gone with the connection.
        }
    }

    /// <summary>
    /// Makes <paramref name="call"/> on a connection that is up, and makes it again on the next one when the connection
    /// dropped under it (or it answered <c>false</c> for done: its answer came from a connection since gone), until
    /// <see cref="ReconnectWait"/> has passed in all. An error the server answered, or the caller's cancellation, is
    /// the caller's at once.
    /// </summary>
    private async Task<T> CallAsync<T>(Func<CancellationToken, Task<(T Result, bool Done)>> call, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + ReconnectWait;
        var after = 0;
        Exception? dropped = null;
        while (true)
        {
            if (!await WaitUpAsync(after, deadline, cancellationToken))
            {
                throw new TimeoutException($"The connection to the hub was not up within {ReconnectWait}.", dropped);
            }

            var generation = Generation();
            try
            {
                var (result, done) = await call(cancellationToken);
                if (done)
                {
                    return result;
                }
            }
            catch (Exception e) when (DroppedUnder(e, cancellationToken))
            {
                dropped = e;
            }

            // Cut off by a drop (SignalR may fail the call before the connection says it is down): wait for the next one.
            after = generation;
        }
    }

    /// <summary>
    /// Waits until a connection later than <paramref name="generation"/> is up (any connection for 0); false when
    /// <paramref name="deadline"/> passed first. Throws why the connection will not come back when that is known.
    /// </summary>
    private async Task<bool> WaitUpAsync(int generation, DateTime deadline, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task next;
            lock (_documents)
            {
                if (_over is ObjectDisposedException)
                {
                    throw new ObjectDisposedException(nameof(CollabConnection));
                }

                if (_over is not null)
                {
                    throw new HttpRequestException("The server refuses this connection's token: it will not connect again.", _over, System.Net.HttpStatusCode.Unauthorized);
                }

                if (_generation > generation && Connection.State == HubConnectionState.Connected)
                {
                    return true;
                }

                generation = Math.Max(generation, _generation);
                next = _nextUp.Task;
            }

            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                return false;
            }

            try
            {
                await next.WaitAsync(left, cancellationToken);
            }
            catch (TimeoutException)
            {
                return false;
            }
        }
    }

    /// <summary>A failure that says the connection went down under the call, not an answer of the server.</summary>
    private static bool DroppedUnder(Exception error, CancellationToken cancellationToken) => error switch
    {
        HubException or ObjectDisposedException => false,
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        InvalidOperationException or IOException => true,
        _ => false,
    };

    private int Generation()
    {
        lock (_documents)
        {
            return _generation;
        }
    }

    /// <summary>The connection is up (again): a new generation; wakes the calls waiting for it.</summary>
    private void Up()
    {
        TaskCompletionSource up;
        lock (_documents)
        {
            _generation++;
            up = _nextUp;
            _nextUp = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        up.TrySetResult();
    }

    /// <summary>The connection will not come back: the calls waiting for it fail with <paramref name="reason"/>.</summary>
    private void Over(Exception reason)
    {
        TaskCompletionSource up;
        lock (_documents)
        {
            _over ??= reason;
            up = _nextUp;
        }

        up.TrySetResult();
    }

    /// <summary>A new connection is up: watch again what the app watches, then catch every open document up.</summary>
    private async Task ResumeAsync()
    {
        try
        {
            Reconnected?.Invoke();
        }
        finally
        {
            // Whatever an app's handler does, the client itself comes back.
            await WatchAgainAsync();
            await CatchUpAllAsync();
        }
    }

    /// <summary>
    /// Watches every watched session on the connection that is up, telling the app where each stands. One the server
    /// refuses for good (gone, or no longer the caller's) is forgotten; one it cannot answer now is asked again after
    /// <see cref="SharedDocument.RetryDelays"/>, while this connection lasts (the next one starts over).
    /// </summary>
    private async Task WatchAgainAsync()
    {
        var generation = Generation();
        List<string> pending;
        lock (_documents)
        {
            pending = [.. _watched];
        }

        for (var attempt = 0; pending.Count > 0; attempt++)
        {
            if (attempt > 0)
            {
                await Task.Delay(SharedDocument.RetryDelays[Math.Min(attempt - 1, SharedDocument.RetryDelays.Count - 1)]);
                lock (_documents)
                {
                    if (_over is not null || _generation != generation)
                    {
                        return;
                    }

                    pending.RemoveAll(id => !_watched.Contains(id));
                }
            }

            var failed = new List<string>();
            foreach (var sessionId in pending)
            {
                try
                {
                    SessionChanged?.Invoke(await Connection.InvokeAsync<SessionView>("WatchSession", new { sessionId }));
                }
                catch (HubException e) when (HubErrors.CodeOf(e) is { } code && code is not ("server.unavailable" or "rate.limited"))
                {
                    lock (_documents)
                    {
                        _watched.Remove(sessionId);
                    }
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    // Not answered now (a drop, or a cluster that cannot answer yet): again after a pause.
                    failed.Add(sessionId);
                }
            }

            pending = failed;
        }
    }

    private async Task CatchUpAllAsync()
    {
        foreach (var document in Documents())
        {
            await document.CatchUpAfterReconnectAsync();
        }
    }

    /// <summary>Starts the connection again until it works, then catches every document up; stops when disposed or refused.</summary>
    private async Task RestartAsync()
    {
        var stop = _disposed.Token;
        for (var attempt = 0; !stop.IsCancellationRequested; attempt++)
        {
            try
            {
                await Task.Delay(RestartDelays[Math.Min(attempt, RestartDelays.Count - 1)], stop);
                if (Connection.State != HubConnectionState.Disconnected)
                {
                    return;
                }

                await Connection.StartAsync(stop);
            }
            catch (HttpRequestException e) when (e.StatusCode is System.Net.HttpStatusCode.Unauthorized or System.Net.HttpStatusCode.Forbidden)
            {
                // The token is refused (the participant was removed): there is nothing to reconnect to.
                Over(e);
                return;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not ObjectDisposedException)
            {
                // The server or the cluster cannot take the connection yet: try again.
                continue;
            }
            catch (ObjectDisposedException)
            {
                return;
            }

            Up();
            await ResumeAsync();
            return;
        }
    }

    private SharedDocument? Find(string docId)
    {
        lock (_documents)
        {
            return _documents.GetValueOrDefault(docId);
        }
    }

    private List<SharedDocument> Documents()
    {
        lock (_documents)
        {
            return [.. _documents.Values];
        }
    }
}

/// <summary>Answer of <c>EnterWorkshop</c>.</summary>
public sealed record EnteredWorkshop(WorkshopView Workshop, Caller Me);

/// <summary>The hub protocols <c>/hubs/collab</c> speaks (docs/protocol.md, "Hub protocols").</summary>
public enum CollabHubProtocol
{
    /// <summary>JSON text frames: the default, and what third-party clients use.</summary>
    Json,

    /// <summary>MessagePack binary frames: the same messages, smaller and cheaper to read and write.</summary>
    MessagePack,
}
