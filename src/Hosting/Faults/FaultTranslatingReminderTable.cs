using Microsoft.Extensions.Logging;

namespace Collab.Hosting.Faults;

/// <summary>
/// The reminder table whose database faults come out as <see cref="Collab.Errors.UnavailableException"/>. The reminder
/// service is a system target: a grain registering a reminder calls it, possibly on another silo, and a raw database
/// exception in its answer would arrive as a codec error.
/// </summary>
internal sealed partial class FaultTranslatingReminderTable(IReminderTable inner, ILogger<FaultTranslatingReminderTable> logger) : IReminderTable
{
    public Task StartAsync(CancellationToken cancellationToken = default) => inner.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken = default) => inner.StopAsync(cancellationToken);

    public Task<ReminderTableData> ReadRows(GrainId grainId) => TranslateAsync(() => inner.ReadRows(grainId), "read");

    public Task<ReminderTableData> ReadRows(uint begin, uint end) => TranslateAsync(() => inner.ReadRows(begin, end), "read-range");

    public Task<ReminderEntry?> ReadRow(GrainId grainId, string reminderName) => TranslateAsync(() => inner.ReadRow(grainId, reminderName), "read-row");

    public Task<string?> UpsertRow(ReminderEntry entry) => TranslateAsync(() => inner.UpsertRow(entry), "upsert");

    public Task<bool> RemoveRow(GrainId grainId, string reminderName, string eTag) => TranslateAsync(() => inner.RemoveRow(grainId, reminderName, eTag), "remove");

    public Task TestOnlyClearTable() => inner.TestOnlyClearTable();

    private async Task<T> TranslateAsync<T>(Func<Task<T>> operation, string what)
    {
        try
        {
            return await operation();
        }
        catch (Exception error) when (StorageFaults.IsStorageFault(error))
        {
            LogFault(logger, error, what);
            throw StorageFaults.Unavailable();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reminder table: {Operation} failed; callers get server.unavailable")]
    private static partial void LogFault(ILogger logger, Exception error, string operation);
}
