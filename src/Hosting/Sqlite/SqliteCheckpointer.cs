using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Collab.Hosting.Sqlite;

/// <summary>
/// Copies the embedded file's write-ahead log into the database file in the background, every <see cref="Interval"/>,
/// on a connection of its own, so that a commit of the op-log writer does not. SQLite checkpoints on its own inside the
/// commit that takes the log past 1,000 pages: that transaction, and every op waiting behind it for its ack, then pays
/// for copying the pages and an <c>fsync</c> of the database file (docs/performance.md, "Issue 16, eleventh round": the
/// p99 of an edit at 20×10×2 fell from 8.2 to 6.0 ms). A passive checkpoint never waits for readers or writers: what
/// a reader still needs stays in the log until the next round, and the automatic checkpoint is kept as the backstop, so
/// the log stays bounded even if this loop falls behind or fails.
/// <para>
/// Never stops the process: a failed round (the file unreachable, say) is logged once, when rounds start failing, and
/// once when one succeeds again; the loop goes on until the host stops.
/// </para>
/// </summary>
public sealed partial class SqliteCheckpointer(SqliteDatabase database, TimeProvider clock, ILogger<SqliteCheckpointer> logger)
    : BackgroundService
{
    /// <summary>How often the log is checkpointed: at the embedded server's highest write rate the log gains 250–300 pages in that time.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(200);

    private long _rounds;
    private long _failedRounds;

    /// <summary>Rounds that completed a checkpoint (for tests).</summary>
    internal long Rounds => Interlocked.Read(ref _rounds);

    /// <summary>Rounds that failed (for tests).</summary>
    internal long FailedRounds => Interlocked.Read(ref _failedRounds);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        SqliteConnection? connection = null;
        DateTimeOffset? failingSince = null;
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    connection ??= await database.OpenAsync(stoppingToken);
                    await using (var checkpoint = connection.CreateCommand())
                    {
                        checkpoint.CommandText = "PRAGMA wal_checkpoint(PASSIVE);";
                        await checkpoint.ExecuteNonQueryAsync(stoppingToken);
                    }

                    Interlocked.Increment(ref _rounds);
                    if (failingSince is { } since)
                    {
                        LogRecovered(logger, clock.GetUtcNow() - since);
                        failingSince = null;
                    }
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    Interlocked.Increment(ref _failedRounds);

                    // The next round opens a fresh connection.
                    await CloseQuietlyAsync(connection);
                    connection = null;

                    if (failingSince is null)
                    {
                        failingSince = clock.GetUtcNow();
                        LogFailing(logger, e, database.FilePath);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping.
        }
        finally
        {
            await CloseQuietlyAsync(connection);
        }
    }

    private static async Task CloseQuietlyAsync(SqliteConnection? connection)
    {
        try
        {
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }
        }
        catch (SqliteException)
        {
            // A connection that failed may fail to close too; it is dropped either way.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Checkpointing {File}'s write-ahead log failed; commits checkpoint it themselves meanwhile (logged once until a round succeeds)")]
    private static partial void LogFailing(ILogger logger, Exception error, string file);

    [LoggerMessage(Level = LogLevel.Information, Message = "Checkpointing the write-ahead log works again after {Duration}")]
    private static partial void LogRecovered(ILogger logger, TimeSpan duration);
}
