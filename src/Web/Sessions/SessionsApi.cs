using Collab.Sessions;
using Collab.Web.Errors;
using Collab.Web.Identity;
using Microsoft.AspNetCore.Http.HttpResults;
using static Collab.Web.Workshops.WorkshopsApi;

namespace Collab.Web.Sessions;

/// <summary>
/// <c>/api/workshops/{id}/sessions/{sessionId}</c>: run a live session (facilitators) and ask for help (everyone).
/// Changes reach connected clients through the hub (<c>WatchSession</c>); the grains decide who may do what.
/// </summary>
public static class SessionsApi
{
    public static IEndpointRouteBuilder MapSessionsApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/workshops/{id}/sessions/{sessionId}").WithTags("Sessions")
            .RequireAuthorization().ChecksCallerRoutes().RequireRateLimiting(CollabAuth.ParticipantPolicy).ProducesCollabProblems();
        group.MapGet("/", async (string id, string sessionId, HttpContext http, IClusterClient cluster) =>
            TypedResults.Ok(await Grain(cluster, id, sessionId).GetAsync(Caller(http))))
            .WithSummary("The session: status, phase, timer, breakout groups and who is where");
        foreach (var action in Enum.GetValues<SessionAction>())
        {
            group.MapPost("/" + action.ToString().ToLowerInvariant(), async (string id, string sessionId, HttpContext http, IClusterClient cluster) =>
                TypedResults.Ok(await Grain(cluster, id, sessionId).ControlAsync(new ControlSession(Caller(http), action))))
                .WithSummary($"Session control: {action.ToString().ToLowerInvariant()} (facilitators)");
        }

        group.MapPost("/phase", async (string id, string sessionId, SetPhaseRequest request, HttpContext http, IClusterClient cluster) =>
            TypedResults.Ok(await Grain(cluster, id, sessionId).SetPhaseAsync(new SetPhase(Caller(http), request.Phase ?? ""))))
            .WithSummary("Move the session to one of its agenda's phases (facilitators)");
        group.MapPost("/timer", async (string id, string sessionId, SetTimerRequest request, HttpContext http, IClusterClient cluster) =>
            TypedResults.Ok(await Grain(cluster, id, sessionId).SetTimerAsync(
                new SetTimer(Caller(http), request.Action, TimeSpan.FromSeconds(request.Seconds ?? 0), request.Label))))
            .WithSummary("Start, extend or cancel the countdown (facilitators)");
        group.MapPost("/announcements", async (string id, string sessionId, AnnounceRequest request, HttpContext http, IClusterClient cluster) =>
            TypedResults.Ok(await Grain(cluster, id, sessionId).AnnounceAsync(new Announce(Caller(http), request.Text ?? "", request.GroupId))))
            .WithSummary("Announce to the whole session or to one group (facilitators)");
        group.MapPost("/help", async (string id, string sessionId, AskForHelpRequest request, HttpContext http, IClusterClient cluster) =>
            TypedResults.Ok(await Grain(cluster, id, sessionId).AskForHelpAsync(new AskForHelp(Caller(http), request.Message))))
            .WithSummary("Ask the facilitators for help");
        group.MapGet("/help", async (string id, string sessionId, HttpContext http, IClusterClient cluster) =>
            TypedResults.Ok(await Grain(cluster, id, sessionId).GetHelpQueueAsync(Caller(http))))
            .WithSummary("The open help requests (facilitators)");
        group.MapPost("/help/{requestId}/resolve", async (string id, string sessionId, string requestId, HttpContext http, IClusterClient cluster) =>
            TypedResults.Ok(await Grain(cluster, id, sessionId).ResolveHelpAsync(new ResolveHelp(Caller(http), requestId))))
            .WithSummary("Mark a help request resolved (facilitators)");
        group.MapGet("/groups", async (string id, string sessionId, HttpContext http, IClusterClient cluster) =>
            TypedResults.Ok(await Grain(cluster, id, sessionId).GetGroupsAsync(Caller(http))))
            .WithSummary("Every breakout group the session opened, earlier rounds first, with its documents and members (facilitators, rapporteurs)");
        group.MapPut("/group-documents", async (string id, string sessionId, GroupDocumentsRequest request, HttpContext http, IClusterClient cluster) =>
            TypedResults.Ok(await cluster.GetGrain<Collab.Workshops.IWorkshopGrain>(id).SetGroupDocumentsAsync(
                new Collab.Workshops.SetGroupDocuments(Caller(http), sessionId, Templates(request.GroupDocuments)))))
            .WithSummary("Set the documents each breakout group of the session gets from now on; null: the default ones (facilitators)");
        group.MapPost("/breakouts", OpenBreakoutsAsync).WithSummary("Open breakout groups, each with its documents (facilitators)");
        group.MapPost("/breakouts/move", async (string id, string sessionId, MoveRequest request, HttpContext http, IClusterClient cluster) =>
            TypedResults.Ok(await Grain(cluster, id, sessionId).MoveParticipantAsync(new MoveParticipant(Caller(http), request.ParticipantId ?? "", request.GroupId))))
            .WithSummary("Move a participant to a group, or back to plenary (facilitators)");
        group.MapPost("/breakouts/choose", async (string id, string sessionId, ChooseGroupRequest request, HttpContext http, IClusterClient cluster) =>
            TypedResults.Ok(await Grain(cluster, id, sessionId).ChooseGroupAsync(new ChooseGroup(Caller(http), request.GroupId ?? ""))))
            .WithSummary("Join a group of one's choice (self-select assignment)");
        group.MapPost("/breakouts/recall", async (string id, string sessionId, RecallRequest? request, HttpContext http, IClusterClient cluster) =>
            TypedResults.Ok(await Grain(cluster, id, sessionId).RecallAsync(new Recall(Caller(http), request?.Freeze ?? false))))
            .WithSummary("Recall everyone to plenary, optionally freezing the groups' notes (facilitators)");
        group.MapPost("/breakouts/reopen", async (string id, string sessionId, HttpContext http, IClusterClient cluster) =>
            TypedResults.Ok(await Grain(cluster, id, sessionId).ReopenAsync(Caller(http))))
            .WithSummary("Reopen the recalled breakout groups (facilitators)");
        return endpoints;
    }

    private static async Task<Ok<SessionView>> OpenBreakoutsAsync(
        string id, string sessionId, OpenBreakoutsRequest request, HttpContext http, IClusterClient cluster) =>
        TypedResults.Ok(await Grain(cluster, id, sessionId).OpenBreakoutsAsync(new OpenBreakouts(
            Caller(http),
            request.Naming ?? GroupNaming.Numbered,
            request.Count,
            request.Names,
            request.Assignment ?? AssignmentMode.MixDelegations,
            Templates(request.Sections))));

    /// <summary>Group document templates as the grains take them (they check them).</summary>
    public static List<SectionTemplate>? Templates(IReadOnlyList<SectionRequest>? sections) =>
        sections?.Select(s => new SectionTemplate(s?.Key ?? "", s?.Titles ?? new Dictionary<string, string>(), s?.Text, s?.Guidance)).ToList();

    private static ISessionGrain Grain(IClusterClient cluster, string id, string sessionId) =>
        cluster.GetGrain<ISessionGrain>(SessionKeys.Of(id, sessionId));
}

public sealed record SetPhaseRequest(string? Phase);

/// <summary><c>action</c>: start (a countdown of <c>seconds</c>), extend (by <c>seconds</c>) or cancel.</summary>
public sealed record SetTimerRequest(TimerAction Action, int? Seconds, string? Label);

/// <summary>An announcement to the whole session, or to one group with <c>groupId</c>.</summary>
public sealed record AnnounceRequest(string? Text, string? GroupId);

public sealed record AskForHelpRequest(string? Message);

/// <summary>
/// <c>naming</c>: numbered (with <c>count</c>), perDelegation, or named (with <c>names</c>);
/// <c>assignment</c>: manual, preassigned, mixDelegations (default), keepDelegations, selfSelect;
/// <c>sections</c>: the documents each group gets (default: the session's <c>groupDocuments</c> on the agenda, else best
/// practices, lessons learnt, challenges, group report).
/// </summary>
public sealed record OpenBreakoutsRequest(
    GroupNaming? Naming,
    int? Count,
    IReadOnlyList<string>? Names,
    AssignmentMode? Assignment,
    IReadOnlyList<SectionRequest>? Sections);

/// <summary>A group document template: key, title per language, initial text, and guidance per language shown while it is empty.</summary>
public sealed record SectionRequest(string? Key, IReadOnlyDictionary<string, string>? Titles, string? Text, IReadOnlyDictionary<string, string>? Guidance = null);

/// <summary>The documents each breakout group of a session gets from now on (null or empty: the default ones).</summary>
public sealed record GroupDocumentsRequest(IReadOnlyList<SectionRequest>? GroupDocuments);

/// <summary>Moves a participant to <c>groupId</c>, or back to plenary when it is null.</summary>
public sealed record MoveRequest(string? ParticipantId, string? GroupId);

public sealed record ChooseGroupRequest(string? GroupId);

public sealed record RecallRequest(bool Freeze);
