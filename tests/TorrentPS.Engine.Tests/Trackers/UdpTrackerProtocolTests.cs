using System.Net;
using TorrentPS.Engine.Trackers;

namespace TorrentPS.Engine.Tests.Trackers;

public class UdpTrackerProtocolTests
{
    [Fact]
    public void Connect_request_carries_the_protocol_id_action_and_transaction()
    {
        var packet = new byte[16];
        UdpTrackerProtocol.WriteConnect(packet, 0x0a0b0c0d);

        Assert.Equal(Convert.FromHexString("0000041727101980000000000a0b0c0d"), packet);
    }

    [Fact]
    public void Announce_answer_over_ipv6_has_18_byte_peers()
    {
        var peers = CompactPeers.Write([IPEndPoint.Parse("[2001:db8::7]:6881"), IPEndPoint.Parse("[::1]:1")], 18);
        var packet = new byte[20 + peers.Length];
        packet[3] = 1;
        packet[11] = 60;
        packet[15] = 2;
        packet[19] = 4;
        peers.CopyTo(packet, 20);

        var response = UdpTrackerProtocol.ReadAnnounce(packet, ipv6: true);

        Assert.Equal([IPEndPoint.Parse("[2001:db8::7]:6881"), IPEndPoint.Parse("[::1]:1")], response.Peers);
        Assert.Equal(TimeSpan.FromSeconds(60), response.Interval);
        Assert.Equal(2, response.Leechers);
        Assert.Equal(4, response.Seeders);
    }

    [Fact]
    public void Compact_peers_with_port_zero_are_skipped()
    {
        var peers = new List<IPEndPoint>();
        var whole = CompactPeers.Read(Convert.FromHexString("0a0000010000" + "0a0000021ae1"), 6, peers);

        Assert.True(whole);
        Assert.Equal([IPEndPoint.Parse("10.0.0.2:6881")], peers);
    }

    [Fact]
    public void Error_message_is_read_as_text()
        => Assert.Equal("bad", UdpTrackerProtocol.ReadErrorMessage([0, 0, 0, 3, 1, 2, 3, 4, (byte)'b', (byte)'a', (byte)'d', 0]));
}
