using Collab.Sessions;

namespace Collab.Web.Realtime;

/// <summary>What a <see cref="WorkshopFanout"/> subscription follows.</summary>
public enum PushTopicKind
{
    /// <summary>A workshop: its workshop, presence, recommendation board and outcome grains (all keyed by its id).</summary>
    Workshop,

    /// <summary>One session of a workshop: its session grain.</summary>
    Session,
}

/// <summary>
/// One subscription of a web node to the grains that push non-text events, by kind and the key of those grains. Its
/// text (for logs) names both: <c>workshop ws-1</c>, <c>session ws-1/d1-opening</c>.
/// </summary>
public readonly record struct PushTopic(PushTopicKind Kind, string GrainKey)
{
    public static PushTopic Workshop(string workshopId) => new(PushTopicKind.Workshop, workshopId);

    public static PushTopic Session(string workshopId, string sessionId) => new(PushTopicKind.Session, SessionKeys.Of(workshopId, sessionId));

    public override string ToString() => Kind == PushTopicKind.Workshop ? $"workshop {GrainKey}" : $"session {GrainKey}";
}
