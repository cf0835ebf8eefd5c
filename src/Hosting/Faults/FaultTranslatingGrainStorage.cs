using Microsoft.Extensions.Logging;
using Orleans.Storage;

namespace Collab.Hosting.Faults;

/// <summary>
/// Grain state storage whose database faults come out as <see cref="Collab.Errors.UnavailableException"/>: state is read
/// while a grain activates, where no call filter runs, and a failed activation sends its exception to every waiting
/// caller. A refused stale write (<see cref="InconsistentStateException"/>) passes unchanged: grains and Orleans act on it.
/// </summary>
internal sealed partial class FaultTranslatingGrainStorage(IGrainStorage inner, string name, ILogger<FaultTranslatingGrainStorage> logger)
    : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        ReadStateAsync(stateName, grainId, grainState, CancellationToken.None);

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken) =>
        TranslateAsync(inner.ReadStateAsync(stateName, grainId, grainState, cancellationToken), "read", stateName, grainId);

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        WriteStateAsync(stateName, grainId, grainState, CancellationToken.None);

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken) =>
        TranslateAsync(inner.WriteStateAsync(stateName, grainId, grainState, cancellationToken), "write", stateName, grainId);

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        ClearStateAsync(stateName, grainId, grainState, CancellationToken.None);

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken) =>
        TranslateAsync(inner.ClearStateAsync(stateName, grainId, grainState, cancellationToken), "clear", stateName, grainId);

    /// <summary>The ADO.NET storage prepares its queries at silo start; the decorator passes that on.</summary>
    public void Participate(ISiloLifecycle lifecycle)
    {
        if (inner is ILifecycleParticipant<ISiloLifecycle> participant)
        {
            participant.Participate(lifecycle);
        }
    }

    private async Task TranslateAsync(Task operation, string what, string stateName, GrainId grainId)
    {
        try
        {
            await operation;
        }
        catch (Exception error) when (error is not InconsistentStateException && StorageFaults.IsStorageFault(error))
        {
            LogFault(logger, error, what, name, stateName, grainId);
            throw StorageFaults.Unavailable();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Grain storage {Provider}: {Operation} of {State} for {Grain} failed; callers get server.unavailable")]
    private static partial void LogFault(ILogger logger, Exception error, string operation, string provider, string state, GrainId grain);
}
