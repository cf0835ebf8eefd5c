using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;

namespace Collab.Web.Realtime;

/// <summary>
/// This node's live hub connections by participant, so that removing a participant ends their open connections at
/// once (their token is refused from then on). A per-node service, not static state.
/// </summary>
public sealed class ConnectionRegistry
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, HubCallerContext>> _byParticipant = new();

    public void Add(string workshopId, string participantId, HubCallerContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _byParticipant.GetOrAdd(workshopId + "/" + participantId, _ => new()).TryAdd(context.ConnectionId, context);
    }

    /// <summary>How many hub connections the participant has on this node now.</summary>
    public int CountOf(string workshopId, string participantId) =>
        _byParticipant.TryGetValue(workshopId + "/" + participantId, out var contexts) ? contexts.Count : 0;

    public void Remove(string workshopId, string participantId, string connectionId)
    {
        if (_byParticipant.TryGetValue(workshopId + "/" + participantId, out var contexts))
        {
            contexts.TryRemove(connectionId, out _);
        }
    }

    /// <summary>Ends every hub connection of this node (the node is stopping); clients reconnect by themselves.</summary>
    public void AbortAll()
    {
        foreach (var key in _byParticipant.Keys)
        {
            if (_byParticipant.TryRemove(key, out var contexts))
            {
                foreach (var context in contexts.Values)
                {
                    context.Abort();
                }
            }
        }
    }

    public void Abort(string workshopId, string participantId)
    {
        if (_byParticipant.TryRemove(workshopId + "/" + participantId, out var contexts))
        {
            foreach (var context in contexts.Values)
            {
                context.Abort();
            }
        }
    }
}
