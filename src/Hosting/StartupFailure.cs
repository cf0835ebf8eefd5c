using Collab.Hosting.Configuration;

namespace Collab.Hosting;

/// <summary>How a Collab process ends when it cannot start: one clear message on stderr, exit code 2.</summary>
public static class StartupFailure
{
    public const int ExitCode = 2;

    public static int Report(CollabStartupException failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        Console.Error.WriteLine($"collab: {failure.Message}");
        return ExitCode;
    }
}
