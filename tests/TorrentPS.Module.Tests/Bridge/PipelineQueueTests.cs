using TorrentPS.Bridge;

namespace TorrentPS.Module.Tests.Bridge;

public class PipelineQueueTests
{
    [Fact]
    public void Posted_actions_run_on_the_thread_that_called_Run()
    {
        var queue = new PipelineQueue();
        var pipelineThread = Environment.CurrentManagedThreadId;
        var seen = new List<int>();
        using var cancellation = new CancellationTokenSource();
        queue.Run(
            async ct =>
            {
                for (var i = 0; i < 5; i++)
                {
                    await Task.Yield();
                    Assert.NotEqual(pipelineThread, Environment.CurrentManagedThreadId);
                    queue.Post(() => seen.Add(Environment.CurrentManagedThreadId));
                }
            },
            cancellation);
        Assert.Equal(5, seen.Count);
        Assert.All(seen, id => Assert.Equal(pipelineThread, id));
    }
}
