using System.Net;
using System.Net.Http.Json;
using Collab.Client;
using Microsoft.AspNetCore.SignalR;

namespace Collab.IntegrationTests.Infrastructure;

/// <summary>
/// Sends a hub call again while it answers <c>server.unavailable</c>, as the protocol tells clients to (docs/protocol.md),
/// every <see cref="Pace"/>; any other error, or no success within the time given, fails.
/// </summary>
internal static class Retry
{
    public static readonly TimeSpan Pace = TimeSpan.FromMilliseconds(200);

    public static async Task<T> WhileUnavailableAsync<T>(Func<Task<T>> call, TimeSpan within, string what)
    {
        var deadline = DateTime.UtcNow + within;
        using var pace = new PeriodicTimer(Pace);
        while (true)
        {
            try
            {
                return await call();
            }
            catch (HubException e) when (HubErrors.CodeOf(e) == "server.unavailable" && DateTime.UtcNow < deadline)
            {
                await pace.WaitForNextTickAsync();
            }
            catch (HubException e) when (HubErrors.CodeOf(e) == "server.unavailable")
            {
                throw new TimeoutException($"Expected {what} to succeed within {within}; it still answers: {e.Message}");
            }
        }
    }

    /// <summary>The same for an HTTP request: sent again while it answers 503; any other error status fails.</summary>
    public static async Task<T> HttpWhileUnavailableAsync<T>(Func<Task<HttpResponseMessage>> send, TimeSpan within, string what)
    {
        var deadline = DateTime.UtcNow + within;
        using var pace = new PeriodicTimer(Pace);
        while (true)
        {
            using var response = await send();
            if (response.StatusCode != HttpStatusCode.ServiceUnavailable)
            {
                var body = await response.Content.ReadAsStringAsync();
                Assert.True(response.IsSuccessStatusCode, $"{what}: answered {(int)response.StatusCode}: {body}");
                return System.Text.Json.JsonSerializer.Deserialize<T>(body, TestWorkshop.Json)!;
            }

            if (DateTime.UtcNow >= deadline)
            {
                throw new TimeoutException($"Expected {what} within {within}; it still answers 503.");
            }

            await pace.WaitForNextTickAsync();
        }
    }

    /// <summary>Connects to the hub, again while the web node answers 503 (its cluster is still starting).</summary>
    public static async Task<CollabConnection> ConnectAsync(Uri hubUrl, string token, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        using var pace = new PeriodicTimer(Pace);
        while (true)
        {
            try
            {
                return await CollabConnection.ConnectAsync(hubUrl, token);
            }
            catch (HttpRequestException e) when (e.StatusCode == HttpStatusCode.ServiceUnavailable && DateTime.UtcNow < deadline)
            {
                await pace.WaitForNextTickAsync();
            }
        }
    }
}
