using System.Text.Json;
using Collab.Diagnostics;
using Collab.Hosting.Configuration;
using Collab.Hosting.Sqlite;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Collab.Hosting.Health;

/// <summary>
/// <c>/health/live</c>: the process answers. <c>/health/ready</c>: storage answers and this node is part of the cluster
/// (a silo: its membership status is Active; a web node: a grain call round-trips), and every start-up step the node
/// waits for (<see cref="IReadinessGate"/>) is done. 200 when ready, 503 with the failing checks named otherwise.
/// </summary>
public static class CollabHealthChecks
{
    public const string ReadyTag = "ready";

    /// <summary>
    /// The storage check, and the log of every check's changes (<see cref="HealthTransitions"/>) in place of ASP.NET
    /// Core's line per unhealthy probe.
    /// </summary>
    internal static IHealthChecksBuilder AddStorageCheck(this IServiceCollection services)
    {
        services.AddSingleton<HealthTransitions>();
        services.AddLogging(logging => logging.AddFilter(HealthTransitions.FrameworkCategory, LogLevel.None));
        return services.AddHealthChecks().AddCheck<StorageHealthCheck>("storage", tags: [ReadyTag]);
    }

    internal static IHealthChecksBuilder AddSiloCheck(this IHealthChecksBuilder checks) =>
        checks.AddCheck<SiloHealthCheck>("silo", tags: [ReadyTag]);

    internal static IHealthChecksBuilder AddClusterCheck(this IHealthChecksBuilder checks) =>
        checks.AddCheck<ClusterHealthCheck>("cluster", tags: [ReadyTag]);

    public static IEndpointRouteBuilder MapCollabHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync });
        endpoints.Map("/health/ready", ReadyAsync);
        return endpoints;
    }

    /// <summary>
    /// The checks tagged <see cref="ReadyTag"/> and the readiness gates in one report, in the shape of the health checks
    /// middleware (and its no-cache headers): a gate is named beside the checks, but is not one, because ASP.NET Core
    /// logs every unhealthy check at Error and a node that is still starting is not failing.
    /// </summary>
    private static async Task ReadyAsync(HttpContext context)
    {
        var services = context.RequestServices;
        var report = await services.GetRequiredService<HealthCheckService>().CheckHealthAsync(check => check.Tags.Contains(ReadyTag), context.RequestAborted);
        services.GetRequiredService<HealthTransitions>().Record(report);
        var entries = new Dictionary<string, HealthReportEntry>(report.Entries, StringComparer.OrdinalIgnoreCase);
        foreach (var gate in services.GetServices<IReadinessGate>())
        {
            var (open, description) = gate.State;
            entries[gate.Name] = new HealthReportEntry(open ? HealthStatus.Healthy : HealthStatus.Unhealthy, description, TimeSpan.Zero, null, null);
        }

        var ready = new HealthReport(entries, report.TotalDuration);
        context.Response.StatusCode = ready.Status == HealthStatus.Unhealthy ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK;
        context.Response.Headers.CacheControl = "no-store, no-cache";
        context.Response.Headers.Pragma = "no-cache";
        context.Response.Headers.Expires = "Thu, 01 Jan 1970 00:00:00 GMT";
        await WriteAsync(context, ready);
    }

    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        return JsonSerializer.SerializeAsync(context.Response.Body, new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(
                e => e.Key,
                e => new { status = e.Value.Status.ToString(), description = e.Value.Description }),
        }, cancellationToken: context.RequestAborted);
    }
}

/// <summary>
/// A start-up step a node waits for before <c>/health/ready</c> answers 200 (registered as a singleton
/// <see cref="IReadinessGate"/>); named in its report beside the checks.
/// </summary>
public interface IReadinessGate
{
    /// <summary>Its name in the report (as a check's).</summary>
    string Name { get; }

    /// <summary>Whether it is done, and what the report says of it.</summary>
    (bool Open, string Description) State { get; }

    /// <summary>Completes (never faults) once the step is done: the process's "is ready at" line waits for it.</summary>
    Task WhenOpen { get; }
}

internal sealed class StorageHealthCheck(CollabOptions options, IServiceProvider services) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            if (options.Storage == StorageKind.Sqlite)
            {
                await using var connection = await services.GetRequiredService<SqliteDatabase>().OpenAsync(cancellationToken);
                await using var command = connection.CreateCommand();
                command.CommandText = "SELECT count(*) FROM grain_state WHERE 0;";
                await command.ExecuteScalarAsync(cancellationToken);
                return HealthCheckResult.Healthy("SQLite file answers.");
            }

            await using (var connection = new NpgsqlConnection(options.PostgresConnectionString))
            {
                await connection.OpenAsync(cancellationToken);
                await using var command = new NpgsqlCommand("SELECT 1;", connection);
                await command.ExecuteScalarAsync(cancellationToken);
            }

            return HealthCheckResult.Healthy("PostgreSQL answers.");
        }
        catch (Exception e) when (e is System.Data.Common.DbException or TimeoutException or InvalidOperationException)
        {
            return HealthCheckResult.Unhealthy($"{options.Storage} storage does not answer: {e.Message}");
        }
    }
}

internal sealed class SiloHealthCheck(ISiloStatusOracle oracle) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(oracle.CurrentStatus == SiloStatus.Active
            ? HealthCheckResult.Healthy($"Silo {oracle.SiloName} is active.")
            : HealthCheckResult.Unhealthy($"Silo {oracle.SiloName} is {oracle.CurrentStatus}."));
}

internal sealed class ClusterHealthCheck(IClusterClient client) : IHealthCheck
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var silo = await client.GetGrain<IClusterProbeGrain>("health").PingAsync().WaitAsync(Timeout, cancellationToken);
            return HealthCheckResult.Healthy($"Grain call answered by {silo.SiloName}.");
        }
        catch (Exception e) when (e is OrleansException or TimeoutException or InvalidOperationException)
        {
            return HealthCheckResult.Unhealthy($"Grain call failed: {e.Message}");
        }
    }
}
