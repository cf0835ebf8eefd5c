using Collab.Hosting.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Collab.Hosting;

/// <summary>Once a process has started, one line says what it is, where it answers and where its data lives.</summary>
public static partial class ReadyBanner
{
    /// <summary>
    /// Listens on <paramref name="url"/> unless the operator chose addresses (<c>ASPNETCORE_URLS</c>, <c>--urls</c>,
    /// <c>Urls</c>, <c>ASPNETCORE_HTTP_PORTS</c>). Set in code, not in appsettings.json, where it would override the
    /// environment variable.
    /// </summary>
    public static void ListenByDefaultOn(this WebApplicationBuilder builder, string url)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var configuration = builder.Configuration;
        if (string.IsNullOrEmpty(configuration["urls"]) && string.IsNullOrEmpty(configuration["http_ports"]) &&
            string.IsNullOrEmpty(configuration["https_ports"]))
        {
            builder.WebHost.UseUrls(url);
        }
    }

    /// <summary>
    /// Once the host has started and every start-up step (<see cref="Health.IReadinessGate"/>, e.g. the web node's hub
    /// warm-up) is done, so that a node announced ready answers <c>/health/ready</c> with 200 when its storage and
    /// cluster do.
    /// </summary>
    public static void LogWhenReady(this WebApplication app, string role)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var steps = app.Services.GetServices<Health.IReadinessGate>().Select(gate => gate.WhenOpen);
            Task.WhenAll(steps).ContinueWith(_ => LogReady(app, role), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        });
    }

    private static void LogReady(WebApplication app, string role)
    {
        if (app.Lifetime.ApplicationStopping.IsCancellationRequested)
        {
            return; // stopped before its steps were done: it never was ready
        }

        var options = app.Services.GetRequiredService<CollabOptions>();
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var storage = options.Storage == StorageKind.Sqlite
            ? $"embedded, data in {options.DataPath}"
            : $"clustered{(role != "silo" && options.WebNodeHostsSilo ? ", co-hosted silo" : "")}, " +
              $"PostgreSQL {Postgres.PostgresSchema.Describe(options.PostgresConnectionString!)}";
        LogReady(app.Logger, role, string.Join(", ", addresses), storage);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Collab {Role} is ready at {Addresses} ({Storage})")]
    private static partial void LogReady(ILogger logger, string role, string addresses, string storage);
}
