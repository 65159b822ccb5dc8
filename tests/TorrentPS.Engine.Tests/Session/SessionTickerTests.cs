using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Session;
using TorrentPS.Engine.Swarm;
using TorrentPS.Engine.Tests.Swarm;
using TorrentPS.Engine.Wire;

namespace TorrentPS.Engine.Tests.Session;

/// <summary>The session's one clock: busy runs ticked four times a second, idle ones every two seconds.</summary>
public sealed class SessionTickerTests
{
    [Fact]
    public async Task An_idle_seed_is_ticked_every_two_seconds_and_once_a_peer_wants_its_data_four_times_a_second()
    {
        var all = new Bitfield(5);
        for (var i = 0; i < all.Length; i++)
        {
            all[i] = true;
        }

        await using var swarm = await SimulatedSwarm.StartAsync(have: all, configure: o => o with { SeedUntilStopped = true });
        await swarm.AdvanceAsync(SessionTicker.IdleInterval);
        Assert.Equal(TorrentState.Seeding, swarm.Torrent.Status.State);

        Assert.Equal(1, await TicksDuringAsync(swarm, SessionTicker.IdleInterval));

        // A connected peer that wants nothing (yet) leaves the seed idle; once interested in its data it does not.
        var peer = await swarm.ConnectAsync(has: _ => false, unchoke: false);
        Assert.Equal(1, await TicksDuringAsync(swarm, SessionTicker.IdleInterval));
        peer.Say(new IncomingMessage(PeerMessageType.Interested));
        await swarm.SettleAsync();
        Assert.Equal(4, await TicksDuringAsync(swarm, TimeSpan.FromSeconds(1)));
    }

    /// <summary>How many ticks the run took while the fake clock moved <paramref name="span"/> (each tick publishes a status with a new Elapsed).</summary>
    private static async Task<int> TicksDuringAsync(SimulatedSwarm swarm, TimeSpan span)
    {
        var ticks = 0;
        var last = swarm.Torrent.Status.ElapsedSpan;
        for (var passed = TimeSpan.Zero; passed < span; passed += SessionTicker.Interval)
        {
            swarm.Time.Advance(SessionTicker.Interval);
            await swarm.SettleAsync();
            var elapsed = swarm.Torrent.Status.ElapsedSpan;
            ticks += elapsed != last ? 1 : 0;
            last = elapsed;
        }

        return ticks;
    }
}
