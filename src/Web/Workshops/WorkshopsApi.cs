using System.Security.Cryptography;
using Collab.Web.Errors;
using Collab.Web.Identity;
using Collab.Workshops;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Collab.Web.Workshops;

/// <summary>
/// <c>/api/workshops</c> and <c>/api/join</c>: create a workshop (anyone: its creator becomes its facilitator), join
/// with a code, and the facilitator's workshop, roster and join-code management. Every endpoint but create and join
/// needs a bearer token of that workshop; the grains decide what each role may do.
/// </summary>
public static class WorkshopsApi
{
    public static IEndpointRouteBuilder MapWorkshopsApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/api/workshops", CreateAsync).WithTags("Workshops").RequireRateLimiting(CollabAuth.JoinPolicy)
            .WithSummary("Create a workshop; its creator becomes its first facilitator and gets a token and the join codes")
            .ProducesCollabProblems();
        endpoints.MapPost("/api/join", JoinAsync).WithTags("Identity").WithMetadata(CollabProblems.RateLimited)
            .WithSummary("Exchange a join code (or a rejoin key) for a bearer token")
            .ProducesCollabProblems();
        endpoints.MapGet("/api/join/{code}", DescribeCodeAsync).WithTags("Identity").WithMetadata(CollabProblems.RateLimited)
            .WithSummary("What the join page shows for a join code before joining: the workshop's title, languages and delegations, and the role it grants")
            .ProducesCollabProblems();

        var group = endpoints.MapGroup("/api/workshops/{id}").WithTags("Workshops")
            .RequireAuthorization().ChecksCallerRoutes().RequireRateLimiting(CollabAuth.ParticipantPolicy).ProducesCollabProblems();
        group.MapGet("/", async (string id, HttpContext http, IClusterClient cluster) =>
            TypedResults.Ok(await Grain(cluster, id).GetAsync(Caller(http))))
            .WithSummary("The workshop: metadata, languages, delegations, agenda and plenary documents");
        group.MapPut("/", UpdateAsync).WithSummary("Update the workshop's metadata, delegations and agenda (facilitators; expectedVersion guards concurrent edits)");
        group.MapGet("/me", (HttpContext http) => TypedResults.Ok(Caller(http))).WithSummary("Who the token says the caller is");
        group.MapGet("/roster", async (string id, HttpContext http, IClusterClient cluster) =>
            TypedResults.Ok(await Grain(cluster, id).GetRosterAsync(Caller(http))))
            .WithSummary("The roster: participants, their roles and delegations");
        group.MapPost("/roster", ImportRosterAsync).Accepts<string>("text/csv").WithSummary("Import roster entries from CSV (facilitators)");
        group.MapPost("/roster/preview", PreviewRosterAsync).Accepts<string>("text/csv")
            .WithSummary("What importing this roster CSV would do, line by line (added, updated or the line's error); stores nothing (facilitators)");
        group.MapPost("/participants/{participantId}/rejoin-key", async (string id, string participantId, HttpContext http, IClusterClient cluster) =>
            TypedResults.Ok(await Grain(cluster, id).ResetRejoinKeyAsync(new ResetRejoinKey(Caller(http), participantId))))
            .WithSummary("Give a participant who lost their rejoin key a new one, answered once; the old key stops working (facilitators)");
        group.MapDelete("/participants/{participantId}", async (string id, string participantId, HttpContext http, IClusterClient cluster) =>
        {
            await Grain(cluster, id).RemoveParticipantAsync(new RemoveParticipant(Caller(http), participantId));
            return TypedResults.NoContent();
        }).WithSummary("Remove a participant: their token stops working and their connections are closed (facilitators)");
        group.MapGet("/join-codes", async (string id, HttpContext http, IClusterClient cluster, JoinGate joins) =>
        {
            var codes = await Grain(cluster, id).GetJoinCodesAsync(Caller(http));
            joins.Learn(codes.Select(c => c.Code));
            return TypedResults.Ok(codes);
        }).WithSummary("The current join code of each role (facilitators)");
        group.MapPost("/join-codes/{role}/rotate", async (string id, string role, HttpContext http, IClusterClient cluster, JoinGate joins) =>
        {
            var rotated = await Grain(cluster, id).RotateJoinCodeAsync(new RotateJoinCode(Caller(http), RoleOf(role)));
            joins.Learn([rotated.Code]);
            return TypedResults.Ok(rotated);
        }).WithSummary("Replace a role's join code; the old one stops working (facilitators)");
        group.MapGet("/presence", async (string id, HttpContext http, IClusterClient cluster) =>
            TypedResults.Ok(await cluster.GetGrain<IPresenceGrain>(id).GetAsync(Caller(http))))
            .WithSummary("Who is online now, and in which room or document");
        return endpoints;
    }

    internal static Caller Caller(HttpContext http) => CollabClaims.CallerOf(http.User);

    private static async Task<Created<CreatedWorkshopResponse>> CreateAsync(CreateWorkshopRequest request, IClusterClient cluster, TokenIssuer tokens, JoinGate joins)
    {
        var id = NewWorkshopId();
        var created = await Grain(cluster, id).CreateAsync(new CreateWorkshop(
            request.Title ?? "",
            request.Venue,
            request.StartsOn,
            request.EndsOn,
            request.Languages ?? [],
            request.Organisers,
            request.Funders,
            Delegations(request.Delegations),
            Agenda(request.Agenda),
            request.Creator?.Name ?? "",
            request.Creator?.Delegation,
            request.Creator?.Language,
            request.SeedKey,
            Themes(request.Themes)));
        joins.Learn(created.JoinCodes.Select(c => c.Code));
        var token = tokens.Issue(id, created.Creator.Participant);
        return TypedResults.Created(
            $"/api/workshops/{id}",
            new CreatedWorkshopResponse(created.Workshop, created.JoinCodes, JoinedResponse.Of(created.Creator, token)));
    }

    private static async Task<Ok<WorkshopView>> UpdateAsync(string id, UpdateWorkshopRequest request, HttpContext http, IClusterClient cluster) =>
        TypedResults.Ok(await Grain(cluster, id).UpdateAsync(new UpdateWorkshop(
            Caller(http),
            request.ExpectedVersion,
            request.Title ?? "",
            request.Venue,
            request.StartsOn,
            request.EndsOn,
            request.Languages ?? [],
            request.Organisers,
            request.Funders,
            Delegations(request.Delegations),
            Agenda(request.Agenda),
            Themes(request.Themes))));

    private static async Task<Ok<JoinedResponse>> JoinAsync(JoinRequest request, IClusterClient cluster, TokenIssuer tokens, JoinGate joins, HttpContext http)
    {
        var invalid = new Collab.Errors.UnauthenticatedException("join.code_invalid", "This join code is not valid (it may have been replaced); ask the facilitator for the current one.");

        // What cannot be a code is refused without asking the cluster (a code is 10 letters; people add dashes and spaces).
        var code = request.Code is { Length: <= 64 } typed ? ClaimKeys.NormalizeCode(typed) : "";
        if (!ClaimKeys.IsCodeShaped(code))
        {
            throw joins.Failed(invalid);
        }

        var workshopId = await joins.ResolveAsync(
            code, () => cluster.GetGrain<IKeyClaimGrain>(ClaimKeys.JoinCode(code)).ResolveAsync(), http.RequestAborted)
            ?? throw joins.Failed(invalid);
        try
        {
            var joined = await Grain(cluster, workshopId).JoinAsync(new JoinWorkshop(code, request.DisplayName, request.Delegation, request.Language, request.RejoinKey));
            return TypedResults.Ok(JoinedResponse.Of(joined, tokens.Issue(workshopId, joined.Participant)));
        }
        catch (Collab.Errors.UnauthenticatedException refused)
        {
            // A code replaced since this node learnt it, or a rejoin key nobody holds: failed attempts too.
            throw joins.Failed(refused);
        }
    }

    /// <summary>
    /// A join code's workshop as the join page shows it, within the same budgets as joining (<see cref="JoinGate"/>):
    /// a code that does not work counts as a failed attempt and is answered like one.
    /// </summary>
    private static async Task<Ok<JoinCodeInfo>> DescribeCodeAsync(string code, IClusterClient cluster, JoinGate joins, HttpContext http)
    {
        var invalid = new Collab.Errors.UnauthenticatedException("join.code_invalid", "This join code is not valid (it may have been replaced); ask the facilitator for the current one.");
        var normal = code is { Length: <= 64 } typed ? ClaimKeys.NormalizeCode(typed) : "";
        if (!ClaimKeys.IsCodeShaped(normal))
        {
            throw joins.Failed(invalid);
        }

        var workshopId = await joins.ResolveAsync(
            normal, () => cluster.GetGrain<IKeyClaimGrain>(ClaimKeys.JoinCode(normal)).ResolveAsync(), http.RequestAborted)
            ?? throw joins.Failed(invalid);
        try
        {
            return TypedResults.Ok(await Grain(cluster, workshopId).DescribeJoinCodeAsync(normal));
        }
        catch (Collab.Errors.UnauthenticatedException refused)
        {
            throw joins.Failed(refused);
        }
    }

    private static async Task<Ok<RosterImported>> ImportRosterAsync(string id, HttpContext http, IClusterClient cluster, Collab.Hosting.Configuration.CollabOptions options)
    {
        var entries = await RosterCsv.ParseAsync(http.Request.Body, options.Limits.MaxParticipants, http.RequestAborted);
        return TypedResults.Ok(await Grain(cluster, id).ImportRosterAsync(new ImportRoster(Caller(http), entries)));
    }

    private static async Task<Ok<RosterPreview>> PreviewRosterAsync(string id, HttpContext http, IClusterClient cluster, Collab.Hosting.Configuration.CollabOptions options)
    {
        var (entries, lines, errors) = await RosterCsv.PreviewAsync(http.Request.Body, options.Limits.MaxParticipants, http.RequestAborted);
        var preview = await Grain(cluster, id).PreviewRosterAsync(new ImportRoster(Caller(http), entries));

        // The grain answers one row per entry, in order: each gets its line in the file back.
        var rows = preview.Rows.Select((row, i) => row with { Line = lines[i] }).Concat(errors).OrderBy(r => r.Line).ToList();
        return TypedResults.Ok(preview with { Rows = rows });
    }

    private static IWorkshopGrain Grain(IClusterClient cluster, string id) => cluster.GetGrain<IWorkshopGrain>(id);

    /// <summary>
    /// A role as the API spells it (camelCase, like in JSON: <c>participant</c>). Route binding of an enum is
    /// case-sensitive and also takes numbers, so the name is matched here instead.
    /// </summary>
    private static Role RoleOf(string role)
    {
        foreach (var known in Enum.GetValues<Role>())
        {
            if (string.Equals(known.ToString(), role, StringComparison.OrdinalIgnoreCase))
            {
                return known;
            }
        }

        throw new Collab.Errors.ValidationFailedException(
            "join.role_invalid", $"'{role}' is not a role; use facilitator, rapporteur, participant or observer.", "role");
    }

    private static List<Delegation>? Delegations(IReadOnlyList<DelegationRequest>? delegations) =>
        delegations?.Select(d => new Delegation(d?.Id ?? "", d?.Name ?? "", d?.Kind, d?.Language, d?.Names)).ToList();

    private static List<ThemeName>? Themes(IReadOnlyList<ThemeRequest>? themes) =>
        themes?.Select(t => new ThemeName(t?.Name ?? "", t?.Names)).ToList();

    private static List<AgendaSession>? Agenda(IReadOnlyList<AgendaSessionRequest>? agenda) =>
        agenda?.Select(s => new AgendaSession(s?.Id ?? "", s?.Day ?? 0, s?.Title ?? "", s?.Kind ?? "plenary", s?.StartsAt, s?.EndsAt, s?.Phases ?? [], s?.PhaseRules, Sessions.SessionsApi.Templates(s?.GroupDocuments), s?.Titles)).ToList();

    /// <summary>12 characters of lower-case base32: short enough to read aloud, 60 bits against guessing.</summary>
    private static string NewWorkshopId()
    {
        const string alphabet = "abcdefghijkmnpqrstuvwxyz23456789";
        return string.Create(12, 0, static (chars, _) =>
        {
            for (var i = 0; i < chars.Length; i++)
            {
                chars[i] = alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)];
            }
        });
    }
}
