using System.Net;
using System.Net.Sockets;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Peers;
using TorrentPS.Engine.Tests.Session;
using TorrentPS.Engine.Wire;
using TorrentPS.Interop.Tests.Infrastructure;

namespace TorrentPS.Interop.Tests.Download;

/// <summary>
/// Issue 19, 1, against a real seeder: a fake peer handshakes once with an honest aria2 seeder, copies its peer id, and
/// then either sends us bad blocks (a liar) or nothing at all (an impostor). A peer is its address, so the honest seeder
/// is neither banned nor locked out, and the download completes from it byte for byte. aria2 answers every connection
/// with one peer id; libtorrent 2.0 makes a fresh one for each connection (checked here: three handshakes, three ids),
/// so a copy of its id collides with nothing and it cannot stand for the attack.
/// </summary>
public sealed class CopiedPeerIdDownloadTests
{
    [Fact]
    public async Task A_liar_copying_an_aria2_seeders_peer_id_and_sending_bad_blocks_gets_only_itself_banned()
    {
        using var folder = new TempDirectory("tps-liar");
        // 256 pieces of one block each: every piece the liar sends is its alone, so two of them earn a ban.
        var torrent = TestTorrent.Create(folder.Path, "copied-id.bin", length: (255 * 16384) + 1234, pieceLength: 16384);
        await using var seeder = await Aria2Seeder.StartAsync(torrent);
        var copied = await PeerIdOfAsync(seeder.EndPoint, torrent.Info.Hash);
        await using var liar = new FakePeer(torrent.Info, File.ReadAllBytes(torrent.DataPath), new FakePeerBehavior { PeerId = copied, CorruptsBlocks = true });
        await using var download = new InteropDownload();
        download.Explain(() => seeder.Output);

        var running = download.Start(torrent, download.Options(liar.EndPoint));
        await download.WaitUntilAsync(() => download.LogMessages.Any(m => m.Contains("banning peer", StringComparison.Ordinal) && m.Contains(liar.EndPoint.ToString(), StringComparison.Ordinal)), "the liar was banned");
        running.AddPeers([seeder.EndPoint]);
        var result = await download.CompletionAsync(running);

        download.AssertComplete(result, torrent);
        Assert.DoesNotContain(download.LogMessages, m => m.Contains("banned", StringComparison.Ordinal) && m.Contains(seeder.EndPoint.ToString(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_impostor_copying_an_aria2_seeders_peer_id_and_saying_nothing_does_not_lock_it_out()
    {
        using var folder = new TempDirectory("tps-impostor");
        var torrent = TestTorrent.Create(folder.Path, "impostor.bin", length: (2 * 1024 * 1024) + 77, pieceLength: 32 * 1024);
        await using var seeder = await Aria2Seeder.StartAsync(torrent);
        var copied = await PeerIdOfAsync(seeder.EndPoint, torrent.Info.Hash);
        await using var impostor = new FakePeer(torrent.Info, File.ReadAllBytes(torrent.DataPath), new FakePeerBehavior { PeerId = copied, SaysNothing = true });
        await using var download = new InteropDownload();
        download.Explain(() => seeder.Output);

        var running = download.Start(torrent, download.Options(impostor.EndPoint));
        await download.WaitUntilAsync(() => download.LogMessages.Any(m => m.Contains($"connected to {impostor.EndPoint}", StringComparison.Ordinal)), "the impostor was connected");
        running.AddPeers([seeder.EndPoint]);
        var result = await download.CompletionAsync(running);

        download.AssertComplete(result, torrent);
        Assert.Contains(download.LogMessages, m => m.Contains("claims the peer id of", StringComparison.Ordinal));
        Assert.DoesNotContain(download.LogMessages, m => m.Contains("already connected", StringComparison.Ordinal));
    }

    /// <summary>What the attacker does first: one handshake with the seeder, to read the peer id it answers with.</summary>
    private static async Task<byte[]> PeerIdOfAsync(IPEndPoint seeder, InfoHash infoHash)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        using var client = new TcpClient(new IPEndPoint(Loopback.NextAddress(), 0));
        await client.ConnectAsync(seeder, timeout.Token);
        var stream = client.GetStream();
        await stream.WriteAsync(new HandshakeMessage(ReservedBits.Create(extensionProtocol: true, fastExtension: true, dht: false), infoHash, PeerId.Generate()).ToArray(), timeout.Token);
        var answer = new byte[HandshakeMessage.Length];
        await stream.ReadExactlyAsync(answer, timeout.Token);
        return HandshakeMessage.Read(answer).PeerId.ToArray();
    }
}
