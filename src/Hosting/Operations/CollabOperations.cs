using Collab.Diagnostics;
using Collab.Hosting.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Orleans.Dashboard;
using Orleans.Diagnostics;

namespace Collab.Hosting.Operations;

/// <summary>
/// What operators see of every Collab process (web node or silo): metrics as Prometheus text at <see cref="MetricsPath"/>,
/// spans and metrics over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set, and the Orleans Dashboard at
/// <see cref="DashboardPath"/> where a silo runs and <c>Collab:Dashboard:Enabled</c> says so. README, "Operating Collab".
/// </summary>
public static class CollabOperations
{
    public const string MetricsPath = "/metrics";
    public const string DashboardPath = "/dashboard";

    /// <summary>Orleans' own meter: grain activations, calls, messaging, membership.</summary>
    public const string OrleansMeter = "Microsoft.Orleans";

    /// <summary>ASP.NET Core's span per hub invocation (.NET 9 and later), which Collab tags with its ids.</summary>
    public const string SignalRActivitySource = "Microsoft.AspNetCore.SignalR.Server";

    /// <summary>Npgsql's span per command: the SQL of the op-log append beneath the commit span (parameters are not recorded).</summary>
    public const string NpgsqlActivitySource = "Npgsql";

    /// <summary>
    /// Metrics: Collab's meter (<see cref="CollabTelemetry.Name"/>), Orleans', ASP.NET Core's (HTTP, Kestrel, SignalR
    /// connections, rate limiting) and the runtime's (GC, thread pool), scraped at <see cref="MetricsPath"/>. Spans when
    /// <see cref="CollabOptions.Traces"/>: HTTP requests, hub invocations, grain calls, commits and their SQL.
    /// </summary>
    public static IHostApplicationBuilder AddCollabTelemetry(this IHostApplicationBuilder builder, CollabOptions options, string role)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(builder.Configuration["OTEL_SERVICE_NAME"] ?? "collab-" + role))
            .WithMetrics(metrics => metrics
                .AddMeter(CollabTelemetry.Name, OrleansMeter)
                .AddAspNetCoreInstrumentation()
                .AddRuntimeInstrumentation()
                // No response cache: one Prometheus scrapes every few seconds, and a cached answer would hide fresh counts.
                .AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0));
        if (options.Traces)
        {
            telemetry.WithTracing(tracing => tracing
                .AddSource(CollabTelemetry.Name, ActivitySources.ApplicationGrainActivitySourceName, SignalRActivitySource, NpgsqlActivitySource)
                .AddAspNetCoreInstrumentation(http => http.Filter = context => !IsOperationsRequest(context.Request.Path)));
        }

        if (options.OtlpEndpoint is not null)
        {
            // Reads OTEL_EXPORTER_OTLP_ENDPOINT (and _PROTOCOL, _HEADERS) itself; exports logs, metrics and spans.
            telemetry.UseOtlpExporter();
        }

        return builder;
    }

    /// <summary><see cref="MetricsPath"/> on every process; <see cref="DashboardPath"/> where a silo runs with the dashboard on.</summary>
    public static IEndpointRouteBuilder MapCollabOperations(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapPrometheusScrapingEndpoint(MetricsPath);
        var options = endpoints.ServiceProvider.GetRequiredService<CollabOptions>();
        if (options.Dashboard && endpoints.ServiceProvider.GetService<ISiloStatusOracle>() is not null)
        {
            endpoints.MapOrleansDashboard(routePrefix: DashboardPath);
        }

        return endpoints;
    }

    /// <summary>Scrapes, health probes and the dashboard's polling are not traced: they would drown the requests that matter.</summary>
    private static bool IsOperationsRequest(PathString path) =>
        path.StartsWithSegments(MetricsPath) || path.StartsWithSegments("/health") || path.StartsWithSegments(DashboardPath);
}
