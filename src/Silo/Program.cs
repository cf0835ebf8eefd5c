using Collab.Hosting;
using Collab.Hosting.Configuration;
using Collab.Hosting.Health;
using Collab.Hosting.Operations;
using Collab.Silo;

// A silo of the clustered (PostgreSQL) deployment; `migrate` applies the schema and exits.
var builder = WebApplication.CreateBuilder(args);
builder.ListenByDefaultOn("http://127.0.0.1:8081");
try
{
    if (args is ["migrate", ..])
    {
        return await MigrateCommand.RunAsync(builder.Configuration);
    }

    var collab = builder.AddCollabSilo();
    builder.AddCollabTelemetry(collab, "silo");

    var app = builder.Build();
    app.MapCollabHealth();
    app.MapCollabOperations();
    app.LogWhenReady("silo");
    await app.RunAsync();
    return 0;
}
catch (CollabStartupException failure)
{
    return StartupFailure.Report(failure);
}
