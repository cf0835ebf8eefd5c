using Microsoft.AspNetCore.Http.Features;

namespace Collab.Web.Realtime;

/// <summary>
/// A stop (Ctrl+C, SIGTERM, <c>docker stop</c>) with people connected takes seconds. SignalR closes every hub
/// connection when the host starts stopping, and clients reconnect at once, while Kestrel still serves: a connection
/// opened then would hold Kestrel's stop for the whole shutdown timeout (30 s), after which the silo, cancelled, would
/// stop without handing its grains over (a non-graceful shutdown). So from the moment the host is stopping, the hub
/// answers 503 <c>server.unavailable</c> with <c>Retry-After</c> (clients try again, and reach the node once it is
/// back), and any hub connection still open is ended.
/// </summary>
internal static partial class ShutdownGate
{
    private const int RetryAfterSeconds = 2;

    public static IApplicationBuilder UseCollabShutdownGate(this IApplicationBuilder app)
    {
        var lifetime = app.ApplicationServices.GetRequiredService<IHostApplicationLifetime>();
        var registry = app.ApplicationServices.GetRequiredService<ConnectionRegistry>();
        var logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ShutdownGate).FullName!);
        lifetime.ApplicationStopping.Register(() =>
        {
            LogStopping(logger);
            registry.AbortAll();
        });
        return app.Use(async (http, next) =>
        {
            if (lifetime.ApplicationStopping.IsCancellationRequested && http.Request.Path.StartsWithSegments(RealtimeEndpoints.HubPath))
            {
                // Not kept alive: the node is going away.
                http.Response.Headers.Connection = "close";
                http.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                var problem = Errors.CollabErrors.ToProblem(new Collab.Errors.UnavailableException(
                    "server.unavailable", "The server is restarting; your page reconnects by itself in a few seconds."));
                problem.Status = StatusCodes.Status503ServiceUnavailable;
                await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = http,
                    ProblemDetails = problem,
                });
                return;
            }

            await next(http);
        });
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopping: hub connections are closed and new ones refused until the node is back")]
    private static partial void LogStopping(ILogger logger);
}
