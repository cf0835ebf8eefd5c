using System.Data.Common;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace Collab.Hosting.Health;

/// <summary>
/// Logs a readiness check when its status changes, not on every probe: a check that fails says so once (Warning; Error
/// when the check itself threw, which is a bug), and once more when it is healthy again, with how long it was not.
/// ASP.NET Core's own health check service logs every unhealthy result at Error on every probe, so an outage of a few
/// minutes under a load balancer probing each node every few seconds wrote hundreds of Error lines; its category is
/// filtered out (<see cref="FrameworkCategory"/>) and this log replaces it.
/// </summary>
internal sealed partial class HealthTransitions(ILogger<HealthTransitions> logger, TimeProvider time)
{
    /// <summary>The logger category of ASP.NET Core's health check service, whose per-probe lines this log replaces.</summary>
    internal const string FrameworkCategory = "Microsoft.Extensions.Diagnostics.HealthChecks.DefaultHealthCheckService";

    private readonly Lock _lock = new();
    private readonly Dictionary<string, long> _failingSince = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Notes each check's status in <paramref name="report"/>; logs the checks whose status changed.</summary>
    public void Record(HealthReport report)
    {
        foreach (var (name, entry) in report.Entries)
        {
            var failing = entry.Status != HealthStatus.Healthy;
            long since;
            lock (_lock)
            {
                var wasFailing = _failingSince.TryGetValue(name, out since);
                if (failing == wasFailing)
                {
                    continue;
                }

                if (failing)
                {
                    _failingSince[name] = time.GetTimestamp();
                }
                else
                {
                    _failingSince.Remove(name);
                }
            }

            if (!failing)
            {
                HealthyAgain(logger, name, time.GetElapsedTime(since));
            }
            else if (entry.Exception is { } thrown && thrown is not (DbException or TimeoutException or OperationCanceledException))
            {
                CheckThrew(logger, thrown, name, entry.Status);
            }
            else
            {
                NotHealthy(logger, name, entry.Status, entry.Description ?? entry.Exception?.Message ?? "");
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Readiness check {Check} is {Status}: {Description} (logged once, not per probe)")]
    private static partial void NotHealthy(ILogger logger, string check, HealthStatus status, string description);

    [LoggerMessage(Level = LogLevel.Error, Message = "Readiness check {Check} threw and is {Status} (logged once, not per probe)")]
    private static partial void CheckThrew(ILogger logger, Exception exception, string check, HealthStatus status);

    [LoggerMessage(Level = LogLevel.Information, Message = "Readiness check {Check} is healthy again after {Duration}")]
    private static partial void HealthyAgain(ILogger logger, string check, TimeSpan duration);
}
