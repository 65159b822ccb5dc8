using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Session;
using TorrentPS.Engine.Swarm;
using TorrentPS.Engine.Tests.Swarm;
using TorrentPS.Engine.Wire;

namespace TorrentPS.Engine.Tests.Seeding;

/// <summary>The seeding side of the torrent loop with simulated peers and a fake clock: slots that free up, seeding time.</summary>
public sealed class SeedingLoopTests
{
    private static Task<SimulatedSwarm> SeedAsync()
    {
        var have = new Bitfield(5);
        have.SetAll();
        return SimulatedSwarm.StartAsync(have: have, configure: o => o with { SeedUntilStopped = true });
    }

    /// <summary>Six interested peers: five unchoked (the regular slots and the optimistic one), the last one waiting.</summary>
    private static async Task<List<SimulatedPeer>> InterestedPeersAsync(SimulatedSwarm swarm)
    {
        var peers = new List<SimulatedPeer>();
        for (var i = 0; i < Choker.DefaultSlots + 2; i++)
        {
            var peer = await swarm.ConnectAsync(has: _ => false, unchoke: false);
            peer.Say(new IncomingMessage(PeerMessageType.Interested));
            await swarm.SettleAsync();
            peers.Add(peer);
        }

        Assert.Equal(Choker.DefaultSlots + 1, peers.Count(p => !p.AmChoking));
        Assert.True(peers[^1].AmChoking);
        return peers;
    }

    [Fact]
    public async Task A_seed_that_connects_while_we_seed_is_closed_as_of_no_use_to_either_side()
    {
        await using var swarm = await SeedAsync();
        var leecher = await swarm.ConnectAsync(has: _ => false, unchoke: false);

        var seed = await swarm.ConnectAsync();

        Assert.True(seed.IsClosed);
        Assert.Equal("both sides have every piece", seed.CloseReason);
        Assert.False(leecher.IsClosed);
    }

    [Fact]
    public async Task A_slot_given_up_by_a_peer_no_longer_interested_goes_to_a_waiting_peer_at_once()
    {
        await using var swarm = await SeedAsync();
        var peers = await InterestedPeersAsync(swarm);

        peers[0].Say(new IncomingMessage(PeerMessageType.NotInterested));
        await swarm.SettleAsync();

        Assert.True(peers[0].AmChoking);
        Assert.Contains(peers[0].Sent, m => m.Type == PeerMessageType.Choke);
        Assert.False(peers[^1].AmChoking);
        Assert.Contains(peers[^1].Sent, m => m.Type == PeerMessageType.Unchoke);
        Assert.Equal(Choker.DefaultSlots + 1, peers.Count(p => !p.AmChoking));
    }

    [Fact]
    public async Task A_slot_freed_by_a_peer_that_left_goes_to_a_waiting_peer_at_once()
    {
        await using var swarm = await SeedAsync();
        var peers = await InterestedPeersAsync(swarm);

        peers[1].Close("gone");
        await swarm.SettleAsync();

        Assert.False(peers[^1].AmChoking);
        Assert.Equal(Choker.DefaultSlots + 1, peers.Count(p => !p.IsClosed && !p.AmChoking));
    }

    [Fact]
    public async Task Seeding_time_counts_from_the_end_of_the_download_and_then_ends_it_as_Completed()
    {
        await using var swarm = await SimulatedSwarm.StartAsync(configure: o => o with { SeedTime = TimeSpan.FromMinutes(1) });
        await swarm.AdvanceAsync(TimeSpan.FromSeconds(30)); // time spent downloading does not count
        var seed = await swarm.ConnectAsync();
        await swarm.ServeAsync(seed);
        Assert.Equal(TorrentState.Seeding, swarm.Torrent.Status.State);

        await swarm.AdvanceAsync(TimeSpan.FromSeconds(58));
        Assert.Equal(TorrentState.Seeding, swarm.Torrent.Status.State);
        Assert.False(swarm.Torrent.Completion.IsCompleted);

        await swarm.AdvanceAsync(TimeSpan.FromSeconds(3));
        var result = await swarm.Torrent.Completion.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(TorrentState.Completed, result.State);
        Assert.Equal(swarm.Content, swarm.Data.Content);
    }
}
