using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Collab.Bench;

/// <summary>
/// The cheapest client the hub accepts, for holding thousands of idle connections on the generator's side of a
/// two-core machine: one <see cref="ClientWebSocket"/> speaking SignalR's JSON protocol by hand (docs/protocol.md:
/// the token in <c>access_token</c>, the handshake, one invocation, pings), no negotiation, no reconnection, and a
/// 1 KiB buffer that reads and drops whatever the server pushes (presence, workshop changes).
/// </summary>
internal sealed class RawHubClient : IAsyncDisposable
{
    private const char Separator = '\u001e';
    private static readonly byte[] Ping = Encoding.UTF8.GetBytes("{\"type\":6}" + Separator);

    private readonly ClientWebSocket _socket = new();
    private Task _drain = Task.CompletedTask;

    private RawHubClient()
    {
        // SignalR's own pings keep the connection (the server drops a client silent for 30 s); no WebSocket pings too.
        _socket.Options.KeepAliveInterval = TimeSpan.Zero;
    }

    public static async Task<RawHubClient> ConnectAsync(Uri baseUrl, string token, CancellationToken cancellationToken)
    {
        var client = new RawHubClient();
        try
        {
            var uri = new UriBuilder(baseUrl) { Scheme = "ws", Path = "/hubs/collab", Query = "access_token=" + Uri.EscapeDataString(token) }.Uri;
            await client._socket.ConnectAsync(uri, cancellationToken);
            await client.SendAsync("{\"protocol\":\"json\",\"version\":1}" + Separator, cancellationToken);
            var handshake = (await client.ReadMessagesAsync(cancellationToken))[0];
            if (handshake != "{}")
            {
                throw new InvalidOperationException($"The hub refused the handshake: {handshake}");
            }

            return client;
        }
        catch
        {
            client._socket.Dispose();
            throw;
        }
    }

    /// <summary>One invocation, awaited to its completion (pushes before it are dropped); throws with the hub's error.</summary>
    public async Task InvokeAsync(string target, object argument, CancellationToken cancellationToken)
    {
        var invocation = JsonSerializer.Serialize(new { type = 1, invocationId = "1", target, arguments = new[] { argument } });
        await SendAsync(invocation + Separator, cancellationToken);
        while (true)
        {
            foreach (var message in await ReadMessagesAsync(cancellationToken))
            {
                using var json = JsonDocument.Parse(message);
                var root = json.RootElement;
                if (root.GetProperty("type").GetInt32() == 3 && root.GetProperty("invocationId").GetString() == "1")
                {
                    if (root.TryGetProperty("error", out var error))
                    {
                        throw new InvalidOperationException($"{target} failed: {error.GetString()}");
                    }

                    return;
                }
            }
        }
    }

    /// <summary>From now on, read and drop every push until the connection closes.</summary>
    public void StartDraining() => _drain = DrainAsync();

    public bool IsOpen => _socket.State == WebSocketState.Open;

    public Task PingAsync(CancellationToken cancellationToken) =>
        _socket.SendAsync(Ping, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or InvalidOperationException)
        {
            // Closing is best effort.
        }

        _socket.Abort();
        await _drain;
        _socket.Dispose();
    }

    private Task SendAsync(string text, CancellationToken cancellationToken) =>
        _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);

    /// <summary>The SignalR messages of one WebSocket message (the server may write several in one).</summary>
    private async Task<string[]> ReadMessagesAsync(CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        while (true)
        {
            var result = await _socket.ReceiveAsync(buffer.GetMemory(1024), cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                throw new WebSocketException($"The hub closed the connection: {_socket.CloseStatusDescription}");
            }

            buffer.Advance(result.Count);
            if (result.EndOfMessage)
            {
                return Encoding.UTF8.GetString(buffer.WrittenSpan).Split(Separator, StringSplitOptions.RemoveEmptyEntries);
            }
        }
    }

    private async Task DrainAsync()
    {
        var buffer = new byte[1024];
        try
        {
            while (true)
            {
                var result = await _socket.ReceiveAsync(buffer, CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Aborted when closed by the run, or dropped by the server (IsOpen tells).
        }
    }
}
