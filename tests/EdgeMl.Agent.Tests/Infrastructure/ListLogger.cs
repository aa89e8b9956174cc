using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace EdgeMl.Agent.Tests.Infrastructure;

/// <summary>A logger that keeps each entry's level and message, for tests that count what was said or act when it is said.</summary>
internal sealed class ListLogger<T>(Action<LogLevel, string>? onEntry = null) : ILogger<T>
{
    private readonly ConcurrentQueue<(LogLevel Level, string Message)> _entries = new();

    public IReadOnlyList<(LogLevel Level, string Message)> Entries => [.. _entries];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        var message = formatter(state, exception);
        _entries.Enqueue((logLevel, message));
        onEntry?.Invoke(logLevel, message);
    }
}
