using Collab.Hosting.Health;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace Collab.Tests.Operations;

/// <summary>
/// A readiness check is logged when its status changes, never per probe: the outage once (Warning, or Error when the
/// check threw), its end once with how long it lasted. The process test is
/// <c>StorageOutageTests.ProbesDuringADatabaseOutageLogItOnceAndItsEndOnce</c>.
/// </summary>
public sealed class HealthTransitionsTests
{
    private readonly CapturedLogs _logs = new();
    private readonly SteppedClock _time = new();
    private readonly HealthTransitions _transitions;

    public HealthTransitionsTests()
    {
        using var factory = LoggerFactory.Create(logging => logging.SetMinimumLevel(LogLevel.Trace).AddProvider(_logs));
        _transitions = new HealthTransitions(factory.CreateLogger<HealthTransitions>(), _time);
    }

    private static HealthReport Report(params (string Name, HealthStatus Status, string Description, Exception? Thrown)[] entries) =>
        new(entries.ToDictionary(e => e.Name, e => new HealthReportEntry(e.Status, e.Description, TimeSpan.Zero, e.Thrown, null)), TimeSpan.Zero);

    [Fact]
    public void AnOutageIsOneWarningAndItsEndOneLineWhateverTheProbes()
    {
        _transitions.Record(Report(("storage", HealthStatus.Healthy, "PostgreSQL answers.", null), ("cluster", HealthStatus.Healthy, "ok", null)));
        Assert.Empty(_logs.Entries);

        for (var probe = 0; probe < 20; probe++)
        {
            _transitions.Record(Report(("storage", HealthStatus.Unhealthy, "Postgres storage does not answer: refused", null), ("cluster", HealthStatus.Healthy, "ok", null)));
            _time.Advance(TimeSpan.FromSeconds(5));
        }

        var outage = Assert.Single(_logs.Entries);
        Assert.Equal(LogLevel.Warning, outage.Level);
        Assert.Contains("Readiness check storage is Unhealthy: Postgres storage does not answer: refused", outage.Text, StringComparison.Ordinal);

        _transitions.Record(Report(("storage", HealthStatus.Healthy, "PostgreSQL answers.", null), ("cluster", HealthStatus.Healthy, "ok", null)));
        _transitions.Record(Report(("storage", HealthStatus.Healthy, "PostgreSQL answers.", null), ("cluster", HealthStatus.Healthy, "ok", null)));
        Assert.Equal(2, _logs.Entries.Count);
        var back = _logs.Entries[1];
        Assert.Equal(LogLevel.Information, back.Level);
        Assert.Contains("Readiness check storage is healthy again after 00:01:40", back.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void ACheckThatThrowsIsOneErrorWithItsException()
    {
        var bug = new NullReferenceException("a bug in the check");
        for (var probe = 0; probe < 3; probe++)
        {
            _transitions.Record(Report(("silo", HealthStatus.Unhealthy, "Exception thrown", bug)));
        }

        var line = Assert.Single(_logs.Entries);
        Assert.Equal(LogLevel.Error, line.Level);
        Assert.Contains("Readiness check silo threw", line.Text, StringComparison.Ordinal);
        Assert.Contains("a bug in the check", line.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void EachCheckIsLoggedOnItsOwn()
    {
        _transitions.Record(Report(("storage", HealthStatus.Unhealthy, "down", null), ("cluster", HealthStatus.Unhealthy, "no silo", null)));
        _transitions.Record(Report(("storage", HealthStatus.Healthy, "up", null), ("cluster", HealthStatus.Unhealthy, "no silo", null)));
        _transitions.Record(Report(("storage", HealthStatus.Unhealthy, "down again", null), ("cluster", HealthStatus.Unhealthy, "no silo", null)));

        Assert.Equal(
            ["Warning storage", "Warning cluster", "Information storage", "Warning storage"],
            _logs.Entries.Select(e => $"{e.Level} {(e.Text.Contains("check storage", StringComparison.Ordinal) ? "storage" : "cluster")}"));
        Assert.Contains("down again", _logs.Entries[3].Text, StringComparison.Ordinal);
    }
}

/// <summary>A monotonic clock that moves only when the test moves it.</summary>
internal sealed class SteppedClock : TimeProvider
{
    private long _ticks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => Interlocked.Read(ref _ticks);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}
