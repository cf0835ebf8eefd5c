using Collab.Hosting;
using Collab.Hosting.Configuration;
using Collab.Hosting.Health;
using Collab.Hosting.Operations;
using Collab.Web.Client;
using Collab.Web.Documents;
using Collab.Web.Errors;
using Collab.Web.Identity;
using Collab.Web.Operations;
using Collab.Web.Outcome;
using Collab.Web.Realtime;
using Collab.Web.Recommendations;
using Collab.Web.Seeds;
using Collab.Web.Sessions;
using Collab.Web.Workshops;

if (args is ["seed", ..])
{
    return await SeedCommand.RunAsync(args[1..]);
}

// The edge: HTTP API and health, in front of a co-hosted silo (embedded) or a cluster (clustered).
var builder = WebApplication.CreateBuilder(args);
builder.ListenByDefaultOn("http://localhost:5080");
try
{
    var collab = builder.AddCollabWebNode();
    builder.AddCollabWebTelemetry(collab);
    builder.AddCollabApiReference();
    builder.AddCollabErrors();
    builder.AddCollabJson();
    builder.AddCollabAuth(collab);
    builder.AddCollabRealtime();

    var app = builder.Build();
    app.UseCollabErrors();
    app.UseCollabWebClient();
    app.UseCollabAuth();
    app.UseCollabRealtime();
    app.MapCollabHealth();
    app.MapCollabOperations();
    app.MapCollabApiReference();
    app.MapWorkshopsApi();
    app.MapSessionsApi();
    app.MapDocumentsApi();
    app.MapRecommendationsApi();
    app.MapOutcomeApi();
    app.MapCollabRealtime();
    app.LogWhenReady("web node");

    await app.RunAsync();
    return 0;
}
catch (CollabStartupException failure)
{
    return StartupFailure.Report(failure);
}

/// <summary>Entry point; public for <c>WebApplicationFactory&lt;Program&gt;</c> in tests.</summary>
public partial class Program;
