using TorrentPS.Bridge;

namespace TorrentPS.Module.Tests.Bridge;

public class AsyncCmdletTests
{
    [Fact]
    public void StopProcessing_cancels_the_operation_token()
    {
        using var cmdlet = new ProbeCmdlet();
        Assert.False(cmdlet.Token.IsCancellationRequested);
        cmdlet.Stop();
        Assert.True(cmdlet.Token.IsCancellationRequested);
    }

    [Fact]
    public void StopProcessing_after_the_pipeline_ended_does_not_throw()
    {
        var cmdlet = new ProbeCmdlet();
        var token = cmdlet.Token;
        cmdlet.Dispose();
        cmdlet.Stop();
        Assert.True(token.IsCancellationRequested); // work abandoned after a stop sees it cancelled
    }

    [Fact]
    public void The_logger_factory_is_created_once()
    {
        using var cmdlet = new ProbeCmdlet();
        Assert.Same(cmdlet.Loggers, cmdlet.Loggers);
    }

    private sealed class ProbeCmdlet : AsyncCmdlet
    {
        public CancellationToken Token => StopToken;

        public Microsoft.Extensions.Logging.ILoggerFactory Loggers => LoggerFactory;

        public void Stop() => StopProcessing();
    }
}
