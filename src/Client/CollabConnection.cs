using Collab.Documents;
using Microsoft.AspNetCore.SignalR.Client;

namespace Collab.Client;

/// <summary>
/// A connection to <c>/hubs/collab</c> with any number of open <see cref="SharedDocument"/>s. Reconnects
/// automatically and then catches every open document up and resends what was pending.
/// </summary>
public sealed class CollabConnection : IAsyncDisposable
{
    private readonly Dictionary<string, SharedDocument> _documents = [];

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
        connection.Reconnected += async _ =>
        {
            foreach (var document in Documents())
            {
                await document.CatchUpAsync();
            }
        };
    }

    public HubConnection Connection { get; }

    public event Action<PresenceChanged>? PresenceChanged;

    public event Action<LockChanged>? LockChanged;

    /// <summary>Connects to <paramref name="hubUrl"/>; <paramref name="configure"/> may set transports or a test server handler.</summary>
    public static async Task<CollabConnection> ConnectAsync(
        Uri hubUrl, string displayName, Action<HubConnectionBuilder>? configure = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(hubUrl);
        var url = new UriBuilder(hubUrl) { Query = "name=" + Uri.EscapeDataString(displayName) }.Uri;
        var builder = new HubConnectionBuilder();
        builder.WithUrl(url);
        builder.WithAutomaticReconnect([TimeSpan.Zero, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5)]);
        configure?.Invoke(builder);
        var connection = new CollabConnection(builder.Build());
        await connection.Connection.StartAsync(cancellationToken);
        return connection;
    }

    /// <summary>Opens a document (a snapshot at the current revision) with a fresh client id.</summary>
    public async Task<SharedDocument> OpenAsync(string docId, CancellationToken cancellationToken = default)
    {
        var document = new SharedDocument(Connection, docId, Guid.NewGuid().ToString("N"));
        lock (_documents)
        {
            _documents[docId] = document;
        }

        var opened = await Connection.InvokeAsync<OpenedDocument>("OpenDocument", new { docId, lastRevision = (int?)null }, cancellationToken);
        document.Load(opened);
        return document;
    }

    public async Task CloseAsync(string docId)
    {
        lock (_documents)
        {
            _documents.Remove(docId);
        }

        await Connection.InvokeAsync("CloseDocument", new { docId });
    }

    public ValueTask DisposeAsync() => Connection.DisposeAsync();

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
