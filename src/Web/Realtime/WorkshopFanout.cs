using Collab.Outcome;
using Collab.Recommendations;
using Collab.Sessions;
using Collab.Web.Identity;
using Collab.Workshops;
using Microsoft.AspNetCore.SignalR;

namespace Collab.Web.Realtime;

/// <summary>
/// The push path for everything that is not document text: one subscription per web node to each workshop (roster,
/// removals), its presence, and each session its clients watch; ref-counted by local connections and renewed below
/// the grains' expiry (a workshop's <see cref="PushTopic"/> covers its workshop, presence, recommendation board and outcome grains). Events go to SignalR groups (<see cref="WorkshopAudience"/>, <see cref="FacilitatorsAudience"/>,
/// <see cref="SessionAudience"/>) or, for one breakout group's announcements, to its members' user ids.
/// </summary>
public sealed partial class WorkshopFanout(
    IClusterClient cluster,
    IHubContext<CollabHub, ICollabClient> hub,
    ConnectionRegistry connections,
    RealtimeOptions options,
    ClusterChanges changes,
    ILogger<WorkshopFanout> logger) : BackgroundService, IWorkshopObserver, ISessionObserver, IPresenceObserver, IRecommendationObserver, IOutcomeObserver
{
    private readonly ObserverReference<IWorkshopObserver> _workshopRef = new();
    private readonly ObserverReference<ISessionObserver> _sessionRef = new();
    private readonly ObserverReference<IPresenceObserver> _presenceRef = new();
    private readonly ObserverReference<IRecommendationObserver> _recommendationRef = new();
    private readonly ObserverReference<IOutcomeObserver> _outcomeRef = new();
    private SubscriptionSet<PushTopic>? _subscriptions;

    // A SignalR group is called an audience in Collab's code: "group" means a breakout group everywhere else.

    /// <summary>The SignalR group of every connection of a workshop.</summary>
    public static string WorkshopAudience(string workshopId) => "ws:" + workshopId;

    public static string FacilitatorsAudience(string workshopId) => "ws:" + workshopId + ":facilitators";

    public static string SessionAudience(string workshopId, string sessionId) => "ss:" + SessionKeys.Of(workshopId, sessionId);

    public Task AcquireWorkshopAsync(string workshopId) => Subscriptions.AcquireAsync(PushTopic.Workshop(workshopId));

    public Task ReleaseWorkshopAsync(string workshopId) => Subscriptions.ReleaseAsync(PushTopic.Workshop(workshopId));

    public Task AcquireSessionAsync(string workshopId, string sessionId) => Subscriptions.AcquireAsync(PushTopic.Session(workshopId, sessionId));

    public Task ReleaseSessionAsync(string workshopId, string sessionId) => Subscriptions.ReleaseAsync(PushTopic.Session(workshopId, sessionId));

    private SubscriptionSet<PushTopic> Subscriptions => LazyInitializer.EnsureInitialized(
        ref _subscriptions, () => new(SubscribeAsync, UnsubscribeAsync, (e, topic) => LogUnsubscribeFailed(logger, e, topic)));

    private async Task UnsubscribeAsync(PushTopic topic)
    {
        var key = topic.GrainKey;
        if (topic.Kind == PushTopicKind.Workshop)
        {
            // Four grains, likely on different silos: one that cannot answer now must not hold back the others.
            await Task.WhenAll(
                cluster.GetGrain<IWorkshopGrain>(key).UnsubscribeAsync(WorkshopRef()),
                cluster.GetGrain<IPresenceGrain>(key).UnsubscribeAsync(PresenceRef()),
                cluster.GetGrain<IRecommendationBoardGrain>(key).UnsubscribeAsync(RecommendationRef()),
                cluster.GetGrain<IOutcomeGrain>(key).UnsubscribeAsync(OutcomeRef()));
        }
        else
        {
            await cluster.GetGrain<ISessionGrain>(key).UnsubscribeAsync(SessionRef());
        }
    }

    private async Task SubscribeAsync(PushTopic topic)
    {
        var key = topic.GrainKey;
        if (topic.Kind == PushTopicKind.Workshop)
        {
            await Task.WhenAll(
                cluster.GetGrain<IWorkshopGrain>(key).SubscribeAsync(WorkshopRef()),
                cluster.GetGrain<IPresenceGrain>(key).SubscribeAsync(PresenceRef()),
                cluster.GetGrain<IRecommendationBoardGrain>(key).SubscribeAsync(RecommendationRef()),
                cluster.GetGrain<IOutcomeGrain>(key).SubscribeAsync(OutcomeRef()));
        }
        else
        {
            await cluster.GetGrain<ISessionGrain>(key).SubscribeAsync(SessionRef());
        }
    }

    async Task IWorkshopObserver.ParticipantRemoved(string workshopId, string participantId)
    {
        await hub.Clients.User(CollabClaims.UserId(workshopId, participantId)).Revoked(new Revoked(workshopId, "auth.revoked"));
        connections.Abort(workshopId, participantId);
    }

    Task IWorkshopObserver.WorkshopChanged(WorkshopView workshop) =>
        hub.Clients.Group(WorkshopAudience(workshop.Id)).WorkshopChanged(workshop);

    Task IPresenceObserver.WorkshopPresenceChanged(WorkshopPresence presence) =>
        hub.Clients.Group(WorkshopAudience(presence.WorkshopId)).WorkshopPresenceChanged(presence);

    Task IPresenceObserver.WorkshopPresenceDelta(WorkshopPresenceDelta delta) =>
        hub.Clients.Group(WorkshopAudience(delta.WorkshopId)).WorkshopPresenceDelta(delta);

    Task ISessionObserver.SessionChanged(SessionView session) =>
        hub.Clients.Group(SessionAudience(session.WorkshopId, session.SessionId)).SessionChanged(session);

    async Task ISessionObserver.Announced(AnnouncementView announcement)
    {
        if (announcement.Recipients is null)
        {
            await hub.Clients.Group(SessionAudience(announcement.WorkshopId, announcement.SessionId)).Announced(announcement);
            return;
        }

        // One group's announcement: its members and the facilitators, nobody else.
        var members = announcement.Recipients.Select(p => CollabClaims.UserId(announcement.WorkshopId, p)).ToList();
        await hub.Clients.Users(members).Announced(announcement);
        await hub.Clients.Group(FacilitatorsAudience(announcement.WorkshopId)).Announced(announcement);
    }

    Task IRecommendationObserver.RecommendationChanged(RecommendationSummary summary) =>
        hub.Clients.Group(WorkshopAudience(summary.WorkshopId)).RecommendationChanged(summary);

    Task IOutcomeObserver.OutcomePublished(OutcomePublished published) =>
        hub.Clients.Group(WorkshopAudience(published.WorkshopId)).OutcomePublished(published);

    Task ISessionObserver.TimeUp(TimeUp timeUp) =>
        hub.Clients.Group(SessionAudience(timeUp.WorkshopId, timeUp.SessionId)).TimeUp(timeUp);

    Task ISessionObserver.HelpQueueChanged(HelpQueue queue) =>
        hub.Clients.Group(FacilitatorsAudience(queue.WorkshopId)).HelpQueueChanged(queue);

    Task ISessionObserver.HelpHandled(HelpHandled handled) =>
        hub.Clients.User(CollabClaims.UserId(handled.WorkshopId, handled.ParticipantId)).HelpHandled(handled);

    /// <summary>
    /// Renews every subscription on a timer, well inside the grains' expiry, and at once when grains may have moved
    /// (<see cref="ClusterChanges"/>). Never ends but when the node stops.
    /// </summary>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        changes.Changed += OnClusterChanged;
        try
        {
            await Subscriptions.RunRenewalsAsync(
                options.SubscriptionRenewal,
                (e, key) => LogRenewFailed(logger, e, key),
                (e, key) => LogPromptRenewFailed(logger, e, key),
                stoppingToken);
        }
        finally
        {
            changes.Changed -= OnClusterChanged;
        }
    }

    private void OnClusterChanged(string reason) => Subscriptions.RenewSoon();

    private IWorkshopObserver WorkshopRef() => _workshopRef.Of(this, cluster.CreateObjectReference<IWorkshopObserver>);

    private ISessionObserver SessionRef() => _sessionRef.Of(this, cluster.CreateObjectReference<ISessionObserver>);

    private IRecommendationObserver RecommendationRef() => _recommendationRef.Of(this, cluster.CreateObjectReference<IRecommendationObserver>);

    private IOutcomeObserver OutcomeRef() => _outcomeRef.Of(this, cluster.CreateObjectReference<IOutcomeObserver>);

    private IPresenceObserver PresenceRef() => _presenceRef.Of(this, cluster.CreateObjectReference<IPresenceObserver>);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Renewing the subscription to {Topic} failed")]
    private static partial void LogRenewFailed(ILogger logger, Exception error, PushTopic topic);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Unsubscribing from {Topic} failed; its grains forget this node at their observer expiry")]
    private static partial void LogUnsubscribeFailed(ILogger logger, Exception error, PushTopic topic);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Subscribing again to {Topic} failed; trying again in a moment")]
    private static partial void LogPromptRenewFailed(ILogger logger, Exception error, PushTopic topic);
}
