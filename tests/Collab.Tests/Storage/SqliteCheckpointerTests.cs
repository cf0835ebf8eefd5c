using Collab.Documents;
using Collab.Hosting.Configuration;
using Collab.Hosting.Sqlite;
using Collab.Testing;
using Collab.Tests.Operations;
using Collab.Text;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Collab.Tests.Storage;

/// <summary>
/// The embedded file's write-ahead log is moved into the database file by a loop of its own, not by whichever commit
/// takes it past SQLite's 1,000 pages (and the edits waiting behind that commit); the loop never stops, and says once
/// when it fails and once when it works again.
/// </summary>
public sealed class SqliteCheckpointerTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private readonly TempFolder _data = new();
    private readonly CapturedLogs _logs = new();
    private readonly ILoggerFactory _loggers;

    public SqliteCheckpointerTests()
    {
        _loggers = LoggerFactory.Create(logging => logging.SetMinimumLevel(LogLevel.Trace).AddProvider(_logs));
    }

    public void Dispose()
    {
        _loggers.Dispose();
        SqliteConnection.ClearAllPools();
        _data.Dispose();
    }

    private SqliteCheckpointer Checkpointer(SqliteDatabase database) =>
        new(database, TimeProvider.System, _loggers.CreateLogger<SqliteCheckpointer>());

    private IReadOnlyList<(string Category, LogLevel Level, string Text)> Logged() =>
        [.. _logs.Entries.Where(e => e.Category == typeof(SqliteCheckpointer).FullName)];

    /// <summary>Appends <paramref name="count"/> ops of about a page each, one transaction per op: far fewer pages than 1,000.</summary>
    private static async Task AppendPagesAsync(SqliteOpLog log, int count)
    {
        var paragraph = string.Concat(Enumerable.Repeat("Renforcer la coopération régionale. ", 100));
        for (var revision = 1; revision <= count; revision++)
        {
            var op = revision == 1
                ? TextOperation.Of(OpComponent.Insert(paragraph))
                : TextOperation.Of(OpComponent.Retain((revision - 1) * paragraph.Length), OpComponent.Insert(paragraph));
            await log.AppendAsync("doc-1", [new CommittedOp(revision, op, "c1", revision, "p1", "Délégation du Togo", DateTimeOffset.UtcNow, null)]);
        }
    }

    internal static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Not within {Patience.TotalSeconds} s: {what}.");
            await tick.WaitForNextTickAsync();
        }
    }

    [Fact]
    public async Task TheLoopNotACommitMovesTheLogIntoTheDatabaseFile()
    {
        var database = new SqliteDatabase(new CollabOptions { DataPath = _data.Path });
        await database.MigrateAsync();
        await using var log = new SqliteOpLog(database, NullLogger<SqliteOpLog>.Instance);
        await AppendPagesAsync(log, 60);
        var file = new FileInfo(database.FilePath);
        var before = file.Length;
        Assert.True(new FileInfo(database.FilePath + "-wal").Length > 60 * 4096, "the commits are in the write-ahead log");

        // The commits did not move them themselves (SQLite's own checkpoint runs inside the commit that crosses its threshold).
        Assert.True(before < 60 * 4096, $"the database file is {before} bytes before any checkpoint");

        using var checkpointer = Checkpointer(database);
        await checkpointer.StartAsync(CancellationToken.None);
        await WaitUntilAsync(() => { file.Refresh(); return file.Length > before + (60 * 4096); }, "the database file holds the commits");
        await checkpointer.StopAsync(CancellationToken.None);

        Assert.True(checkpointer.Rounds > 0);
        Assert.Equal(60, (await log.ReadAsync("doc-1", 0, 60)).Count);
        Assert.Empty(Logged());
    }

    [Fact]
    public async Task AFailingRoundIsLoggedOnceAndTheLoopGoesOnUntilOneSucceeds()
    {
        // The data folder is not there (yet): every round fails to open the file.
        var folder = Path.Combine(_data.Path, "not-yet");
        var database = new SqliteDatabase(new CollabOptions { DataPath = folder });
        using var checkpointer = Checkpointer(database);
        await checkpointer.StartAsync(CancellationToken.None);
        await WaitUntilAsync(() => checkpointer.FailedRounds >= 5, "five rounds fail");

        Assert.False(checkpointer.ExecuteTask!.IsCompleted, "the loop stopped at a failed round");
        Assert.Equal(0, checkpointer.Rounds);
        var failing = Assert.Single(Logged());
        Assert.Equal(LogLevel.Warning, failing.Level);
        Assert.Contains("Checkpointing", failing.Text, StringComparison.Ordinal);
        Assert.Contains("unable to open database file", failing.Text, StringComparison.Ordinal);

        Directory.CreateDirectory(folder);
        await database.MigrateAsync();
        await WaitUntilAsync(() => checkpointer.Rounds > 0, "a round succeeds once the file is there");
        await WaitUntilAsync(() => Logged().Count == 2, "the loop says it works again");
        Assert.Equal(LogLevel.Information, Logged()[1].Level);
        Assert.Contains("works again after", Logged()[1].Text, StringComparison.Ordinal);

        await checkpointer.StopAsync(CancellationToken.None);
        Assert.True(checkpointer.ExecuteTask.IsCompletedSuccessfully);
        Assert.Equal(2, Logged().Count);
    }
}

/// <summary>The embedded node runs the checkpointer beside its op-log writer.</summary>
public sealed class EmbeddedNodeCheckpointTests(Collab.Tests.Web.ProductionWebNode node) : IClassFixture<Collab.Tests.Web.ProductionWebNode>
{
    [Fact]
    public async Task TheEmbeddedNodeCheckpointsItsLogInTheBackground()
    {
        var checkpointer = Assert.Single(node.Services.GetServices<IHostedService>().OfType<SqliteCheckpointer>());
        await SqliteCheckpointerTests.WaitUntilAsync(() => checkpointer.Rounds > 0, "a checkpoint round after the node's start");

        Assert.DoesNotContain(node.Logs.Entries, e => e.Category == typeof(SqliteCheckpointer).FullName);
    }
}
