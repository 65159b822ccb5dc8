using Microsoft.Extensions.Logging;

using TorrentPS.Engine.Text;

namespace TorrentPS.Cli.Output;

/// <summary>
/// The engine's log on stderr, one line per event (<c>tps: [info] ...</c>), from the level given (<c>TPS_LOG</c>:
/// trace, debug, info, warning, error, none; warning by default). Stdout never carries a log line.
/// </summary>
internal sealed class StderrLoggerFactory(TextWriter stderr, LogLevel minimum) : ILoggerFactory
{
    private readonly object _lock = new();

    /// <summary>The level <c>TPS_LOG</c> names, or <paramref name="fallback"/>.</summary>
    public static LogLevel LevelFromEnvironment(LogLevel fallback) => Environment.GetEnvironmentVariable("TPS_LOG")?.Trim().ToLowerInvariant() switch
    {
        "trace" => LogLevel.Trace,
        "debug" => LogLevel.Debug,
        "info" or "information" => LogLevel.Information,
        "warn" or "warning" => LogLevel.Warning,
        "error" => LogLevel.Error,
        "none" or "off" => LogLevel.None,
        _ => fallback,
    };

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    private void Write(LogLevel level, string message)
    {
        var tag = level switch
        {
            LogLevel.Trace => "trace",
            LogLevel.Debug => "debug",
            LogLevel.Information => "info",
            LogLevel.Warning => "warning",
            _ => "error",
        };
        lock (_lock)
        {
            StatusLine.ClearCurrent(stderr);
            // A log line quotes what peers and trackers said (client names, failure reasons): escaped as all untrusted text.
            stderr.WriteLine($"tps: [{tag}] {DisplayText.Message(message.ReplaceLineEndings(" "))}");
        }
    }

    private sealed class Logger(StderrLoggerFactory owner) : ILogger
    {
        public IDisposable BeginScope<TState>(TState state) => NoScope.Instance;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= owner._minimum && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                owner.Write(logLevel, formatter(state, exception));
            }
        }
    }

    private readonly LogLevel _minimum = minimum;

    private sealed class NoScope : IDisposable
    {
        public static readonly NoScope Instance = new();

        public void Dispose()
        {
        }
    }
}
