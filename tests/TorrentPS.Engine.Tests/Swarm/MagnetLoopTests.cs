using TorrentPS.Engine.Extensions;
using TorrentPS.Engine.Session;
using TorrentPS.Engine.Swarm;
using TorrentPS.Engine.Wire;

namespace TorrentPS.Engine.Tests.Swarm;

/// <summary>A magnet link's torrent: metadata over ut_metadata from simulated peers, then the same connections download.</summary>
public sealed class MagnetLoopTests
{
    private const byte PeerUtMetadataId = 3;

    private static void SayExtensionHandshake(SimulatedPeer peer, long metadataSize)
    {
        var handshake = new ExtensionHandshake(new Dictionary<string, byte> { [ExtensionHandshake.UtMetadata] = PeerUtMetadataId }, "sim", metadataSize: metadataSize);
        peer.Say(new IncomingMessage(PeerMessageType.Extended, Payload: handshake.ToArray(), ExtendedId: 0));
    }

    /// <summary>The metadata pieces the loop asked <paramref name="peer"/> for.</summary>
    private static List<int> MetadataRequests(SimulatedPeer peer)
        => peer.Sent.Where(m => m.Type == PeerMessageType.Extended && m.ExtendedId == PeerUtMetadataId)
            .Select(m => UtMetadataMessage.Decode(m.Payload!))
            .Where(m => m.Type == UtMetadataMessageType.Request)
            .Select(m => m.Piece)
            .ToList();

    private static void SendMetadata(SimulatedPeer peer, byte[] metadata, int piece)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        UtMetadataMessage.WriteData(buffer, piece, metadata);
        peer.Say(new IncomingMessage(PeerMessageType.Extended, Payload: buffer.WrittenSpan.ToArray(), ExtendedId: ExtensionHandshake.LocalUtMetadataId));
    }

    [Fact]
    public async Task Metadata_from_a_peer_becomes_the_torrent_and_the_same_connection_downloads_it()
    {
        await using var swarm = await SimulatedSwarm.StartMagnetAsync();
        Assert.Equal(TorrentState.FetchingMetadata, swarm.Torrent.Status.State);
        var metadata = swarm.Info.GetRawInfo().ToArray();

        // What the peer says before the metadata (have all) is kept and applied once the piece count is known.
        var peer = new SimulatedPeer(swarm.Torrent);
        peer.Connect();
        peer.Say(new IncomingMessage(PeerMessageType.HaveAll), new IncomingMessage(PeerMessageType.Unchoke));
        SayExtensionHandshake(peer, metadata.Length);
        await swarm.SettleAsync();
        Assert.Equal([0], MetadataRequests(peer));

        SendMetadata(peer, metadata, 0);
        await swarm.SettleAsync();
        Assert.Equal(swarm.Info.Hash, swarm.Torrent.Info!.Hash);
        Assert.Equal("sim.bin", swarm.Torrent.Name);

        await swarm.ServeAsync(peer);
        var result = await swarm.Torrent.Completion.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(TorrentState.Completed, result.State);
        Assert.Equal(swarm.Content, swarm.Data.Content);
    }

    [Fact]
    public async Task Wrong_metadata_from_one_peer_is_thrown_away_and_fetched_from_another()
    {
        await using var swarm = await SimulatedSwarm.StartMagnetAsync();
        var metadata = swarm.Info.GetRawInfo().ToArray();
        var liar = new SimulatedPeer(swarm.Torrent);
        liar.Connect();
        SayExtensionHandshake(liar, metadata.Length);
        await swarm.SettleAsync();
        var wrong = (byte[])metadata.Clone();
        wrong[^2] ^= 1;
        SendMetadata(liar, wrong, 0);
        await swarm.SettleAsync();
        Assert.Null(swarm.Torrent.Info);

        var honest = new SimulatedPeer(swarm.Torrent);
        honest.Connect();
        SayExtensionHandshake(honest, metadata.Length);
        await swarm.SettleAsync();
        Assert.Equal([0], MetadataRequests(honest));
        SendMetadata(honest, metadata, 0);
        await swarm.SettleAsync();
        Assert.NotNull(swarm.Torrent.Info);
    }

    [Fact]
    public async Task We_reject_metadata_requests_before_we_have_it_and_answer_them_after()
    {
        await using var swarm = await SimulatedSwarm.StartMagnetAsync();
        var metadata = swarm.Info.GetRawInfo().ToArray();
        var peer = new SimulatedPeer(swarm.Torrent);
        peer.Connect();
        SayExtensionHandshake(peer, metadata.Length);
        var request = new System.Buffers.ArrayBufferWriter<byte>();
        UtMetadataMessage.WriteRequest(request, 0);
        peer.Say(new IncomingMessage(PeerMessageType.Extended, Payload: request.WrittenSpan.ToArray(), ExtendedId: ExtensionHandshake.LocalUtMetadataId));
        await swarm.SettleAsync();
        var answers = peer.Sent.Where(m => m.Type == PeerMessageType.Extended && m.ExtendedId == PeerUtMetadataId).Select(m => UtMetadataMessage.Decode(m.Payload!).Type).ToList();
        Assert.Contains(UtMetadataMessageType.Reject, answers);

        SendMetadata(peer, metadata, 0);
        await swarm.SettleAsync();
        peer.ClearSent();
        peer.Say(new IncomingMessage(PeerMessageType.Extended, Payload: request.WrittenSpan.ToArray(), ExtendedId: ExtensionHandshake.LocalUtMetadataId));
        await swarm.SettleAsync();
        var data = peer.Sent.Where(m => m.Type == PeerMessageType.Extended && m.ExtendedId == PeerUtMetadataId).Select(m => UtMetadataMessage.Decode(m.Payload!)).Single();
        Assert.Equal(UtMetadataMessageType.Data, data.Type);
        Assert.Equal(metadata, data.Data.ToArray());
    }
}
