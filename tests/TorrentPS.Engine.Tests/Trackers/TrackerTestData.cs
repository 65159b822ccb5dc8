using TorrentPS.Engine.Peers;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Trackers;
using TorrentPS.Engine.Wire;

namespace TorrentPS.Engine.Tests.Trackers;

internal static class TrackerTestData
{
    /// <summary>An info hash with bytes that need percent-encoding and bytes that must not be.</summary>
    public static readonly InfoHash InfoHash = new(Convert.FromHexString("00ff2041617a7e2d2e5f10203040506070809aab"));

    public static readonly PeerId PeerId = new("-TP0100-abcdefghijkl"u8);

    public static AnnounceRequest Request(TrackerEvent trackerEvent = TrackerEvent.None, long left = 1000) => new()
    {
        InfoHash = InfoHash,
        PeerId = PeerId,
        Port = 51413,
        Uploaded = 10,
        Downloaded = 20,
        Left = left,
        Event = trackerEvent,
        NumWant = 50,
        Key = 0xdeadbeef,
    };

    public static TrackerOptions FastOptions(TimeSpan? timeout = null) => new()
    {
        Timeout = timeout ?? TimeSpan.FromSeconds(10),
        // Long enough that a busy machine never retransmits by accident in tests that count datagrams;
        // the retransmission tests set their own, tiny, base.
        UdpRetransmitBase = TimeSpan.FromSeconds(1),
        UdpMaxRetransmits = 3,
    };

    public static TrackerDiscoveryOptions DiscoveryOptions(TimeSpan? timeout = null) => new()
    {
        PeerId = PeerId,
        Port = 6881,
        Key = 7,
        Tracker = FastOptions(timeout),
    };
}
