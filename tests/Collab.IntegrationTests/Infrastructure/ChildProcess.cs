using System.Diagnostics;
using System.Text;

namespace Collab.IntegrationTests.Infrastructure;

/// <summary>
/// A Collab program started as a separate OS process from its built DLL, with its output captured, so that tests can
/// wait for what it prints, kill it with SIGKILL and start it again.
/// </summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly List<(string Text, TaskCompletionSource Seen)> _waiters = [];

    private ChildProcess(Process process)
    {
        _process = process;
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public static ChildProcess Start(string dll, IReadOnlyDictionary<string, string?> environment, params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        info.ArgumentList.Add(dll);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        // Only what the test says: nothing from the developer's shell decides how the child is configured.
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("Collab__", StringComparison.OrdinalIgnoreCase) ||
                                                             k.StartsWith("ConnectionStrings__", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            info.Environment.Remove(key);
        }

        info.Environment["DOTNET_ENVIRONMENT"] = "Production";
        info.Environment["Logging__Console__FormatterName"] = "simple";
        info.Environment["Logging__Console__FormatterOptions__TimestampFormat"] = "HH:mm:ss.fff ";
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var child = new ChildProcess(process);
        process.OutputDataReceived += (_, e) => child.Append(e.Data);
        process.ErrorDataReceived += (_, e) => child.Append(e.Data);
        process.Exited += (_, _) => child.FailWaiters();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Completes when the process prints <paramref name="text"/>; fails if it exits first or the time runs out.</summary>
    public async Task WaitForOutputAsync(string text, TimeSpan timeout)
    {
        TaskCompletionSource seen;
        lock (_output)
        {
            if (_output.ToString().Contains(text, StringComparison.Ordinal))
            {
                return;
            }

            seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((text, seen));
        }

        if (_process.HasExited)
        {
            FailWaiters();
        }

        try
        {
            await seen.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Expected the process to print '{text}' within {timeout}. Output so far:\n{Output}");
        }
    }

    /// <summary>
    /// Completes once the process has printed <paramref name="count"/> lines containing <paramref name="text"/>, or has
    /// exited (the caller checks <see cref="HasExited"/>); fails when the time runs out.
    /// </summary>
    public async Task WaitForOutputCountAsync(string text, int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (CountLines(text) < count && !_process.HasExited)
        {
            TaskCompletionSource seen;
            lock (_output)
            {
                seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiters.Add((text, seen));
            }

            if (CountLines(text) >= count || _process.HasExited)
            {
                break;
            }

            var left = deadline - DateTime.UtcNow;
            try
            {
                await seen.Task.WaitAsync(left > TimeSpan.Zero ? left : TimeSpan.Zero);
            }
            catch (TimeoutException)
            {
                throw new TimeoutException($"Expected the process to print '{text}' {count} times within {timeout}. Output so far:\n{Output}");
            }
            catch (InvalidOperationException)
            {
                // It exited: the caller looks at how.
                break;
            }
        }
    }

    /// <summary>How many lines printed so far contain <paramref name="text"/>.</summary>
    public int CountLines(string text)
    {
        lock (_output)
        {
            return _output.ToString().Split('\n').Count(line => line.Contains(text, StringComparison.Ordinal));
        }
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"Expected the process to exit within {timeout}. Output so far:\n{Output}");
        }

        return _process.ExitCode;
    }

    /// <summary>
    /// Sends a signal by name (<c>INT</c> as Ctrl+C does, <c>TERM</c> as a service manager or <c>docker stop</c> does) and
    /// returns at once; the process shuts down by itself.
    /// </summary>
    public async Task SignalAsync(string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-" + signal, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            UseShellExecute = false,
        })!;
        await kill.WaitForExitAsync();
    }

    /// <summary>SIGKILL: no shutdown hooks, no flushing; what was acknowledged must already be durable.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
            foreach (var waiter in _waiters.Where(w => line.Contains(w.Text, StringComparison.Ordinal)).ToList())
            {
                waiter.Seen.TrySetResult();
                _waiters.Remove(waiter);
            }
        }
    }

    private void FailWaiters()
    {
        // Let the output readers drain before reporting what was printed.
        _process.WaitForExit();
        lock (_output)
        {
            foreach (var waiter in _waiters)
            {
                waiter.Seen.TrySetException(new InvalidOperationException(
                    $"The process exited (code {_process.ExitCode}) before printing '{waiter.Text}'. Output:\n{_output}"));
            }

            _waiters.Clear();
        }
    }
}
