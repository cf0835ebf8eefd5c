using Collab.Documents;
using Collab.Hosting.Configuration;
using Collab.Hosting.Faults;
using Collab.Hosting.Postgres;
using Collab.Hosting.Health;
using Collab.Hosting.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Orleans.Configuration;
using Orleans.Dashboard;
using Orleans.Runtime.Hosting;
using Orleans.Runtime.Placement;
using Orleans.Serialization;
using Orleans.Storage;

namespace Collab.Hosting;

/// <summary>
/// How a Collab process joins Orleans. The only place that knows which storage runs underneath: grains see
/// <c>IPersistentState</c> and reminders, the same in both modes.
/// </summary>
public static class CollabHosting
{
    /// <summary>Clients and silos speak this invariant to the ADO.NET providers.</summary>
    public const string PostgresInvariant = "Npgsql";

    /// <summary>
    /// For <c>src/Silo</c>: a silo of the PostgreSQL-backed cluster (grain state, membership and reminders through the
    /// ADO.NET providers), plus its health checks.
    /// </summary>
    public static CollabOptions AddCollabSilo(this IHostApplicationBuilder builder)
    {
        var options = builder.AddCollabOptions(StorageKind.Postgres);
        if (options.Storage != StorageKind.Postgres)
        {
            throw new CollabStartupException(
                $"{CollabSettings.StorageKey} must be 'Postgres' for a silo process (src/Silo). The embedded SQLite mode " +
                "runs silo and web in one process: dotnet run --project src/Web");
        }

        builder.AddSilo(options);
        return options;
    }

    /// <summary>
    /// For <c>src/Web</c>: a co-hosted silo (embedded mode: SQLite and localhost clustering; clustered mode with
    /// <c>Collab:Topology=CoHosted</c>: a silo of the PostgreSQL cluster like a <c>src/Silo</c> process, which activates
    /// documents where they are first opened, see <see cref="DocumentPlacement"/>), or, clustered with separate silos,
    /// an Orleans client that finds the gateways in the membership table.
    /// </summary>
    public static CollabOptions AddCollabWebNode(this IHostApplicationBuilder builder)
    {
        var options = builder.AddCollabOptions();
        if (options.WebNodeHostsSilo)
        {
            builder.AddSilo(options, documentsNearCallers: options.Storage == StorageKind.Postgres);
        }
        else
        {
            builder.AddClient(options);
        }

        builder.Services.AddHealthChecks().AddClusterCheck();
        return options;
    }

    private static CollabOptions AddCollabOptions(this IHostApplicationBuilder builder, StorageKind defaultStorage = StorageKind.Sqlite)
    {
        var options = CollabSettings.Load(builder.Configuration, defaultStorage);
        builder.Services.AddSingleton(options);
        builder.Services.TryAddSingleton(TimeProvider.System);

        // Every background loop of ours catches and logs each failed round; an exception that still escapes one is a bug,
        // which the host logs at Error. Stopping the process for it (the default, StopHost, and with exit code 0, which
        // supervisors take for a clean stop) would turn one loop's bug into an outage for everyone on this node.
        builder.Services.Configure<HostOptions>(o => o.BackgroundServiceExceptionBehavior = BackgroundServiceExceptionBehavior.Ignore);

        // First hosted service: storage is locked, migrated or verified before Orleans starts.
        builder.Services.AddHostedService<StorageStartup>();
        builder.Services.AddStorageCheck();
        if (options.Storage == StorageKind.Sqlite)
        {
            builder.Services.AddSingleton<SqliteDatabase>();
            builder.Services.AddHostedService<SqliteCheckpointer>();
        }

        return options;
    }

    private static void AddSilo(this IHostApplicationBuilder builder, CollabOptions options, bool documentsNearCallers = false)
    {
        builder.UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = options.ClusterId;
                o.ServiceId = options.ServiceId;
            });
            if (options.Silo.Name is { } name)
            {
                silo.Configure<SiloOptions>(o => o.SiloName = name);
            }

            silo.AddReminders();
            silo.AddCollabGrainFilters();
            silo.AddActivityPropagation();
            if (options.Dashboard)
            {
                silo.AddDashboard();
            }

            if (documentsNearCallers)
            {
                silo.Services.AddSingleton<IPlacementStrategyResolver, DocumentPlacement>();
            }

            silo.Services.AddSingleton(options.Documents);
            silo.Services.AddSingleton(options.Limits);
            if (options.Storage == StorageKind.Sqlite)
            {
                silo.Services.AddSingleton<IOpLog, SqliteOpLog>();
                silo.UseLocalhostClustering(options.Silo.Port, options.Silo.GatewayPort, null, options.ServiceId, options.ClusterId);
                silo.Services.AddGrainStorage(GrainStorageName, (services, name) =>
                    ActivatorUtilities.CreateInstance<SqliteGrainStorage>(services, name, GrainStateSerializer(services)));
                silo.Services.AddSingleton<IReminderTable, SqliteReminderTable>();
            }
            else
            {
                var connectionString = options.PostgresConnectionString!;
                silo.Services.AddSingleton(_ => NpgsqlDataSource.Create(connectionString));
                silo.Services.AddSingleton<IOpLog, PostgresOpLog>();
                silo.ConfigureEndpoints(
                    options.Silo.AdvertisedHost,
                    options.Silo.Port,
                    options.Silo.GatewayPort,
                    listenOnAnyHostAddress: options.Silo.ListenOnAnyAddress);
                silo.UseAdoNetClustering(o =>
                {
                    o.Invariant = PostgresInvariant;
                    o.ConnectionString = connectionString;
                });
                silo.AddFailureTuning();
                silo.AddAdoNetGrainStorage(GrainStorageName, storage => storage.Configure<IServiceProvider>((o, services) =>
                {
                    o.Invariant = PostgresInvariant;
                    o.ConnectionString = connectionString;
                    o.GrainStorageSerializer = GrainStateSerializer(services);
                }));
                silo.UseAdoNetReminderService(o =>
                {
                    o.Invariant = PostgresInvariant;
                    o.ConnectionString = connectionString;
                });
            }

            // Database exceptions cannot cross the wire: they leave the silo as server.unavailable (StorageFaults).
            silo.AddStorageFaultTranslation(GrainStorageName);
        });
        builder.Services.AddHealthChecks().AddSiloCheck();
    }

    private static void AddClient(this IHostApplicationBuilder builder, CollabOptions options)
    {
        builder.UseOrleansClient(client =>
        {
            client.AddActivityPropagation();
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = options.ClusterId;
                o.ServiceId = options.ServiceId;
            });
            client.UseAdoNetClustering(o =>
            {
                o.Invariant = PostgresInvariant;
                o.ConnectionString = options.PostgresConnectionString!;
            });
            client.AddFailureTuning();

            // Silos may still be starting (docker compose starts everything at once): keep trying for a while.
            DateTimeOffset? deadline = null;
            client.UseConnectionRetryFilter(async (_, cancellationToken) =>
            {
                deadline ??= DateTimeOffset.UtcNow + options.ClientConnectTimeout;
                if (DateTimeOffset.UtcNow >= deadline)
                {
                    return false;
                }

                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
                return true;
            });
        });
    }

    /// <summary>The storage every grain uses by default (<c>[PersistentState("x")]</c> without a provider name).</summary>
    private const string GrainStorageName = "Default";

    /// <summary>
    /// Grain state is stored in Orleans' binary format in both modes: state types are already
    /// <c>[GenerateSerializer]</c> with stable <c>[Id]</c>s, so one set of versioning rules covers wire and storage,
    /// and documents' snapshots stay compact. See README, "Grain-state format".
    /// </summary>
    private static IGrainStorageSerializer GrainStateSerializer(IServiceProvider services) =>
        new OrleansGrainStorageSerializer(services.GetRequiredService<Serializer>());
}
