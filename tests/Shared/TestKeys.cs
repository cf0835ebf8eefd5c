namespace Collab.Testing;

/// <summary>The token signing key every clustered test web node shares (as a real cluster's web nodes must).</summary>
public static class TestKeys
{
    public const string SigningKey = "Q29sbGFiIHRlc3Qgc2lnbmluZyBrZXkgLSBub3QgZm9yIHByb2R1Y3Rpb24h";
}
