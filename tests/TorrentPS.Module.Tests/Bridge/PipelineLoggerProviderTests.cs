using Microsoft.Extensions.Logging;
using TorrentPS.Bridge;

namespace TorrentPS.Module.Tests.Bridge;

public class PipelineLoggerProviderTests
{
    [Theory]
    [InlineData(LogLevel.Trace, "Debug")]
    [InlineData(LogLevel.Debug, "Debug")]
    [InlineData(LogLevel.Information, "Verbose")]
    [InlineData(LogLevel.Warning, "Warning")]
    [InlineData(LogLevel.Error, "Warning")]
    [InlineData(LogLevel.Critical, "Warning")]
    [InlineData(LogLevel.None, "None")]
    public void Log_levels_map_to_pipeline_streams(LogLevel level, string expected)
        => Assert.Equal(expected, PipelineLoggerProvider.StreamFor(level).ToString());

    [Fact]
    public void Engine_log_events_reach_the_sink_with_their_exception_and_the_category_only_on_Debug()
    {
        var events = new List<(PipelineStream Stream, string Message)>();
        using var factory = new PipelineLoggerProvider((stream, message) => events.Add((stream, message)));
        var logger = factory.CreateLogger("TorrentPS.Engine.Trackers.HttpTrackerClient");
        logger.LogInformation("announcing to {Url}", "http://127.0.0.1:6969/announce");
        logger.LogWarning(new TimeoutException("no answer"), "tracker failed");
        logger.LogDebug("detail");
        Assert.Equal(
            [
                (PipelineStream.Verbose, "announcing to http://127.0.0.1:6969/announce"),
                (PipelineStream.Warning, "tracker failed: no answer"),
                (PipelineStream.Debug, "[HttpTrackerClient] detail"),
            ],
            events);
    }

    [Fact]
    public void Typed_loggers_from_the_factory_work()
    {
        var events = new List<string>();
        ILoggerFactory factory = new PipelineLoggerProvider((_, message) => events.Add(message));
        factory.CreateLogger<PipelineLoggerProviderTests>().LogInformation("hello");
        Assert.Equal(["hello"], events);
    }

    [Fact]
    public void Log_lines_escape_what_peers_and_trackers_said()
    {
        var events = new List<string>();
        using var factory = new PipelineLoggerProvider((_, message) => events.Add(message));
        factory.CreateLogger("TorrentPS.Engine.Session.Torrent").LogInformation("connected to {Client}", "\u001b[2J\u001b[1;31m PWNED");
        Assert.Equal(["connected to \\x1b[2J\\x1b[1;31m PWNED"], events);
    }

    [Fact]
    public void Disabled_levels_are_not_enabled()
    {
        var logger = new PipelineLoggerProvider((_, _) => throw new InvalidOperationException()).CreateLogger("x");
        Assert.False(logger.IsEnabled(LogLevel.None));
        logger.Log(LogLevel.None, "ignored");
        Assert.True(logger.IsEnabled(LogLevel.Debug));
    }
}
