using System.Diagnostics;
using System.Globalization;

namespace Collab.Bench;

/// <summary>One spawned process's memory at one instant: resident set and the managed heap after the last collection.</summary>
internal sealed record ProcessMemory(string Name, int Pid, long RssKiB, long HeapBytes);

/// <summary>
/// Memory of the spawned servers (web node, silo; not PostgreSQL): the resident set from <c>/proc/PID/status</c> (VmRSS)
/// and the live managed heap as the runtime's meter states it after the last collection (<c>/metrics</c>,
/// <c>dotnet_gc_last_collection_heap_size_bytes</c> less <c>…_heap_fragmentation_size_bytes</c>, summed over the
/// generations). Before reading, a full blocking
/// collection is induced in each process where <c>dotnet-trace</c> is installed: a two-second EventPipe session with the
/// runtime's GCHeapCollect keyword (0x800000) makes the runtime collect, as <c>dotnet-gcdump</c> does. Without it the
/// reading is whatever the last collection left (the summary says which).
/// </summary>
internal static class ServerMemory
{
    private const string InduceGcProvider = "Microsoft-Windows-DotNETRuntime:0x800000:4";

    /// <summary>Where <c>dotnet-trace</c> is (the global tool's folder, then PATH), or null.</summary>
    public static string? DotnetTrace { get; } = FindDotnetTrace();

    public static async Task<IReadOnlyList<ProcessMemory>> MeasureAsync(ServerHost host, bool induceGc, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var readings = new List<ProcessMemory>();
        foreach (var server in host.Servers.Where(s => s.HttpBase is not null))
        {
            if (induceGc && DotnetTrace is not null)
            {
                await InduceGcAsync(server.Pid, host.LogFolder, cancellationToken);
            }

            readings.Add(new ProcessMemory(server.Name, server.Pid, ProcStats.RssKiB(server.Pid) ?? 0, await HeapBytesAsync(http, server, cancellationToken)));
        }

        return readings;
    }

    /// <summary>
    /// The live managed heap after the last collection: its size less its fragmentation (free space between objects,
    /// which a non-compacting collection leaves and which varied by 100 MB between identical runs), or -1 where the
    /// process has no <c>/metrics</c> (the bare hub).
    /// </summary>
    private static async Task<long> HeapBytesAsync(HttpClient http, ServerHost.Server server, CancellationToken cancellationToken)
    {
        var metrics = await MetricsAsync(http, server, cancellationToken);
        return metrics is null
            ? -1
            : (long)(Sum(metrics, "dotnet_gc_last_collection_heap_size_bytes") - Sum(metrics, "dotnet_gc_last_collection_heap_fragmentation_size_bytes"));
    }

    /// <summary>A counter summed over every spawned process that has <c>/metrics</c> (e.g. the JIT's time so far).</summary>
    public static async Task<double> SumAsync(ServerHost host, string metric, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var total = 0.0;
        foreach (var server in host.Servers.Where(s => s.HttpBase is not null))
        {
            total += await MetricsAsync(http, server, cancellationToken) is { } metrics ? Sum(metrics, metric) : 0;
        }

        return total;
    }

    private static async Task<string[]?> MetricsAsync(HttpClient http, ServerHost.Server server, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(new Uri(server.HttpBase + "/metrics"), cancellationToken);
        return response.IsSuccessStatusCode ? (await response.Content.ReadAsStringAsync(cancellationToken)).Split('\n') : null;
    }

    /// <summary>A Prometheus metric's samples summed over their labels (<c>name{…} value</c> or <c>name value</c>).</summary>
    private static double Sum(string[] metrics, string metric) => metrics
        .Where(l => l.StartsWith(metric + "{", StringComparison.Ordinal) || l.StartsWith(metric + " ", StringComparison.Ordinal))
        .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));

    /// <summary>What a reading was taken after, for the summary.</summary>
    public static string GcNote(bool induceGc) =>
        !induceGc ? "after a settle period, no collection induced"
        : DotnetTrace is null ? "after a settle period (dotnet-trace not installed: no collection induced)"
        : "after a full collection induced in each process (dotnet-trace, GCHeapCollect)";

    public static string GcMode(bool induceGc) => induceGc && DotnetTrace is not null ? "induced" : "settled";

    private static async Task InduceGcAsync(int pid, string folder, CancellationToken cancellationToken)
    {
        var output = Path.Combine(folder, $"gc-{pid}-{Environment.TickCount64}.nettrace");
        var start = new ProcessStartInfo(DotnetTrace!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "collect", "-p", pid.ToString(CultureInfo.InvariantCulture), "--providers", InduceGcProvider, "--duration", "00:00:00:02", "-o", output })
        {
            start.ArgumentList.Add(argument);
        }

        using var trace = Process.Start(start)!;
        var drain = Task.WhenAll(trace.StandardOutput.ReadToEndAsync(cancellationToken), trace.StandardError.ReadToEndAsync(cancellationToken));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        try
        {
            await trace.WaitForExitAsync(timeout.Token);
            await drain;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            trace.Kill(entireProcessTree: true);
        }
        finally
        {
            File.Delete(output);
        }
    }

    private static string? FindDotnetTrace()
    {
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var candidates = new[] { Path.Combine(home, ".dotnet", "tools", "dotnet-trace") }
            .Concat((Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Select(d => Path.Combine(d, "dotnet-trace")));
        return candidates.FirstOrDefault(File.Exists);
    }
}
