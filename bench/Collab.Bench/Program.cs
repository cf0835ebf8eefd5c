namespace Collab.Bench;

/// <summary>Entry point: parse, run, print the summary and the RESULT line; exit 0 only when every client converged.</summary>
internal static class Program
{
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

        using var cancellation = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancellation.Cancel();
        };

        var report = await new BenchRunner(options, Console.Out).RunAsync(cancellation.Token);
        report.Print(Console.Out);
        return report.Converged ? 0 : 1;
    }
}
