using System.Data.Common;
using System.Net.Sockets;
using Collab.Errors;
using Orleans.Storage;

namespace Collab.Hosting.Faults;

/// <summary>
/// What a storage fault is, and the one answer the cluster gives for it. The database's own exceptions (Npgsql's,
/// SQLite's) are not serialisable by Orleans: sent to a caller on another process they arrive as a
/// <c>CodecNotFoundException</c>, which nobody can act on. So they never leave the silo: the storage adapters
/// (<see cref="FaultTranslatingGrainStorage"/>, <see cref="FaultTranslatingOpLog"/>, <see cref="FaultTranslatingReminderTable"/>)
/// and every grain call (<see cref="StorageFaultFilter"/>) turn them into <see cref="UnavailableException"/>
/// (<c>server.unavailable</c>): the cluster could not answer now, and the caller may send the same request again.
/// </summary>
public static class StorageFaults
{
    public const string Code = "server.unavailable";

    /// <summary>
    /// True when <paramref name="error"/>, or an exception it wraps (Orleans wraps storage errors in an
    /// <c>OrleansException</c>), says the database could not be reached or did not answer in time: its driver's
    /// exceptions (<see cref="DbException"/>: Npgsql, SQLite), the socket or file beneath it, a timeout, or one of these
    /// already translated.
    /// </summary>
    public static bool IsStorageFault(Exception error) =>
        Find(error, static e => e is DbException or IOException or SocketException or TimeoutException or UnavailableException) is not null;

    /// <summary>True when a storage adapter already turned the database's exception into <see cref="UnavailableException"/> (and logged it).</summary>
    public static bool IsTranslated(Exception error) => Find(error, static e => e is UnavailableException) is not null;

    /// <summary>The write was refused because another activation wrote first: this activation is stale.</summary>
    public static bool IsStaleState(Exception error) => Find(error, static e => e is InconsistentStateException) is not null;

    /// <summary>The answer a caller gets; it carries no inner exception, which could not cross the wire.</summary>
    public static UnavailableException Unavailable() =>
        new(Code, "The server could not reach its database just now; send the request again.");

    private static Exception? Find(Exception? error, Func<Exception, bool> match)
    {
        for (var depth = 0; error is not null && depth < 16; depth++)
        {
            if (match(error))
            {
                return error;
            }

            if (error is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions)
                {
                    if (Find(inner, match) is { } found)
                    {
                        return found;
                    }
                }
            }

            error = error.InnerException;
        }

        return null;
    }
}
