namespace Collab.Workshops;

/// <summary>
/// A globally unique key and the workshop that owns it: join codes (<c>code:…</c>) and seed keys (<c>seed:…</c>).
/// One grain per key, so that two workshops can never claim the same one.
/// </summary>
[Alias("collab.IKeyClaimGrain")]
public interface IKeyClaimGrain : IGrainWithStringKey
{
    /// <summary>Claims the key for a workshop; false when another workshop holds it. Claiming again is harmless.</summary>
    [Alias("claim")]
    Task<bool> ClaimAsync(string workshopId);

    /// <summary>The workshop holding the key, or null.</summary>
    [Alias("resolve")]
    Task<string?> ResolveAsync();

    /// <summary>Gives the key up if this workshop holds it.</summary>
    [Alias("release")]
    Task ReleaseAsync(string workshopId);
}

/// <summary>Grain keys of <see cref="IKeyClaimGrain"/>.</summary>
public static class ClaimKeys
{
    public static string JoinCode(string normalizedCode) => "code:" + normalizedCode;

    public static string Seed(string seedKey) => "seed:" + seedKey;

    /// <summary>The letters of a join code: upper case and digits without the look-alikes I, O, 0 and 1.</summary>
    public const string CodeAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    /// <summary>Characters in a join code: 50 bits, so that guessing one is hopeless.</summary>
    public const int CodeLength = 10;

    /// <summary>Whether a normalized code could be a join code at all; one that cannot is refused without a lookup.</summary>
    public static bool IsCodeShaped(string normalizedCode) =>
        normalizedCode is { Length: CodeLength } && normalizedCode.AsSpan().IndexOfAnyExcept(CodeAlphabet) < 0;

    /// <summary>A join code as stored: upper case, without the dashes and spaces people type between groups of characters.</summary>
    public static string NormalizeCode(string? code) =>
        new((code ?? "").Where(char.IsAsciiLetterOrDigit).Select(char.ToUpperInvariant).ToArray());
}
