using System.Net;
using System.Text;
using TorrentPS.Engine.Extensions;
using TorrentPS.Engine.Wire;

namespace TorrentPS.Engine.Tests.Extensions;

public sealed class UtPexMessageTests
{
    private static readonly IPEndPoint Seeder = IPEndPoint.Parse("127.0.0.1:6881");

    [Fact]
    public void One_added_peer_encodes_as_BEP_11_compact_entries_with_its_flags_byte()
    {
        var message = new UtPexMessage([new PexPeer(Seeder, PexPeerFlags.Seed | PexPeerFlags.Reachable)], []);

        // 127.0.0.1 and port 6881 (0x1AE1) in network order; one flags byte 0x12; empty dropped; no IPv6 keys.
        Assert.Equal("d5:added6:\u007f\0\0\u0001\u001a\u00e17:added.f1:\u00127:dropped0:e", Encoding.Latin1.GetString(message.ToArray()));
    }

    [Fact]
    public void Added_and_dropped_of_both_families_round_trip_with_their_flags()
    {
        PexPeer[] added =
        [
            new(IPEndPoint.Parse("127.0.0.2:1"), PexPeerFlags.PrefersEncryption),
            new(IPEndPoint.Parse("[::1]:65535"), PexPeerFlags.Seed | PexPeerFlags.SupportsUtp),
            new(IPEndPoint.Parse("127.0.0.3:51413"), PexPeerFlags.SupportsHolepunch | PexPeerFlags.Reachable),
            new(IPEndPoint.Parse("[fe80::1]:6881"), PexPeerFlags.None),
        ];
        IPEndPoint[] dropped = [IPEndPoint.Parse("127.0.0.4:80"), IPEndPoint.Parse("[::2]:443")];

        var read = UtPexMessage.Decode(new UtPexMessage(added, dropped).ToArray());

        // IPv4 first, then IPv6, each family in the order given.
        Assert.Equal([added[0], added[2], added[1], added[3]], read.Added);
        Assert.Equal(dropped, read.Dropped);
    }

    [Fact]
    public void A_message_laid_out_as_libtorrent_sends_it_is_read()
    {
        // libtorrent writes all six keys, the unused ones as empty strings.
        var body = Encoding.Latin1.GetBytes("d5:added12:\u007f\0\0\u0001\u001a\u00e1\u007f\0\0\u0002\u001a\u00e27:added.f2:\u0002\u00006:added60:8:added6.f0:7:dropped6:\u007f\0\0\u0003\0\u00508:dropped60:e");

        var read = UtPexMessage.Decode(body);

        Assert.Equal([new PexPeer(Seeder, PexPeerFlags.Seed), new PexPeer(IPEndPoint.Parse("127.0.0.2:6882"), PexPeerFlags.None)], read.Added);
        Assert.Equal([IPEndPoint.Parse("127.0.0.3:80")], read.Dropped);
    }

    [Fact]
    public void Flags_are_optional_and_unknown_keys_are_ignored()
    {
        var read = UtPexMessage.Decode(Encoding.Latin1.GetBytes("d5:added6:\u007f\0\0\u0001\u001a\u00e17:unknownli1ee1:zd1:ai1eee"));

        Assert.Equal([new PexPeer(Seeder, PexPeerFlags.None)], read.Added);
        Assert.Empty(read.Dropped);
    }

    [Fact]
    public void An_IPv4_mapped_IPv6_entry_reads_as_the_IPv4_address()
    {
        var entry = new byte[18];
        IPAddress.Parse("::ffff:127.0.0.5").TryWriteBytes(entry, out _);
        entry[16] = 0x1a;
        entry[17] = 0xe1;
        var body = Encoding.Latin1.GetBytes("d6:added618:" + Encoding.Latin1.GetString(entry) + "e");

        Assert.Equal(IPEndPoint.Parse("127.0.0.5:6881"), Assert.Single(UtPexMessage.Decode(body).Added).EndPoint);
    }

    [Fact]
    public void An_entry_with_port_0_is_kept_for_the_reader_to_skip()
    {
        var read = UtPexMessage.Decode(Encoding.Latin1.GetBytes("d5:added6:\u007f\0\0\u0001\0\0e"));

        Assert.Equal(0, Assert.Single(read.Added).EndPoint.Port);
    }

    [Fact]
    public void An_empty_dictionary_is_an_empty_message()
        => Assert.True(UtPexMessage.Decode("de"u8.ToArray()).IsEmpty);

    [Theory]
    [InlineData("d5:added7:\u007f\0\0\u0001\u001a\u00e1\0e", "not a multiple of 6")]
    [InlineData("d7:dropped5:\u007f\0\0\u0001\u001ae", "not a multiple of 6")]
    [InlineData("d6:added617:aaaaaaaaaaaaaaaaae", "not a multiple of 18")]
    [InlineData("d8:dropped619:aaaaaaaaaaaaaaaaaaae", "not a multiple of 18")]
    [InlineData("d5:added6:\u007f\0\0\u0001\u001a\u00e17:added.f2:\u0002\u0002e", "2 flags for 1 peers")]
    [InlineData("d5:added6:\u007f\0\0\u0001\u001a\u00e17:added.f0:e", "0 flags for 1 peers")]
    [InlineData("d6:added60:8:added6.f1:\u0002e", "1 flags for 0 peers")]
    [InlineData("d5:addedi6ee", "'added' is not a string")]
    [InlineData("d5:added6:\u007f\0\0\u0001\u001a\u00e17:added.fli2eee", "'added.f' is not a string")]
    [InlineData("d7:droppedlee", "'dropped' is not a string")]
    [InlineData("d6:added6de8:dropped60:e", "'added6' is not a string")]
    [InlineData("d5:added0:5:added0:e", "repeats a key")]
    [InlineData("d5:added0:ede", "after its dictionary")]
    [InlineData("li1ee", "does not start with a bencoded dictionary")]
    [InlineData("d5:added6:\u007f\0\0", "not valid bencode")]
    [InlineData("", "not valid bencode")]
    public void Malformed_messages_are_protocol_errors_that_say_what_is_wrong(string body, string reason)
    {
        var error = Assert.Throws<PeerProtocolException>(() => UtPexMessage.Decode(Encoding.Latin1.GetBytes(body)));

        Assert.Contains(reason, error.Reason, StringComparison.Ordinal);
        Assert.Equal("PeerProtocolError", error.ErrorId);
    }

    [Fact]
    public void More_added_peers_than_the_limit_is_a_protocol_error()
    {
        var entries = new string('a', (UtPexMessage.MaxAdded + 1) * 6);
        var error = Assert.Throws<PeerProtocolException>(() => UtPexMessage.Decode(Encoding.Latin1.GetBytes($"d5:added{entries.Length}:{entries}e")));

        Assert.Contains($"adds {UtPexMessage.MaxAdded + 1} peers", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void The_added_limit_counts_both_families()
    {
        var v4 = new string('a', 150 * 6);
        var v6 = new string('b', 51 * 18);

        Assert.Throws<PeerProtocolException>(() => UtPexMessage.Decode(Encoding.Latin1.GetBytes($"d5:added{v4.Length}:{v4}6:added6{v6.Length}:{v6}e")));
    }

    [Fact]
    public void More_dropped_peers_than_the_limit_is_a_protocol_error()
    {
        var entries = new string('a', (UtPexMessage.MaxDropped + 1) * 6);

        Assert.Throws<PeerProtocolException>(() => UtPexMessage.Decode(Encoding.Latin1.GetBytes($"d7:dropped{entries.Length}:{entries}e")));
    }

    [Fact]
    public void A_body_over_the_size_limit_is_refused_before_it_is_parsed()
    {
        var body = new byte[UtPexMessage.MaxBodyLength + 1];

        var error = Assert.Throws<PeerProtocolException>(() => UtPexMessage.Decode(body));

        Assert.Contains("65537 bytes", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_list_of_many_keys_cannot_grow_the_parse_without_bound()
    {
        var body = "d" + string.Concat(Enumerable.Range(0, 100).Select(i => $"2:{i:00}i1e")) + "e";

        Assert.Throws<PeerProtocolException>(() => UtPexMessage.Decode(Encoding.Latin1.GetBytes(body)));
    }

    [Fact]
    public void A_message_to_send_is_checked_against_the_limits_and_port_0()
    {
        var tooMany = Enumerable.Range(0, UtPexMessage.MaxAdded + 1).Select(i => new PexPeer(new IPEndPoint(IPAddress.Loopback, i + 1), PexPeerFlags.None)).ToArray();

        Assert.Throws<ArgumentException>(() => new UtPexMessage(tooMany, []));
        Assert.Throws<ArgumentException>(() => new UtPexMessage([new PexPeer(new IPEndPoint(IPAddress.Loopback, 0), PexPeerFlags.None)], []));
        Assert.Throws<ArgumentException>(() => new UtPexMessage([], [new IPEndPoint(IPAddress.Loopback, 0)]));
    }

    [Fact]
    public void The_largest_message_we_accept_round_trips()
    {
        var added = Enumerable.Range(0, UtPexMessage.MaxAdded).Select(i => new PexPeer(
            i % 2 == 0 ? new IPEndPoint(new IPAddress([127, 0, (byte)(i >> 8), (byte)i]), 1000 + i) : new IPEndPoint(IPAddress.Parse($"fd00::{i:x}"), 1000 + i),
            (PexPeerFlags)(i & 0x1f))).ToArray();
        var dropped = Enumerable.Range(0, UtPexMessage.MaxDropped).Select(i => new IPEndPoint(new IPAddress([127, 1, (byte)(i >> 8), (byte)i]), 2000 + i)).ToArray();

        var bytes = new UtPexMessage(added, dropped).ToArray();
        var read = UtPexMessage.Decode(bytes);

        Assert.True(bytes.Length <= UtPexMessage.MaxBodyLength);
        Assert.Equal(added.Where(p => p.EndPoint.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork).Concat(added.Where(p => p.EndPoint.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)), read.Added);
        Assert.Equal(dropped, read.Dropped);
    }
}
