using TorrentPS.Engine.Swarm;
using TorrentPS.Engine.Wire;

namespace TorrentPS.Engine.Tests.Swarm.Parts;

/// <summary>What a connection decides from what the loop told it to expect: bytes still to come, and whether a batch wakes the loop.</summary>
public sealed class BlockExpectationTests
{
    private static PeerMessageBatch Batch(params IncomingMessage[] messages)
    {
        var batch = PeerMessageBatch.Rent();
        foreach (var message in messages)
        {
            batch.Add(message);
        }

        return batch;
    }

    private static IncomingMessage Block(BlockOutcome outcome = BlockOutcome.Accepted)
        => new(PeerMessageType.Piece, 0, 0, 16384, Outcome: outcome);

    // 64 blocks asked for after the loop had taken in 10 blocks; the loop wants to hear of them once fewer than 33 are to come.
    private static readonly BlockExpectation Expected = new(64 * 16384L, 10 * 16384L, 33 * 16384L);

    [Fact]
    public void Bytes_still_to_come_count_from_the_blocks_the_loop_had_taken_in()
    {
        Assert.Equal(64 * 16384L, Expected.Remaining(10 * 16384L));
        Assert.Equal(40 * 16384L, Expected.Remaining(34 * 16384L));
        Assert.Equal(-16384L, Expected.Remaining(75 * 16384L));
    }

    [Fact]
    public void Blocks_with_more_than_the_mark_still_to_come_let_the_loop_sleep_and_the_batch_that_crosses_it_wakes_it()
    {
        var batch = Batch(Block(), Block(BlockOutcome.CompletedPiece));

        Assert.True(Expected.LetsLoopSleep(batch, 40 * 16384L)); // 34 to come
        Assert.False(Expected.LetsLoopSleep(batch, 41 * 16384L)); // 33 to come
        Assert.False(Expected.LetsLoopSleep(batch, 80 * 16384L));
        batch.Return();
    }

    [Theory]
    [InlineData((int)PeerMessageType.Have)]
    [InlineData((int)PeerMessageType.Choke)]
    [InlineData((int)PeerMessageType.RejectRequest)]
    [InlineData((int)PeerMessageType.Extended)]
    public void A_batch_with_any_other_message_wakes_the_loop(int type)
    {
        var batch = Batch(Block(), new IncomingMessage((PeerMessageType)type, 1));

        Assert.False(batch.OnlyUsefulBlocks);
        Assert.False(Expected.LetsLoopSleep(batch, 10 * 16384L));
        batch.Return();
    }

    [Theory]
    [InlineData((int)BlockOutcome.Duplicate)]
    [InlineData((int)BlockOutcome.Unexpected)]
    public void A_block_that_was_of_no_use_wakes_the_loop(int outcome)
    {
        var batch = Batch(Block(), Block((BlockOutcome)outcome));

        Assert.False(Expected.LetsLoopSleep(batch, 10 * 16384L));
        batch.Return();
    }

    [Fact]
    public void A_returned_batch_is_rented_again_as_blocks_only()
    {
        var batch = Batch(new IncomingMessage(PeerMessageType.Have, 1));
        batch.Return();

        Assert.True(PeerMessageBatch.Rent().OnlyUsefulBlocks);
    }

    [Fact]
    public void Nothing_expected_wakes_the_loop_with_every_batch()
    {
        var batch = Batch(Block());

        Assert.False(BlockExpectation.Nothing(0).LetsLoopSleep(batch, 0));
        Assert.False(BlockExpectation.Nothing(0).LetsLoopSleep(batch, -1000));
        batch.Return();
    }
}
