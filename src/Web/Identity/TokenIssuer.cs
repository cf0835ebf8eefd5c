using System.Security.Claims;
using Collab.Workshops;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Collab.Web.Identity;

/// <summary>Signs the bearer token a join (or the creation of a workshop) yields.</summary>
public sealed class TokenIssuer(AuthOptions options, TimeProvider clock)
{
    private readonly JsonWebTokenHandler _handler = new();

    public IssuedToken Issue(string workshopId, ParticipantView participant)
    {
        ArgumentNullException.ThrowIfNull(participant);
        var now = clock.GetUtcNow();
        var expires = now + options.TokenLifetime;
        var claims = new List<Claim>
        {
            new(CollabClaims.Participant, participant.Id),
            new(CollabClaims.Workshop, workshopId),
            new(CollabClaims.Role, participant.Role.ToString().ToLowerInvariant()),
            new(CollabClaims.Name, participant.Name),
        };
        if (participant.Delegation is { } delegation)
        {
            claims.Add(new Claim(CollabClaims.Delegation, delegation));
        }

        var token = _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = AuthOptions.Issuer,
            Audience = AuthOptions.Audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expires.UtcDateTime,
            Subject = new ClaimsIdentity(claims),
            SigningCredentials = new SigningCredentials(options.SigningKey, SecurityAlgorithms.HmacSha256),
        });
        return new IssuedToken(token, expires);
    }
}

/// <summary>A bearer token and when it stops working.</summary>
public sealed record IssuedToken(string Token, DateTimeOffset ExpiresAt);
