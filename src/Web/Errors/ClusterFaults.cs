using Collab.Errors;

namespace Collab.Web.Errors;

/// <summary>
/// The one list of faults that mean "the cluster could not answer now" (a silo died or is starting, a gateway dropped,
/// storage blinked): nothing was decided, and the caller may send the same request again. The hub answers them with the
/// code <c>server.unavailable</c> and the HTTP API with 503; they are never a caller's mistake and never an uncoded error.
/// </summary>
public static class ClusterFaults
{
    public const string Code = "server.unavailable";

    /// <summary>True for a fault of the cluster's availability rather than of the request or of our code.</summary>
    public static bool IsUnavailable(Exception error) => error is TimeoutException or SiloUnavailableException or OrleansMessageRejectionException;

    /// <summary>The typed answer for an availability fault.</summary>
    public static UnavailableException Unavailable(string message) => new(Code, message);
}
