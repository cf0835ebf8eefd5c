using Collab.BareHub;

// The bare SignalR yardstick (bench/README.md): what a plain ASP.NET Core app with an in-memory sequencer costs.
var builder = WebApplication.CreateBuilder(args);
builder.Services.AddSingleton<Participants>();
builder.Services.AddSingleton<BareDocuments>();
builder.Services.AddSignalR();

var app = builder.Build();
app.MapBareApi();
app.MapHub<BareHub>("/hubs/collab");
app.Run();
