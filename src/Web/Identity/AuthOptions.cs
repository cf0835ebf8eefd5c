using Microsoft.IdentityModel.Tokens;

namespace Collab.Web.Identity;

/// <summary><c>Collab:Auth:*</c>: how tokens are signed and how long they live.</summary>
public sealed record AuthOptions
{
    public const string Issuer = "collab";
    public const string Audience = "collab";

    /// <summary>The HMAC-SHA256 key (from <c>Collab:Auth:SigningKey</c>, or the embedded data folder's <c>signing.key</c>).</summary>
    public required SymmetricSecurityKey SigningKey { get; init; }

    /// <summary><c>Collab:Auth:TokenLifetimeHours</c>: how long a token is valid (default one week: a workshop and its follow-up).</summary>
    public TimeSpan TokenLifetime { get; init; } = TimeSpan.FromDays(7);

    /// <summary>
    /// <c>Collab:Auth:JoinsPerSecond</c>: joins a web node admits per second, whoever sends them (never per IP address: a
    /// venue shares one). Bursts of ten times that fit a room of 200 joining at once.
    /// </summary>
    public int JoinsPerSecond { get; init; } = 50;

    /// <summary><c>Collab:Auth:RequestsPerSecondPerParticipant</c>: HTTP API calls per participant per second (bursts of twice that).</summary>
    public int RequestsPerSecondPerParticipant { get; init; } = 20;
}
