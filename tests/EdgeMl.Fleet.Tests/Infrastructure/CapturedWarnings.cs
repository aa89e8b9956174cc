using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace EdgeMl.Fleet.Tests.Infrastructure;

/// <summary>A logger provider that keeps every warning a host logs, for tests that wait for one.</summary>
internal sealed class CapturedWarnings : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _warnings = new();

    public IEnumerable<string> Warnings => _warnings;

    public ILogger CreateLogger(string categoryName) => new Logger(_warnings);

    public void Dispose()
    {
    }

    private sealed class Logger(ConcurrentQueue<string> warnings) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel == LogLevel.Warning)
            {
                warnings.Enqueue(formatter(state, exception));
            }
        }
    }
}
