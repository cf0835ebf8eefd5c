using Collab.Documents;

namespace Collab.Web.Realtime;

/// <summary>
/// One document's submitting connections on one web node (<see cref="DocumentFanout"/>): for each connection that has the
/// document open and submitted an op over it, the client id it submitted under. A push whose ops all come from one of
/// them need not go back to it: its <c>SubmitOp</c> answer is the ack and carries the op. At most one entry per
/// connection (a connection that submits under another client id replaces its entry), so the book is bounded by the
/// connections that have the document open. Not thread-safe: the fan-out locks the instance.
/// </summary>
public sealed class Submitters
{
    private readonly Dictionary<string, (string ConnectionId, string ParticipantId)> _byClient = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _clientOf = new(StringComparer.Ordinal);

    /// <summary>Longer than any client id a document accepts (64 by default): a longer one is not noted.</summary>
    public const int MaxClientIdLength = 256;

    public int Count => _clientOf.Count;

    /// <summary>
    /// <paramref name="connectionId"/> of <paramref name="participantId"/> submits under <paramref name="clientId"/>.
    /// False when the book already said so (every op after a connection's first: nothing is written).
    /// </summary>
    public bool Note(string clientId, string connectionId, string participantId)
    {
        if (clientId.Length > MaxClientIdLength)
        {
            Forget(connectionId);
            return false;
        }

        if (_byClient.TryGetValue(clientId, out var known) && known.ConnectionId == connectionId && known.ParticipantId == participantId)
        {
            return false;
        }

        if (_clientOf.TryGetValue(connectionId, out var previous) && previous != clientId
            && _byClient.TryGetValue(previous, out var held) && held.ConnectionId == connectionId)
        {
            _byClient.Remove(previous);
        }

        // A client id now used over another connection (a reconnect resubmits under the same id) moves to it.
        if (_byClient.TryGetValue(clientId, out var other) && other.ConnectionId != connectionId)
        {
            _clientOf.Remove(other.ConnectionId);
        }

        _clientOf[connectionId] = clientId;
        _byClient[clientId] = (connectionId, participantId);
        return true;
    }

    /// <summary>The connection closed the document (or is gone).</summary>
    public void Forget(string connectionId)
    {
        if (_clientOf.Remove(connectionId, out var clientId)
            && _byClient.TryGetValue(clientId, out var held) && held.ConnectionId == connectionId)
        {
            _byClient.Remove(clientId);
        }
    }

    /// <summary>
    /// The connection that submitted every one of <paramref name="ops"/>, if one did: all under one client id, which a
    /// connection of the ops' author submitted under last. Null when several clients' ops are in the push, or the author's
    /// connection is not known here (an HTTP edit, another node, or an id another participant's connection claimed).
    /// </summary>
    public string? SoleSubmitter(IReadOnlyList<CommittedOp> ops)
    {
        if (ops.Count == 0 || !_byClient.TryGetValue(ops[0].ClientId, out var submitter))
        {
            return null;
        }

        foreach (var op in ops)
        {
            if (op.ClientId != ops[0].ClientId || op.AuthorId != submitter.ParticipantId)
            {
                return null;
            }
        }

        return submitter.ConnectionId;
    }
}
