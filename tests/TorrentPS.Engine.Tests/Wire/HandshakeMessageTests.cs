using TorrentPS.Engine.Peers;
using TorrentPS.Engine.Wire;

namespace TorrentPS.Engine.Tests.Wire;

public sealed class HandshakeMessageTests
{
    [Fact]
    public void Handshake_round_trips_in_68_bytes()
    {
        var infoHash = ScriptedPeer.RandomInfoHash();
        var peerId = PeerId.Generate();
        var bytes = new HandshakeMessage(ReservedBits.ExtensionProtocolOnly, infoHash, peerId).ToArray();
        Assert.Equal(68, bytes.Length);
        Assert.Equal(19, bytes[0]);
        Assert.Equal("BitTorrent protocol"u8.ToArray(), bytes[1..20]);
        var read = HandshakeMessage.Read(bytes);
        Assert.Equal(infoHash, read.InfoHash);
        Assert.Equal(peerId, read.PeerId);
        Assert.True(read.Reserved.SupportsExtensionProtocol);
    }

    [Fact]
    public void The_challenge_reserved_bytes_set_only_the_extension_bit()
    {
        var bytes = new byte[8];
        HandshakeOptions.ExtensionBitOnly.ReservedBits.Write(bytes);
        Assert.Equal(new byte[] { 0, 0, 0, 0, 0, 0x10, 0, 0 }, bytes);
        Assert.False(HandshakeOptions.ExtensionBitOnly.ReservedBits.SupportsDht);
    }

    [Fact]
    public void Reserved_bits_advertise_only_what_the_options_turn_on()
    {
        var bits = new HandshakeOptions { ExtensionProtocol = true, FastExtension = true, Dht = true }.ReservedBits;
        Assert.Equal("0000000000100005", bits.ToString());
        Assert.Equal("0000000000000000", new HandshakeOptions { ExtensionProtocol = false }.ReservedBits.ToString());
        Assert.False(HandshakeOptions.Default.ReservedBits.SupportsDht);
        Assert.False(HandshakeOptions.Default.ReservedBits.SupportsFastExtension);
    }

    [Fact]
    public void A_handshake_with_another_protocol_string_is_a_protocol_error()
    {
        var bytes = "GET / HTTP/1.1\r\nHost: x\r\n\r\n                                          "u8.ToArray()[..68];
        var ex = Assert.Throws<PeerProtocolException>(() => HandshakeMessage.Read(bytes));
        Assert.Contains("not a BitTorrent handshake", ex.Message);
    }
}
