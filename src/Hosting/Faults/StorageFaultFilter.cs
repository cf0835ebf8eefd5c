using Collab.Errors;
using Microsoft.Extensions.Logging;

namespace Collab.Hosting.Faults;

/// <summary>
/// The grain boundary for storage faults: a grain call that fails because the database did not answer (or refused a
/// stale write) answers <see cref="UnavailableException"/> (<c>server.unavailable</c>) instead of the database's own
/// exception, which Orleans cannot serialise. Domain rejections (<see cref="CollabException"/>) pass unchanged.
/// Faults during activation never reach a call filter; the storage adapters translate those (see <see cref="StorageFaults"/>).
/// </summary>
internal sealed partial class StorageFaultFilter(ILogger<StorageFaultFilter> logger) : IIncomingGrainCallFilter
{
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        try
        {
            await context.Invoke();
        }
        catch (Exception error) when (error is not CollabException && StorageFaults.IsStaleState(error))
        {
            // Another activation of this grain wrote first (two activations raced while the cluster changed): this one
            // must not accept more commands. Orleans deactivates it itself when the exception escapes unchanged; it no
            // longer does, so deactivate here, and the caller's retry reaches the current state.
            LogStale(logger, error, context.TargetId, context.ImplementationMethod.Name);
            context.TargetContext.Deactivate(new DeactivationReason(DeactivationReasonCode.ApplicationError, "A state write was refused for a stale version."));
            throw StorageFaults.Unavailable();
        }
        catch (Exception error) when (error is not CollabException && StorageFaults.IsStorageFault(error))
        {
            // The storage adapters already logged the database's exception when they translated it.
            if (StorageFaults.IsTranslated(error))
            {
                LogTranslated(logger, context.TargetId, context.ImplementationMethod.Name);
            }
            else
            {
                LogUnavailable(logger, error, context.TargetId, context.ImplementationMethod.Name);
            }

            throw StorageFaults.Unavailable();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Grain}.{Method}: the database did not answer; the caller gets server.unavailable")]
    private static partial void LogUnavailable(ILogger logger, Exception error, GrainId grain, string method);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Grain}.{Method}: the database did not answer; the caller gets server.unavailable")]
    private static partial void LogTranslated(ILogger logger, GrainId grain, string method);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Grain}.{Method}: a state write was refused for a stale version; deactivating, the caller gets server.unavailable")]
    private static partial void LogStale(ILogger logger, Exception error, GrainId grain, string method);
}
