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
            MaxOpenDocuments = (int)Positive(section, nameof(RealtimeOptions.MaxOpenDocuments), defaults.MaxOpenDocuments),
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

        // Grains that may have moved get this node's subscriptions again at once (the Orleans client reports to it).
        builder.Services.AddSingleton<ClusterChanges>();
        builder.Services.AddSingleton<IClusterConnectionStatusObserver>(services => services.GetRequiredService<ClusterChanges>());
        builder.Services.AddHostedService(services => services.GetRequiredService<ClusterChanges>());
        builder.Services.AddSingleton<DocumentFanout>();
        builder.Services.AddHostedService(services => services.GetRequiredService<DocumentFanout>());
        builder.Services.AddSingleton<ConnectionRegistry>();
        builder.Services.AddSingleton<WorkshopFanout>();
        builder.Services.AddHostedService(services => services.GetRequiredService<WorkshopFanout>());
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

    public static IEndpointRouteBuilder MapCollabRealtime(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHub<CollabHub>(HubPath);
        return endpoints;
    }
}
