using System.Text;
using TorrentPS.Engine.Peers;
using TorrentPS.Engine.Wire;

namespace TorrentPS.Engine.Tests.Wire;

public sealed class PeerClientTests
{
    [Theory]
    [InlineData("-qB4520-abcdefghijkl", "qBittorrent 4.5.2")]
    [InlineData("-LT2080-abcdefghijkl", "libtorrent (rasterbar) 2.0.8")]
    [InlineData("-lt0D80-abcdefghijkl", "libTorrent (rakshasa) 0.13.8")]
    [InlineData("-TR3000-abcdefghijkl", "Transmission 3.00")]
    [InlineData("-TR400Z-abcdefghijkl", "Transmission 4.00+")]
    [InlineData("A2-1-36-0-abcdefghij", "aria2 1.36.0")]
    [InlineData("-TP0100-abcdefghijkl", "TorrentPS 0.1.0")]
    [InlineData("S58B-----abcdefghijk", "Shadow 5.8.11")]
    [InlineData("T03I-----abcdefghijk", "BitTornado 0.3.18")]
    [InlineData("M4-3-6--abcdefghijkl", "BitTorrent (Mainline) 4.3.6")]
    [InlineData("-ZZ1234-abcdefghijkl", "Unknown (ZZ) 1.2.3.4")]
    [InlineData("abcdefghijklmnopqrst", "Unknown")]
    public void Peer_ids_name_their_client(string peerId, string expected)
        => Assert.Equal(expected, PeerClient.FromPeerId(new PeerId(Encoding.ASCII.GetBytes(peerId))).DisplayName);

    [Fact]
    public void Our_generated_peer_id_names_us()
        => Assert.StartsWith("TorrentPS ", PeerClient.FromPeerId(PeerId.Generate()).DisplayName);

    [Fact]
    public void Binary_peer_ids_are_unknown()
        => Assert.Equal("Unknown", PeerClient.FromPeerId(new PeerId(new byte[20])).DisplayName);
}
