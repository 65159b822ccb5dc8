using System.Diagnostics;
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

    [Fact]
    public void Actions_run_in_the_order_they_were_posted()
    {
        var queue = new PipelineQueue();
        var seen = new List<int>();
        using var cancellation = new CancellationTokenSource();
        queue.Run(
            async ct =>
            {
                for (var i = 0; i < 1000; i++)
                {
                    var n = i;
                    queue.Post(() => seen.Add(n));
                    if (i % 100 == 0)
                    {
                        await Task.Yield();
                    }
                }
            },
            cancellation);
        Assert.Equal(Enumerable.Range(0, 1000), seen);
    }

    [Fact]
    public void Posts_on_the_pipeline_thread_run_at_once_when_no_work_runs()
    {
        var queue = new PipelineQueue();
        var ran = false;
        Assert.True(queue.Post(() => ran = true));
        Assert.True(ran);
    }

    [Fact]
    public void A_late_post_from_another_thread_after_the_work_ended_is_dropped_not_run_there()
    {
        var queue = new PipelineQueue();
        using var cancellation = new CancellationTokenSource();
        queue.Run(_ => Task.CompletedTask, cancellation);
        var ran = false;
        var accepted = OnDedicatedThread(() => queue.Post(() => ran = true));
        Assert.False(accepted);
        Assert.False(ran);
    }

    [Fact]
    public void Posts_from_a_stray_thread_that_outlives_the_work_never_run_on_its_thread()
    {
        var queue = new PipelineQueue();
        using var cancellation = new CancellationTokenSource();
        using var workEnded = new ManualResetEventSlim();
        var strayRanOn = new List<int>();
        var stray = new Thread(() =>
        {
            workEnded.Wait();
            queue.Post(() => strayRanOn.Add(Environment.CurrentManagedThreadId));
        });
        queue.Run(
            _ =>
            {
                stray.Start(); // a background activity the work started and did not wait for
                return Task.CompletedTask;
            },
            cancellation);
        workEnded.Set();
        stray.Join();
        Assert.Empty(strayRanOn);
    }

    [Fact]
    public void Posts_after_Close_are_dropped_even_on_the_pipeline_thread()
    {
        var queue = new PipelineQueue();
        queue.Close();
        var ran = false;
        Assert.False(queue.Post(() => ran = true));
        Assert.False(ran);
    }

    [Fact]
    public void The_work_exception_is_rethrown_on_the_pipeline_thread_after_queued_writes()
    {
        var queue = new PipelineQueue();
        using var cancellation = new CancellationTokenSource();
        var written = new List<string>();
        var ex = Assert.Throws<InvalidDataException>(() => queue.Run(
            async _ =>
            {
                queue.Post(() => written.Add("before"));
                await Task.Yield();
                throw new InvalidDataException("boom");
            },
            cancellation));
        Assert.Equal("boom", ex.Message);
        Assert.Equal(["before"], written);
        Assert.False(queue.IsRunning);
    }

    [Fact]
    public void A_failing_write_cancels_the_work_drops_later_writes_and_is_rethrown()
    {
        var queue = new PipelineQueue();
        using var cancellation = new CancellationTokenSource();
        var written = new List<int>();
        var workSawCancellation = false;
        var ex = Assert.Throws<StoppedException>(() => queue.Run(
            async ct =>
            {
                queue.Post(() => throw new StoppedException());
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(30), ct);
                }
                catch (OperationCanceledException)
                {
                    workSawCancellation = true;
                }

                queue.Post(() => written.Add(1)); // after the failure: dropped
            },
            cancellation));
        Assert.NotNull(ex);
        Assert.True(workSawCancellation);
        Assert.Empty(written);
        Assert.True(cancellation.IsCancellationRequested);
    }

    [Fact]
    public void Stopping_cancels_the_token_and_Run_ends_promptly_with_OperationCanceledException()
    {
        var queue = new PipelineQueue();
        using var cancellation = new CancellationTokenSource();
        var started = new ManualResetEventSlim();
        var stopwatch = Stopwatch.StartNew();
        _ = Task.Run(() =>
        {
            started.Wait();
            cancellation.Cancel(); // what StopProcessing does, from another thread
        });
        Assert.ThrowsAny<OperationCanceledException>(() => queue.Run(
            async ct =>
            {
                started.Set();
                await Task.Delay(Timeout.Infinite, ct);
            },
            cancellation));
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5), $"took {stopwatch.Elapsed}");
    }

    [Fact]
    public void Work_that_ignores_cancellation_is_abandoned_after_the_grace_period()
    {
        var queue = new PipelineQueue { StopGracePeriod = TimeSpan.FromMilliseconds(200) };
        using var cancellation = new CancellationTokenSource();
        var release = new TaskCompletionSource();
        var started = new ManualResetEventSlim();
        _ = Task.Run(() =>
        {
            started.Wait();
            cancellation.Cancel();
        });
        var stopwatch = Stopwatch.StartNew();
        Assert.ThrowsAny<OperationCanceledException>(() => queue.Run(
            async _ =>
            {
                started.Set();
                await release.Task; // does not observe the token
            },
            cancellation));
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10), $"took {stopwatch.Elapsed}");
        Assert.False(queue.IsRunning);
        release.SetResult();
    }

    [Fact]
    public void Writes_queued_while_stopping_still_reach_the_pipeline_within_the_grace_period()
    {
        var queue = new PipelineQueue();
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();
        var written = new List<string>();
        queue.Run(
            async ct =>
            {
                await Task.Yield();
                queue.Post(() => written.Add("final progress"));
            },
            cancellation);
        Assert.Equal(["final progress"], written);
    }

    [Fact]
    public void The_queue_runs_one_work_at_a_time_and_can_be_reused()
    {
        var queue = new PipelineQueue();
        using var cancellation = new CancellationTokenSource();
        var nested = false;
        queue.Run(
            _ =>
            {
                queue.Post(() => nested = Assert.Throws<InvalidOperationException>(() => queue.Run(_ => Task.CompletedTask, cancellation)) is not null);
                return Task.CompletedTask;
            },
            cancellation);
        Assert.True(nested);
        var count = 0;
        queue.Run(_ => Task.FromResult(queue.Post(() => count++)), cancellation);
        Assert.Equal(1, count);
    }

    [Fact]
    public void A_write_blocked_when_the_pipeline_stops_ends_Run_promptly_with_the_write_exception()
    {
        var queue = new PipelineQueue();
        using var cancellation = new CancellationTokenSource();
        var writeStarted = new ManualResetEventSlim();
        _ = Task.Run(() =>
        {
            writeStarted.Wait();
            cancellation.Cancel(); // StopProcessing while the pipeline thread is inside a write
        });
        var stopwatch = Stopwatch.StartNew();
        Assert.Throws<StoppedException>(() => queue.Run(
            async ct =>
            {
                queue.Post(() =>
                {
                    // Like PowerShell: a write blocked downstream throws once the pipeline stops.
                    writeStarted.Set();
                    cancellation.Token.WaitHandle.WaitOne();
                    throw new StoppedException();
                });
                await Task.Delay(Timeout.Infinite, ct);
            },
            cancellation));
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5), $"took {stopwatch.Elapsed}");
    }

    /// <summary>Runs <paramref name="action"/> on a new thread: never the test's (pipeline) thread, unlike a pool thread.</summary>
    private static T OnDedicatedThread<T>(Func<T> action)
    {
        T result = default!;
        var thread = new Thread(() => result = action());
        thread.Start();
        thread.Join();
        return result;
    }

    private sealed class StoppedException : Exception
    {
    }
}
