using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;

namespace Collab.Tests;

/// <summary>The embedded web node on a real Kestrel at 127.0.0.1 (WebSockets), for real SignalR clients.</summary>
public class KestrelWebNode : EmbeddedKestrelNode
{
    public Uri HubUrl => new(Address, "/hubs/collab");

    private readonly SemaphoreSlim _workshopGate = new(1, 1);
    private TestWorkshop? _workshop;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _names = new();

    /// <summary>One workshop per fixture, created on first use through the real API.</summary>
    public async Task<TestWorkshop> WorkshopAsync()
    {
        await _workshopGate.WaitAsync();
        try
        {
            return _workshop ??= await TestWorkshop.CreateAsync(() => new HttpClient { BaseAddress = Address });
        }
        finally
        {
            _workshopGate.Release();
        }
    }

    /// <summary>A new participant of the fixture's workshop (a name used before gets a number: names are unique).</summary>
    public async Task<TestWorkshop.Member> MemberAsync(string name, string role = "participant")
    {
        var workshop = await WorkshopAsync();
        var uses = _names.AddOrUpdate(name, 1, (_, n) => n + 1);
        return await workshop.JoinAsync(uses == 1 ? name : $"{name} #{uses}", role);
    }

    /// <summary>A raw SignalR connection (not started) carrying <paramref name="token"/>, speaking <paramref name="protocol"/>.</summary>
    public HubConnection Raw(string token, Collab.Client.CollabHubProtocol protocol = Collab.Client.CollabHubProtocol.Json)
    {
        var builder = new HubConnectionBuilder().WithUrl(HubUrl, o => o.AccessTokenProvider = () => Task.FromResult<string?>(token));
        Collab.Client.CollabConnection.UseProtocol(builder, protocol);
        return builder.Build();
    }

    /// <summary>Activations of grain classes whose type name contains <paramref name="grainClass"/>, across the cluster.</summary>
    public async Task<int> ActivationsAsync(string grainClass)
    {
        _ = Address; // the server starts on Kestrel first
        var management = Services.GetRequiredService<IClusterClient>().GetGrain<IManagementGrain>(0);
        var statistics = await management.GetSimpleGrainStatistics();
        return statistics.Where(s => s.GrainType.Contains(grainClass, StringComparison.Ordinal)).Sum(s => s.ActivationCount);
    }

    /// <summary>
    /// Waits (bounded) until fewer than <paramref name="limit"/> activations of <paramref name="grainClass"/> remain:
    /// deactivation runs just after each refused call returns. Answers the last count seen.
    /// </summary>
    public async Task<int> ActivationsSettleBelowAsync(string grainClass, int limit, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        int count;
        while ((count = await ActivationsAsync(grainClass)) >= limit && DateTime.UtcNow < deadline)
        {
            await tick.WaitForNextTickAsync();
        }

        return count;
    }
}
