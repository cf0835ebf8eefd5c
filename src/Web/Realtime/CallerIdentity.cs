using System.Text.RegularExpressions;
using Collab.Documents;
using Microsoft.AspNetCore.SignalR;

namespace Collab.Web.Realtime;

/// <summary>
/// The one place where identity enters the real-time path. Until sign-in lands, a connection states its display name
/// (<c>?name=</c>) and a stable participant id of its choosing (<c>?participant=</c>) in the hub URL.
/// </summary>
internal static partial class CallerIdentity
{
    private const int MaxNameLength = 80;

    public static Caller From(HubCallerContext context)
    {
        if (context.Items.TryGetValue(typeof(Caller), out var known) && known is Caller caller)
        {
            return caller;
        }

        var query = context.GetHttpContext()?.Request.Query;
        var name = Clean(query?["name"].ToString());
        var participant = query?["participant"].ToString() is { } p && ParticipantPattern().IsMatch(p) ? p : "anon-" + context.ConnectionId;
        caller = new Caller(participant, string.IsNullOrEmpty(name) ? "Anonymous" : name);
        context.Items[typeof(Caller)] = caller;
        return caller;
    }

    private static string Clean(string? name)
    {
        var trimmed = new string((name ?? "").Where(c => !char.IsControl(c)).ToArray()).Trim();
        return trimmed.Length > MaxNameLength ? trimmed[..MaxNameLength] : trimmed;
    }

    [GeneratedRegex("^[A-Za-z0-9._:-]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex ParticipantPattern();
}
