using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Collab.IntegrationTests.Infrastructure;

/// <summary>
/// A TCP proxy on 127.0.0.1 between a cluster and the test PostgreSQL server, so that a test can "stop PostgreSQL" for
/// its own cluster only: <see cref="BeginOutage"/> resets every open connection and refuses new ones until
/// <see cref="EndOutage"/>; <see cref="BeginStall"/> makes it hang instead (nothing flows, nothing fails) until
/// <see cref="EndStall"/>. The shared server itself is never stopped (other tests use it at the same time).
/// </summary>
internal sealed class DatabaseProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly string _targetHost;
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<(TcpClient Client, TcpClient Server)> _open = [];
    private readonly Task _accepting;
    private volatile bool _down;
    private TaskCompletionSource _flowing = Flowing();
    private int _refused;

    private DatabaseProxy(string targetHost, int targetPort)
    {
        _targetHost = targetHost;
        _targetPort = targetPort;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    /// <summary><paramref name="connectionString"/> rewritten to go through the proxy.</summary>
    public string ConnectionString { get; private set; } = "";

    /// <summary>Connections refused or reset since the first outage began.</summary>
    public int Refused => Volatile.Read(ref _refused);

    /// <summary>A proxy for the server and database of <paramref name="connectionString"/>.</summary>
    public static DatabaseProxy For(string connectionString)
    {
        var target = new NpgsqlConnectionStringBuilder(connectionString);
        var proxy = new DatabaseProxy(target.Host ?? "127.0.0.1", target.Port);
        var through = new NpgsqlConnectionStringBuilder(connectionString)
        {
            Host = "127.0.0.1",
            Port = ((IPEndPoint)proxy._listener.LocalEndpoint).Port,
        };
        proxy.ConnectionString = through.ConnectionString;
        return proxy;
    }

    /// <summary>The database is gone: every open connection is reset, new ones are reset as soon as they arrive.</summary>
    public void BeginOutage()
    {
        _down = true;
        List<(TcpClient Client, TcpClient Server)> open;
        lock (_open)
        {
            open = [.. _open];
            _open.Clear();
        }

        foreach (var (client, server) in open)
        {
            Reset(client);
            Reset(server);
        }
    }

    /// <summary>The database is back: new connections go through again.</summary>
    public void EndOutage() => _down = false;

    /// <summary>The database hangs: no byte goes either way on any connection, old or new, until <see cref="EndStall"/>.</summary>
    public void BeginStall() => Interlocked.Exchange(ref _flowing, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    /// <summary>The database answers again, from where it stopped.</summary>
    public void EndStall() => Volatile.Read(ref _flowing).TrySetResult();

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        BeginOutage();
        try
        {
            await _accepting;
        }
        catch (OperationCanceledException)
        {
            // Stopped.
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

            if (_down)
            {
                Interlocked.Increment(ref _refused);
                Reset(client);
                continue;
            }

            _ = PipeAsync(client);
        }
    }

    private async Task PipeAsync(TcpClient client)
    {
        var server = new TcpClient();
        try
        {
            await server.ConnectAsync(_targetHost, _targetPort, _stopping.Token);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            Reset(client);
            server.Dispose();
            return;
        }

        lock (_open)
        {
            if (_down)
            {
                Interlocked.Increment(ref _refused);
                Reset(client);
                Reset(server);
                return;
            }

            _open.Add((client, server));
        }

        // Each direction ends when either side closes or is reset; the other side is then reset too.
        await Task.WhenAny(CopyAsync(client, server), CopyAsync(server, client));
        Forget(client, server);
    }

    private void Forget(TcpClient client, TcpClient server)
    {
        lock (_open)
        {
            _open.Remove((client, server));
        }

        Reset(client);
        Reset(server);
    }

    /// <summary>Copies one direction, holding each chunk while the proxy is stalled.</summary>
    private async Task CopyAsync(TcpClient from, TcpClient to)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            var source = from.GetStream();
            var target = to.GetStream();
            while (true)
            {
                var read = await source.ReadAsync(buffer, _stopping.Token);
                if (read == 0)
                {
                    return;
                }

                await Volatile.Read(ref _flowing).Task.WaitAsync(_stopping.Token);
                await target.WriteAsync(buffer.AsMemory(0, read), _stopping.Token);
            }
        }
        catch (OperationCanceledException)
        {
            // The proxy is stopping.
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException or InvalidOperationException)
        {
            // The connection was reset (by the peer or by an outage).
        }
    }

    private static TaskCompletionSource Flowing()
    {
        var flowing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        flowing.TrySetResult();
        return flowing;
    }

    /// <summary>Closes with a TCP reset, as a crashed server's kernel would.</summary>
    private static void Reset(TcpClient connection)
    {
        try
        {
            // A connection its pump has already closed has no socket any more (Client is then null).
            if (connection.Client is { } socket)
            {
                socket.LingerState = new LingerOption(true, 0);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already closed.
        }

        connection.Dispose();
    }
}
