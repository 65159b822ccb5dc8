using TorrentPS.Engine.Swarm;

namespace TorrentPS.Engine.Tests.Swarm;

public sealed class EventQueueTests
{
    [Fact]
    public void A_quiet_post_does_not_wake_the_sleeping_loop_and_is_taken_with_the_next_post()
    {
        var queue = new EventQueue<string>();
        List<string>? taken = null;
        var loop = new Thread(() => taken = [.. queue.TakeAll()]) { IsBackground = true };
        loop.Start();
        Assert.True(SpinWait.SpinUntil(() => (loop.ThreadState & ThreadState.WaitSleepJoin) != 0, TimeSpan.FromSeconds(10)), "the loop never went to sleep");

        Assert.True(queue.TryPostQuietly("piece verified"));
        Assert.Equal(0, queue.WakeUps);
        Assert.True((loop.ThreadState & ThreadState.WaitSleepJoin) != 0);

        Assert.True(queue.TryPost("batch"));
        Assert.True(loop.Join(TimeSpan.FromSeconds(10)), "the loop did not wake for the second post");
        Assert.Equal(["piece verified", "batch"], taken);
        Assert.Equal(1, queue.WakeUps);
    }

    [Fact]
    public void A_post_to_a_loop_that_is_awake_does_not_count_as_a_wake_up()
    {
        var queue = new EventQueue<int>();
        Assert.True(queue.TryPost(1));
        Assert.True(queue.TryPost(2));
        Assert.Equal([1, 2], queue.TakeAll());
        Assert.Equal(0, queue.WakeUps);
    }

    [Fact]
    public void Nothing_is_posted_quietly_once_the_queue_is_completed()
    {
        var queue = new EventQueue<int>();
        Assert.True(queue.TryPostQuietly(1));
        queue.Complete();
        Assert.False(queue.TryPostQuietly(2));
        Assert.Equal([1], queue.TakeAll());
        Assert.Empty(queue.TakeAll());
    }
}
