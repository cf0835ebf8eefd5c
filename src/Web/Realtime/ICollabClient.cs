using Collab.Documents;

namespace Collab.Web.Realtime;

/// <summary>What the server pushes to a connected client (SignalR method names are these method names).</summary>
public interface ICollabClient
{
    /// <summary>Ops committed to a document the client has open, in revision order (including the client's own).</summary>
    Task OpsCommitted(OpsCommitted committed);

    /// <summary>Everyone present in a document, with selections at a revision (at most ~10 per second per document).</summary>
    Task PresenceChanged(PresenceChanged presence);

    /// <summary>The document was locked or unlocked.</summary>
    Task LockChanged(LockChanged change);
}
