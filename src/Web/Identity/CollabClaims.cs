using System.Security.Claims;
using Microsoft.AspNetCore.SignalR;

namespace Collab.Web.Identity;

/// <summary>
/// The claims of a Collab token and the one place where they become a <see cref="Caller"/>: hub and HTTP API both take
/// identity from the validated token only.
/// </summary>
public static class CollabClaims
{
    public const string Participant = "sub";
    public const string Workshop = "wid";
    public const string Role = "role";
    public const string Name = "name";
    public const string Delegation = "del";

    /// <summary>The claims a validated token leaves on the request or connection: the ones <see cref="CallerOf(ClaimsPrincipal)"/> reads.</summary>
    private static readonly string[] Kept = [Participant, Workshop, Role, Name, Delegation];

    /// <summary>
    /// What a request or hub connection keeps of a validated token: Collab's claims only, in a new identity that does not
    /// hold the token. A hub connection keeps its user as long as it is open, and the validated principal carries the
    /// parsed token and its registered claims (iss, aud, exp, nbf, iat), which nothing reads after validation.
    /// </summary>
    public static ClaimsPrincipal Keep(ClaimsPrincipal validated)
    {
        ArgumentNullException.ThrowIfNull(validated);
        var identity = new ClaimsIdentity(validated.Identity?.AuthenticationType, Name, Role);
        foreach (var type in Kept)
        {
            if (validated.FindFirst(type) is { } claim)
            {
                identity.AddClaim(new Claim(type, claim.Value, claim.ValueType, claim.Issuer));
            }
        }

        return new ClaimsPrincipal(identity);
    }

    /// <summary>The caller of a validated principal; throws if the token lacked a claim (it was not one of ours).</summary>
    public static Caller CallerOf(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        var participant = user.FindFirstValue(Participant);
        var workshop = user.FindFirstValue(Workshop);
        var role = user.FindFirstValue(Role);
        var name = user.FindFirstValue(Name);
        if (participant is null || workshop is null || name is null || !Enum.TryParse<Collab.Role>(role, ignoreCase: true, out var parsed))
        {
            throw new Collab.Errors.UnauthenticatedException("auth.invalid_token", "The token does not carry a Collab identity.");
        }

        return new Caller(participant, name, workshop, parsed, user.FindFirstValue(Delegation));
    }

    public static Caller CallerOf(HubCallerContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Items.TryGetValue(typeof(Caller), out var known) && known is Caller caller)
        {
            return caller;
        }

        caller = CallerOf(context.User ?? new ClaimsPrincipal());
        context.Items[typeof(Caller)] = caller;
        return caller;
    }

    /// <summary>SignalR user id: participant ids are unique only within a workshop.</summary>
    public static string UserId(string workshopId, string participantId) => workshopId + "/" + participantId;
}

/// <summary>Lets <c>Clients.Users(...)</c> address a workshop's participants.</summary>
internal sealed class CollabUserIdProvider : IUserIdProvider
{
    public string? GetUserId(HubConnectionContext connection) =>
        connection.User?.FindFirstValue(CollabClaims.Workshop) is { } wid && connection.User.FindFirstValue(CollabClaims.Participant) is { } pid
            ? CollabClaims.UserId(wid, pid)
            : null;
}
