namespace Collab.Bench;

/// <summary>
/// Entry point: parse, run (one run, or a series: several servers, rounds, a ramp), print the summaries and the RESULT
/// line(s); exit 0 only when every client of every run converged.
/// </summary>
internal static class Program
{
    /// <summary>
    /// Read by .NET's socket engine on Linux at its first use: socket completions run on the thread that polled them
    /// instead of being queued to the thread pool. The generator's work per received message is short and never
    /// blocks, so this saves a thread hop per delivery (bench/README.md, "What the generator costs"). Set for this
    /// process only, with lean clients only; spawned servers do not inherit it (<see cref="ServerHost"/>).
    /// </summary>
    public const string InlineSocketCompletions = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    public static async Task<int> Main(string[] args)
    {
        BenchOptions options;
        try
        {
            options = BenchOptions.Parse(args);
        }
        catch (Exception e) when (e is ArgumentException or UriFormatException)
        {
            if (e.Message.Length > 0)
            {
                await Console.Error.WriteLineAsync("Collab.Bench: " + e.Message);
            }

            await Console.Error.WriteLineAsync(BenchOptions.Usage);
            return 1;
        }

        // Before the first socket: the engine reads it once. Runs of lean clients only: not the capacity modes, and not
        // the library client, whose SignalR pipelines would then run on the engine's threads.
        if (options.Lean && options.Activation == 0 && options.IdleConnections.Count == 0 && Environment.GetEnvironmentVariable(InlineSocketCompletions) is null)
        {
            Environment.SetEnvironmentVariable(InlineSocketCompletions, "1");
        }

        using var cancellation = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancellation.Cancel();
        };

        if (options.Activation > 0 || options.IdleConnections.Count > 0)
        {
            try
            {
                return options.Activation > 0
                    ? await new ActivationRunner(options, Console.Out).RunAsync(cancellation.Token)
                    : await new IdleRunner(options, Console.Out).RunAsync(cancellation.Token);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                await Console.Out.WriteLineAsync($"RUN FAILED: {e.GetType().Name}: {e.Message}");
                return 1;
            }
        }

        if (options.Servers.Count > 1 || options.Repeat > 1 || options.Ramp.Count > 0)
        {
            var series = new BenchSeries(options, Console.Out);
            await series.RunAsync(cancellation.Token);
            series.Print(Console.Out);
            return series.AllConverged ? 0 : 1;
        }

        var report = await new BenchRunner(options, Console.Out).RunAsync(cancellation.Token);
        report.Print(Console.Out);
        return report.Converged ? 0 : 1;
    }
}
