using Collab.Documents;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Storage;

namespace Collab.Hosting.Faults;

/// <summary>Puts <see cref="StorageFaults"/> in place on a silo, over whichever storage adapters were registered.</summary>
internal static class FaultTranslation
{
    /// <summary>
    /// Wraps the grain storage named <paramref name="grainStorage"/>, the op log and the reminder table, and adds the
    /// grain call filter. Call after they are registered.
    /// </summary>
    public static ISiloBuilder AddStorageFaultTranslation(this ISiloBuilder silo, string grainStorage)
    {
        var services = silo.Services;
        services.AddSingleton<StorageFaultFilter>();
        silo.AddIncomingGrainCallFilter<StorageFaultFilter>();
        DecorateKeyed<IGrainStorage>(services, grainStorage, (provider, inner) =>
            new FaultTranslatingGrainStorage(inner, grainStorage, provider.GetRequiredService<ILogger<FaultTranslatingGrainStorage>>()));
        Decorate<IOpLog>(services, (provider, inner) =>
            new FaultTranslatingOpLog(inner, provider.GetRequiredService<ILogger<FaultTranslatingOpLog>>()));
        Decorate<IReminderTable>(services, (provider, inner) =>
            new FaultTranslatingReminderTable(inner, provider.GetRequiredService<ILogger<FaultTranslatingReminderTable>>()));
        return silo;
    }

    private static void Decorate<TService>(IServiceCollection services, Func<IServiceProvider, TService, TService> decorate)
        where TService : class
    {
        var index = LastIndex(services, d => d.ServiceType == typeof(TService) && !d.IsKeyedService);
        var original = services[index];
        services[index] = ServiceDescriptor.Describe(typeof(TService), provider => decorate(provider, (TService)Create(provider, original)), original.Lifetime);
    }

    private static void DecorateKeyed<TService>(IServiceCollection services, string key, Func<IServiceProvider, TService, TService> decorate)
        where TService : class
    {
        var index = LastIndex(services, d => d.ServiceType == typeof(TService) && d.IsKeyedService && Equals(d.ServiceKey, key));
        var original = services[index];
        services[index] = ServiceDescriptor.DescribeKeyed(
            typeof(TService), key, (provider, serviceKey) => decorate(provider, (TService)CreateKeyed(provider, original, serviceKey)), original.Lifetime);
    }

    private static int LastIndex(IServiceCollection services, Func<ServiceDescriptor, bool> match)
    {
        for (var i = services.Count - 1; i >= 0; i--)
        {
            if (match(services[i]))
            {
                return i;
            }
        }

        throw new InvalidOperationException("Storage fault translation was set up before the storage it wraps was registered.");
    }

    private static object Create(IServiceProvider provider, ServiceDescriptor original) =>
        original.ImplementationInstance
        ?? original.ImplementationFactory?.Invoke(provider)
        ?? ActivatorUtilities.CreateInstance(provider, original.ImplementationType!);

    private static object CreateKeyed(IServiceProvider provider, ServiceDescriptor original, object? key) =>
        original.KeyedImplementationInstance
        ?? original.KeyedImplementationFactory?.Invoke(provider, key)
        ?? ActivatorUtilities.CreateInstance(provider, original.KeyedImplementationType!);
}
