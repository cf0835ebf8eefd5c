using Microsoft.AspNetCore.SignalR;

namespace Collab.Web.Realtime;

public static class RealtimeEndpoints
{
    public const string HubPath = "/hubs/collab";

    public static IHostApplicationBuilder AddCollabRealtime(this IHostApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection("Collab:Realtime");
        var defaults = new RealtimeOptions();
        var options = defaults with
        {
            OpsPerSecond = Positive(section, nameof(RealtimeOptions.OpsPerSecond), defaults.OpsPerSecond),
            OpsBurst = (int)Positive(section, nameof(RealtimeOptions.OpsBurst), defaults.OpsBurst),
            CallsPerSecond = Positive(section, nameof(RealtimeOptions.CallsPerSecond), defaults.CallsPerSecond),
            CallsBurst = (int)Positive(section, nameof(RealtimeOptions.CallsBurst), defaults.CallsBurst),
            PresencePerSecond = Positive(section, nameof(RealtimeOptions.PresencePerSecond), defaults.PresencePerSecond),
            PresenceBurst = (int)Positive(section, nameof(RealtimeOptions.PresenceBurst), defaults.PresenceBurst),
            MaxOpenDocuments = (int)Positive(section, nameof(RealtimeOptions.MaxOpenDocuments), defaults.MaxOpenDocuments),
            MaxConnectionsPerParticipant = (int)Positive(section, nameof(RealtimeOptions.MaxConnectionsPerParticipant), defaults.MaxConnectionsPerParticipant),
            SubscriptionRenewal = TimeSpan.FromSeconds(Positive(section, "SubscriptionRenewalSeconds", defaults.SubscriptionRenewal.TotalSeconds)),
        };
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<InvocationOrderFilter>();
        builder.Services.AddSingleton<CollabHubFilter>();
        builder.Services.AddSignalR(hub =>
        {
            hub.MaximumReceiveMessageSize = options.MaxMessageBytes;

            // A call stuck on a silo that just died must not hold up the connection's other calls; calls about one
            // document still run in the order sent (InvocationOrderFilter, outermost).
            hub.MaximumParallelInvocationsPerClient = options.ParallelInvocationsPerConnection;
            hub.AddFilter<InvocationOrderFilter>();
            hub.AddFilter<CollabHubFilter>();
        });
        CodedHubProtocol.Use(builder.Services);

        // Refusals are answered and logged (at Debug) by CollabHubFilter, faults logged by it at Error: SignalR's own
        // Error line per failed invocation, with its stack trace, would only repeat them. The rule keeps the level the
        // configuration gives the dispatcher's category: a rule naming the category would otherwise replace it, and
        // at Debug the dispatcher writes two lines per hub call (a fifth of the server's CPU under load).
        builder.Services.PostConfigure<LoggerFilterOptions>(options =>
            options.Rules.Add(new LoggerFilterRule(
                null,
                CollabHubFilter.DispatcherLogCategory,
                ConfiguredLevel(options, CollabHubFilter.DispatcherLogCategory),
                (_, _, level) => level < LogLevel.Error)));

        // Grains that may have moved get this node's subscriptions again at once (the Orleans client reports to it).
        builder.Services.AddSingleton<ClusterChanges>();
        builder.Services.AddSingleton<IClusterConnectionStatusObserver>(services => services.GetRequiredService<ClusterChanges>());
        builder.Services.AddHostedService(services => services.GetRequiredService<ClusterChanges>());
        builder.Services.AddSingleton<GrainReferences>();
        builder.Services.AddSingleton<DocumentFanout>();
        builder.Services.AddHostedService(services => services.GetRequiredService<DocumentFanout>());
        builder.Services.AddSingleton<ConnectionRegistry>();
        builder.Services.AddSingleton<WorkshopFanout>();
        builder.Services.AddHostedService(services => services.GetRequiredService<WorkshopFanout>());

        // The node reports ready once its hub has run once (or could not): a restarted node takes traffic warm.
        builder.Services.AddSingleton<HubWarmUp>();
        builder.Services.AddHostedService(services => services.GetRequiredService<HubWarmUp>());
        builder.Services.AddSingleton<Collab.Hosting.Health.IReadinessGate>(services => services.GetRequiredService<HubWarmUp>());
        return builder;
    }

    private static double Positive(IConfigurationSection section, string key, double fallback)
    {
        var text = section[key];
        if (string.IsNullOrWhiteSpace(text))
        {
            return fallback;
        }

        return double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value) && value >= 1
            ? value
            : throw new Collab.Hosting.Configuration.CollabStartupException(
                $"Collab cannot start: invalid configuration.{Environment.NewLine}  - Collab:Realtime:{key} is '{text}'; expected a number of at least 1.");
    }

    /// <summary>
    /// Refuses a new hub connection (negotiation, or a WebSocket that skips it) from a participant who already holds
    /// <see cref="RealtimeOptions.MaxConnectionsPerParticipant"/> on this node: 429 <c>connection.too_many</c>, before
    /// SignalR sees it. Each connection costs pushes to every document it opens, so one token cannot multiply them.
    /// Goes after authentication.
    /// </summary>
    public static IApplicationBuilder UseCollabRealtime(this IApplicationBuilder app)
    {
        app.UseCollabShutdownGate();
        return app.Use(async (http, next) =>
        {
            var path = http.Request.Path;
            var opening = path.StartsWithSegments(HubPath + "/negotiate") || (path == HubPath && !http.Request.Query.ContainsKey("id"));
            if (opening && http.User.Identity?.IsAuthenticated == true)
            {
                var options = http.RequestServices.GetRequiredService<RealtimeOptions>();
                var caller = Identity.CollabClaims.CallerOf(http.User);
                if (http.RequestServices.GetRequiredService<ConnectionRegistry>().CountOf(caller.WorkshopId, caller.ParticipantId) >= options.MaxConnectionsPerParticipant)
                {
                    http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                    var problem = Errors.CollabErrors.ToProblem(new Collab.Errors.ValidationFailedException(
                        "connection.too_many",
                        $"You already have {options.MaxConnectionsPerParticipant} live connections; close a tab or device first.",
                        "connection"));
                    problem.Status = StatusCodes.Status429TooManyRequests;
                    await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                    {
                        HttpContext = http,
                        ProblemDetails = problem,
                    });
                    return;
                }
            }

            await next(http);
        });
    }

    public static IEndpointRouteBuilder MapCollabRealtime(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHub<CollabHub>(HubPath);
        return endpoints;
    }

    /// <summary>
    /// The minimum level the rules without a provider give <paramref name="category"/>: the one of the longest category
    /// prefix (as the logging library picks), else the global minimum.
    /// </summary>
    private static LogLevel ConfiguredLevel(LoggerFilterOptions options, string category) =>
        options.Rules
            .Where(r => r.ProviderName is null && r.Filter is null && r.LogLevel is not null
                && (r.CategoryName is null || category.StartsWith(r.CategoryName, StringComparison.OrdinalIgnoreCase)))
            .OrderByDescending(r => r.CategoryName?.Length ?? -1)
            .Select(r => r.LogLevel!.Value)
            .DefaultIfEmpty(options.MinLevel)
            .First();
}
