using Microsoft.AspNetCore.SignalR;

namespace Collab.Web.Realtime;

public static class RealtimeEndpoints
{
    public const string HubPath = "/hubs/collab";

    public static IHostApplicationBuilder AddCollabRealtime(this IHostApplicationBuilder builder)
    {
        var options = new RealtimeOptions();
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<CollabHubFilter>();
        builder.Services.AddSignalR(hub =>
        {
            hub.MaximumReceiveMessageSize = options.MaxMessageBytes;
            hub.AddFilter<CollabHubFilter>();
        });
        builder.Services.AddSingleton<DocumentFanout>();
        builder.Services.AddHostedService(services => services.GetRequiredService<DocumentFanout>());
        return builder;
    }

    public static IEndpointRouteBuilder MapCollabRealtime(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHub<CollabHub>(HubPath);
        return endpoints;
    }
}
