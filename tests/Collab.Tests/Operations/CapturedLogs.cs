using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Collab.Tests.Operations;

/// <summary>
/// An in-memory logger provider: every entry at every level, as the text a sink could write — the formatted message,
/// each structured value, the exception and the scopes it was written in.
/// </summary>
public sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<(string Category, LogLevel Level, string Text)> _entries = new();
    private readonly AsyncLocal<Scope?> _scope = new();

    public IReadOnlyList<(string Category, LogLevel Level, string Text)> Entries => [.. _entries];

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private static string Describe(object? state)
    {
        var text = state?.ToString() ?? "";
        if (state is IEnumerable<KeyValuePair<string, object?>> values)
        {
            text += " | " + string.Join(" | ", values.Select(v => $"{v.Key}={Flatten(v.Value)}"));
        }

        return text;
    }

    private static string Flatten(object? value) => value switch
    {
        null => "",
        string s => s,
        System.Collections.IEnumerable many => string.Join(",", many.Cast<object?>().Select(v => v?.ToString())),
        _ => value.ToString() ?? "",
    };

    private sealed record Scope(string Text, Scope? Parent);

    private sealed class Logger(CapturedLogs logs, string category) : ILogger
    {
        public IDisposable BeginScope<TState>(TState state) where TState : notnull
        {
            var parent = logs._scope.Value;
            logs._scope.Value = new Scope(Describe(state), parent);
            return new Pop(logs, parent);
        }

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var scopes = new List<string>();
            for (var scope = logs._scope.Value; scope is not null; scope = scope.Parent)
            {
                scopes.Add(scope.Text);
            }

            logs._entries.Enqueue((category, logLevel, $"{formatter(state, exception)} | {Describe(state)} | {exception} | {string.Join(" / ", scopes)}"));
        }
    }

    private sealed class Pop(CapturedLogs logs, Scope? parent) : IDisposable
    {
        public void Dispose() => logs._scope.Value = parent;
    }
}
