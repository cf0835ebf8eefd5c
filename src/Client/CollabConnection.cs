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
/// </summary>
public sealed class CollabConnection : IAsyncDisposable
{
    /// <summary>Waits before starting again a connection that closed for good; the last one repeats.</summary>
    public static IReadOnlyList<TimeSpan> RestartDelays { get; } =
        [TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5)];

    private readonly Dictionary<string, SharedDocument> _documents = [];
    private readonly CancellationTokenSource _disposed = new();

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
        connection.On<JsonElement>("Revoked", _ => Revoked?.Invoke());
        connection.Reconnected += _ => CatchUpAllAsync();
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

    /// <summary>The participant was removed from the workshop; the server closes the connection.</summary>
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

        OpenedDocument opened;
        try
        {
            opened = await Connection.InvokeAsync<OpenedDocument>("OpenDocument", new { docId, lastRevision = (int?)null }, cancellationToken);
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

        document.Load(opened);
        return document;
    }

    /// <summary>The caller's workshop and identity (from the token).</summary>
    public Task<EnteredWorkshop> EnterWorkshopAsync(CancellationToken cancellationToken = default) =>
        Connection.InvokeAsync<EnteredWorkshop>("EnterWorkshop", cancellationToken);

    /// <summary>Watches a session: <see cref="SessionChanged"/>, <see cref="Announced"/> and <see cref="TimeUp"/> from now on.</summary>
    public Task<SessionView> WatchSessionAsync(string sessionId, CancellationToken cancellationToken = default) =>
        Connection.InvokeAsync<SessionView>("WatchSession", new { sessionId }, cancellationToken);

    public async Task CloseAsync(string docId)
    {
        lock (_documents)
        {
            if (_documents.Remove(docId, out var document))
            {
                document.Close();
            }
        }

        await Connection.InvokeAsync("CloseDocument", new { docId });
    }

    public async ValueTask DisposeAsync()
    {
        await _disposed.CancelAsync();
        await Connection.DisposeAsync();
        _disposed.Dispose();
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

            await CatchUpAllAsync();
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
