using Collab.Documents;
using Collab.Sessions;
using Collab.Workshops;

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

    /// <summary>What some people may do with the document changed (phase, session end, status, lock, members): reopen it to learn one's access.</summary>
    Task AccessChanged(AccessChanged change);

    /// <summary>A watched session changed: status, phase, timer, breakouts (keep the highest version).</summary>
    Task SessionChanged(SessionView session);

    /// <summary>An announcement to the session, or to the client's group.</summary>
    Task Announced(AnnouncementView announcement);

    /// <summary>A watched session's countdown reached its deadline.</summary>
    Task TimeUp(TimeUp timeUp);

    /// <summary>Facilitators only: the open help requests of a session.</summary>
    Task HelpQueueChanged(HelpQueue queue);

    /// <summary>To the participant who asked only: a facilitator handled their help request.</summary>
    Task HelpHandled(HelpHandled handled);

    /// <summary>Who is online in the workshop, in which rooms and documents: the whole list, when a delta would be longer.</summary>
    Task WorkshopPresenceChanged(WorkshopPresence presence);

    /// <summary>Who came, changed or left since the previous presence push (apply it to the version it follows).</summary>
    Task WorkshopPresenceDelta(WorkshopPresenceDelta delta);

    /// <summary>The workshop's metadata, roster size or live session changed.</summary>
    Task WorkshopChanged(WorkshopView workshop);

    /// <summary>A recommendation of the workshop changed (status, tally, translation flags, excerpt): the board's row.</summary>
    Task RecommendationChanged(Collab.Recommendations.RecommendationSummary summary);

    /// <summary>A rapporteur published a version of the outcome document; it can be downloaded now.</summary>
    Task OutcomePublished(Collab.Outcome.OutcomePublished published);

    /// <summary>This participant was removed from the workshop; the server closes the connection next.</summary>
    Task Revoked(Revoked revoked);
}

/// <summary>Why the server is about to close the connection.</summary>
public sealed record Revoked(string WorkshopId, string Code);
