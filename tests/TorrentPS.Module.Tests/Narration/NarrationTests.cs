using System.Net;
using System.Text;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Peers;
using TorrentPS.Engine.Trackers;
using TorrentPS.Engine.Wire;
using TorrentPS.Formatting;
using TorrentPS.Peers;
using TorrentPS.Torrents;
using TorrentPS.Trackers;

namespace TorrentPS.Module.Tests.Narration;

/// <summary>The -Verbose lines of the cmdlets: what they say, in good English.</summary>
public class NarrationTests
{
    private static readonly InfoHash Hash = InfoHash.Compute("narration"u8);

    [Theory]
    [InlineData(1, "1 tracker")]
    [InlineData(0, "0 trackers")]
    [InlineData(3, "3 trackers")]
    public void Counts_agree_with_their_noun(long count, string expected) => Assert.Equal(expected, Counted.Of(count, "tracker"));

    [Theory]
    [InlineData(1, "1 s")]
    [InlineData(15, "15 s")]
    [InlineData(0.25, "0.25 s")]
    [InlineData(1800, "30:00")]
    public void Durations_in_messages_read_as_in_the_views(double seconds, string expected) => Assert.Equal(expected, Counted.Seconds(TimeSpan.FromSeconds(seconds)));

    [Fact]
    public void Tracker_cmdlets_say_what_they_ask_of_which_torrent()
    {
        var target = new PeerDiscoveryTarget { InfoHash = Hash, TrackerTiers = [["udp://a:1/announce", "udp://b:1/announce"], ["http://c/announce"]], Left = 1 };
        Assert.Equal($"Asking 3 trackers in 2 tiers for peers of 'debian-iso' ({Hash.Hex}).", TrackerNarration.Asking(target, "debian-iso", TrackerAskMode.Discovery));
        Assert.Equal($"Asking the 3 trackers in 2 tiers of {Hash.Hex} for their status.", TrackerNarration.Asking(target, null, TrackerAskMode.Status));
        var magnet = target with { TrackerTiers = [["udp://a:1/announce"]], KnownPeers = [IPEndPoint.Parse("127.0.0.1:1")] };
        Assert.Equal($"Asking 1 tracker in 1 tier for peers of {Hash.Hex}, after the 1 peer of the magnet link.", TrackerNarration.Asking(magnet, "", TrackerAskMode.Discovery));
    }

    [Fact]
    public void Tracker_cmdlets_say_what_each_tracker_answered_and_what_came_of_it()
    {
        var response = new AnnounceResponse { Interval = TimeSpan.FromSeconds(1800), Peers = [IPEndPoint.Parse("127.0.0.1:1")] };
        Assert.Equal("udp://a:1/announce answered: 1 peer, next announce in 30:00.", TrackerNarration.Answered("udp://a:1/announce", response));
        Assert.Equal("udp://a:1/announce failed (TrackerTimeout).", TrackerNarration.Failed("udp://a:1/announce", new TrackerTimeoutException("udp://a:1/announce", TimeSpan.FromSeconds(1))));
        Assert.Equal("Found 12 peers of x: 2 of 3 trackers answered, 1 failed.", TrackerNarration.PeersFound("x", 12, 2, 1));
        Assert.Equal("Found 1 peer of x: 1 of 1 tracker answered.", TrackerNarration.PeersFound("x", 1, 1, 0));
        Assert.Equal("Trackers of x: 1 of 2 working.", TrackerNarration.StatusDone("x", 1, 2));
    }

    [Fact]
    public void A_tracker_status_reads_as_a_sentence()
    {
        var working = new TrackerStatus { Url = "udp://a:1/announce", Tier = 0, Hash = Hash, Status = TrackerStatusKind.Working, Seeders = 1, Leechers = 3, Downloaded = 40, IntervalSpan = TimeSpan.FromSeconds(60) };
        Assert.Equal("udp://a:1/announce: working, 1 seeder, 3 leechers, 40 downloaded, announce every 1:00.", TrackerNarration.Status(working));
        var failed = working with { Status = TrackerStatusKind.TimedOut, LastError = "The tracker 'udp://a:1/announce' did not answer within 1 second." };
        Assert.Equal("udp://a:1/announce: TimedOut: The tracker 'udp://a:1/announce' did not answer within 1 second.", TrackerNarration.Status(failed));
    }

    [Fact]
    public void Invoke_PeerHandshake_says_what_it_does_and_what_each_peer_answered()
    {
        var peer = new TorrentPeer(IPAddress.Loopback, 6881, Hash, PeerSource.Manual);
        var remote = new HandshakeMessage(ReservedBits.Create(true, false, false), Hash, new PeerId(Encoding.ASCII.GetBytes("-LT2080-abcdefghijkl")));
        var extensions = new ExtensionHandshake(new Dictionary<string, byte> { ["ut_pex"] = 1, ["ut_metadata"] = 2 });
        var handshake = new PeerHandshake(peer, remote, extensions, TimeSpan.FromMilliseconds(12.4));

        Assert.Equal("Handshaking with 3 peers, at most 2 at once, each within 1 s.", HandshakeNarration.Starting(3, 2, 1));
        Assert.Equal("Handshaking with 1 peer, at most 1 at once, each within 10 s.", HandshakeNarration.Starting(1, 16, 10));
        Assert.Equal($"127.0.0.1:6881 answered in 12 ms: {handshake.Client}; extensions ut_metadata, ut_pex.", HandshakeNarration.Answered(handshake));
        Assert.Equal("127.0.0.1:6881 failed (PeerTimeout).", HandshakeNarration.Failed(peer, new PeerTimeoutException(peer.IPEndPoint, "slow")));
        Assert.Equal("2 of 3 peers answered.", HandshakeNarration.Done(2, 3));
    }

    [Fact]
    public void Get_TorrentInfo_and_ConvertFrom_Bencode_say_what_they_read()
    {
        Assert.Equal("Decoding 1 byte of bencode.", TorrentNarration.Decoding(1, null));
        Assert.Equal("Decoding 12 bytes of bencode from '/t/x.torrent'.", TorrentNarration.Decoding(12, "/t/x.torrent"));
    }
}
