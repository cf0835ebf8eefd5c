using Collab.Hosting.Configuration;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Collab.Web;

internal static partial class Startup
{
    /// <summary>Once started, says in one line where Collab answers and where its data lives.</summary>
    public static void LogWhereCollabListens(this WebApplication app)
    {
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var options = app.Services.GetRequiredService<CollabOptions>();
            var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            var storage = options.Storage == StorageKind.Sqlite
                ? $"embedded, data in {options.DataPath}"
                : "clustered, PostgreSQL";
            LogListening(app.Logger, string.Join(", ", addresses), storage);
        });
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Collab is ready at {Addresses} ({Storage})")]
    private static partial void LogListening(ILogger logger, string addresses, string storage);
}
