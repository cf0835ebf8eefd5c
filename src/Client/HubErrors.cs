using System.Text.RegularExpressions;
using Microsoft.AspNetCore.SignalR;

namespace Collab.Client;

/// <summary>
/// Reads the error code of a rejected hub call. The server throws <c>HubException("&lt;code&gt;: &lt;message&gt;")</c>;
/// SignalR delivers it as "An unexpected error occurred invoking 'X' on the server. HubException: &lt;code&gt;: &lt;message&gt;".
/// </summary>
public static partial class HubErrors
{
    public static string? CodeOf(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return error is HubException && Code().Match(error.Message) is { Success: true } match ? match.Groups[1].Value : null;
    }

    [GeneratedRegex(@"(?:^|HubException:\s*)([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+):\s", RegexOptions.CultureInvariant)]
    private static partial Regex Code();
}
