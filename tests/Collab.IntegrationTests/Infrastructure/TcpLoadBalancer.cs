using System.Net;
using System.Net.Sockets;

namespace Collab.IntegrationTests.Infrastructure;

/// <summary>
/// What a venue's load balancer does in front of the web nodes, at the TCP level on 127.0.0.1: each new connection goes
/// to the next web node that accepts it, so that when one dies its clients' reconnects reach another. (SignalR clients
/// skip negotiation and use one WebSocket, which needs no sticky sessions.)
/// </summary>
internal sealed class TcpLoadBalancer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IReadOnlyList<Uri> _targets;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<TcpClient> _open = [];
    private readonly Task _accepting;
    private int _next;

    public TcpLoadBalancer(IReadOnlyList<Uri> targets)
    {
        _targets = targets;
        _listener.Start();
        Address = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");
        _accepting = AcceptAsync();
    }

    public Uri Address { get; }

    /// <summary>Drops every connection open now (as a load balancer that restarts would); new ones go through.</summary>
    public void DropAll()
    {
        lock (_open)
        {
            foreach (var connection in _open)
            {
                connection.Client.LingerState = new LingerOption(true, 0);
                connection.Dispose();
            }

            _open.Clear();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }

        lock (_open)
        {
            foreach (var connection in _open)
            {
                connection.Dispose();
            }

            _open.Clear();
        }

        _stopping.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stopping.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _ = ForwardAsync(client);
        }
    }

    private async Task ForwardAsync(TcpClient client)
    {
        var server = await ConnectToAnyAsync();
        if (server is null)
        {
            client.Dispose();
            return;
        }

        lock (_open)
        {
            _open.Add(client);
            _open.Add(server);
        }

        await Task.WhenAny(CopyAsync(client, server), CopyAsync(server, client));
        lock (_open)
        {
            _open.Remove(client);
            _open.Remove(server);
        }

        client.Dispose();
        server.Dispose();
    }

    /// <summary>The next target in turn that accepts a connection, or null when none does.</summary>
    private async Task<TcpClient?> ConnectToAnyAsync()
    {
        var first = Interlocked.Increment(ref _next);
        for (var i = 0; i < _targets.Count; i++)
        {
            var target = _targets[(int)((uint)(first + i) % (uint)_targets.Count)];
            var server = new TcpClient();
            try
            {
                await server.ConnectAsync(target.Host, target.Port, _stopping.Token);
                return server;
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
                server.Dispose();
            }
        }

        return null;
    }

    private static async Task CopyAsync(TcpClient from, TcpClient to)
    {
        try
        {
            await from.GetStream().CopyToAsync(to.GetStream());
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException or InvalidOperationException)
        {
            // One side went away.
        }
    }
}
