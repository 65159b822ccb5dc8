using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace TorrentPS.Engine.Tests.Wire;

/// <summary>Records every log event so tests can assert on the reasons connections were closed.</summary>
internal sealed class TestLoggerFactory : ILoggerFactory, ILogger
{
    public ConcurrentQueue<(LogLevel Level, string Message)> Entries { get; } = new();

    public IEnumerable<string> Messages => Entries.Select(e => e.Message);

    public ILogger CreateLogger(string categoryName) => this;

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    public IDisposable BeginScope<TState>(TState state) => NoScope.Instance;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        => Entries.Enqueue((logLevel, formatter(state, exception)));

    private sealed class NoScope : IDisposable
    {
        public static readonly NoScope Instance = new();

        public void Dispose()
        {
        }
    }

    /// <summary>
    /// Waits for a message containing <paramref name="text"/> (logging may trail the exception). Every caller expects the
    /// message, so the deadline is generous: it only decides how long a failing test takes, never whether a loaded machine passes.
    /// </summary>
    public async Task<bool> WaitForAsync(string text)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            if (Messages.Any(m => m.Contains(text, StringComparison.Ordinal)))
            {
                return true;
            }

            if (DateTime.UtcNow >= deadline)
            {
                return false;
            }

            await Task.Delay(20);
        }
    }
}
