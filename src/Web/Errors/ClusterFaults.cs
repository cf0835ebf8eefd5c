using Collab.Errors;
using Orleans.Runtime.Messaging;

namespace Collab.Web.Errors;

/// <summary>
/// The one list of faults that mean "the cluster could not answer now" (a silo died or is starting, a gateway dropped,
/// storage blinked): nothing was decided, and the caller may send the same request again. The hub answers them with the
/// code <c>server.unavailable</c> and the HTTP API with 503; they are never a caller's mistake and never an uncoded error.
/// </summary>
public static class ClusterFaults
{
    public const string Code = "server.unavailable";

    /// <summary>
    /// True for a fault of the cluster's availability rather than of the request or of our code: the fault itself or
    /// one it wraps (a grain whose state could not be read fails its activation with Orleans' wrapper around the silo's
    /// <see cref="UnavailableException"/>).
    /// </summary>
    public static bool IsUnavailable(Exception error)
    {
        for (var (fault, depth) = (error, 0); fault is not null && depth < 16; (fault, depth) = (fault.InnerException, depth + 1))
        {
            if (IsAvailabilityFault(fault))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The typed answer for an availability fault.</summary>
    public static UnavailableException Unavailable(string message) => new(Code, message);

    private static bool IsAvailabilityFault(Exception fault) => fault is
        // The call got no answer in time (a silo died with it, or Orleans' per-call response timeout ran out).
        TimeoutException
        // Orleans could not deliver it: the target silo is dead or unknown, the activation failed or moved, no gateway
        // (SiloUnavailableException is one of these).
        or OrleansMessageRejectionException
        // The web node's connection to a gateway could not be opened (a silo just died or is restarting).
        or ConnectionFailedException
        // A gateway shed load.
        or GatewayTooBusyException
        // The silo's own answer: its database did not answer (see Collab.Hosting.Faults.StorageFaults).
        or UnavailableException;
}
