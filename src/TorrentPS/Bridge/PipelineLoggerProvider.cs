using Microsoft.Extensions.Logging;
using TorrentPS.Engine.Text;

namespace TorrentPS.Bridge;

/// <summary>Where a log event goes in PowerShell.</summary>
internal enum PipelineStream
{
    None,
    Debug,
    Verbose,
    Warning,
}

/// <summary>
/// An <see cref="ILoggerProvider"/> that turns engine log events into pipeline writes:
/// Trace and Debug → Debug stream, Information → Verbose, Warning and above → Warning.
/// Verbose and Warning lines read as sentences for a user; Debug lines, details for whoever digs, start with the engine
/// component that wrote them (<c>[PeerLink] …</c>). Every line is escaped as untrusted text (<see cref="DisplayText"/>):
/// it quotes what peers and trackers said. The sink is called from any thread; the cmdlet queues the write for the
/// pipeline thread.
/// </summary>
internal sealed class PipelineLoggerProvider : ILoggerProvider, ILoggerFactory
{
    private readonly Action<PipelineStream, string> _sink;

    public PipelineLoggerProvider(Action<PipelineStream, string> sink) => _sink = sink;

    public static PipelineStream StreamFor(LogLevel level) => level switch
    {
        LogLevel.Trace or LogLevel.Debug => PipelineStream.Debug,
        LogLevel.Information => PipelineStream.Verbose,
        LogLevel.Warning or LogLevel.Error or LogLevel.Critical => PipelineStream.Warning,
        _ => PipelineStream.None,
    };

    public ILogger CreateLogger(string categoryName) => new PipelineLogger(categoryName, _sink);

    public void AddProvider(ILoggerProvider provider)
    {
        // This factory writes to the pipeline only.
    }

    public void Dispose()
    {
    }

    private sealed class NoScope : IDisposable
    {
        public static readonly NoScope Instance = new();

        public void Dispose()
        {
        }
    }

    private sealed class PipelineLogger(string category, Action<PipelineStream, string> sink) : ILogger
    {
        private readonly string _shortCategory = category[(category.LastIndexOf('.') + 1)..];

        public IDisposable BeginScope<TState>(TState state) => NoScope.Instance;

        public bool IsEnabled(LogLevel logLevel) => StreamFor(logLevel) != PipelineStream.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var stream = StreamFor(logLevel);
            if (stream == PipelineStream.None)
            {
                return;
            }

            var message = formatter(state, exception);
            if (exception is not null)
            {
                message = $"{message}: {exception.Message}";
            }

            message = DisplayText.Message(message);
            sink(stream, stream == PipelineStream.Debug ? $"[{_shortCategory}] {message}" : message);
        }
    }
}
