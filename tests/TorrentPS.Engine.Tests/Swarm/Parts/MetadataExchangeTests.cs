using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using TorrentPS.Engine.Extensions;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Peers;
using TorrentPS.Engine.Swarm;
using TorrentPS.Engine.Tests.Wire;
using TorrentPS.Engine.Wire;

namespace TorrentPS.Engine.Tests.Swarm.Parts;

/// <summary>
/// The metadata exchange alone against floods (issue 19, 5 and 7): answers built once per piece and shared, unsolicited
/// ut_metadata messages get the peer dropped, and what they make us log stays small. A fake clock, no sockets.
/// </summary>
public sealed class MetadataExchangeTests
{
    private const byte TheirUtMetadataId = 7;
    private readonly FakeTimeProvider _time = new();
    private readonly PeerOutbox _outbox = new();
    private readonly TestLoggerFactory _log = new();
    private readonly PeerRoster _roster;
    private readonly byte[] _metadata = RandomNumberGenerator.GetBytes(16 * 1024);
    private readonly InfoHash _infoHash;
    private readonly MetadataExchange _exchange;

    public MetadataExchangeTests()
    {
        _infoHash = new InfoHash(SHA1.HashData(_metadata));
        _roster = new PeerRoster(new RosterSettings(50, 8, PeerId.Generate(), _ => false), new RecordingDialer(), new CountingBudget(), _outbox, _ => { }, _time, _log, "t");
        _exchange = new MetadataExchange(_infoHash, _roster, _outbox, _ => { }, _time, _log, "t");
    }

    private (PeerState Peer, RecordingLink Link) Connect(long? metadataSize = null)
    {
        var link = new RecordingLink(outgoing: false);
        var peer = _roster.Admit(link, stopping: false)!;
        var size = metadataSize is { } s ? $"13:metadata_sizei{s}e" : string.Empty;
        peer.Extensions = ExtensionHandshake.Decode(Encoding.ASCII.GetBytes($"d1:md11:ut_metadatai{TheirUtMetadataId}ee{size}e"));
        _roster.OnExtensionHandshake(peer);
        _exchange.OnExtensionHandshake(peer);
        return (peer, link);
    }

    private static byte[] Request(int piece) => Encoding.ASCII.GetBytes($"d8:msg_typei0e5:piecei{piece}ee");

    private static byte[] Data(int piece, byte[] bytes, long totalSize)
        => [.. Encoding.ASCII.GetBytes($"d8:msg_typei1e5:piecei{piece}e10:total_sizei{totalSize}ee"), .. bytes];

    [Fact]
    public void Requests_for_one_piece_share_one_answer_however_many_come()
    {
        var (peer, link) = Connect();
        ReadOnlyMemory<byte> served = _metadata;
        var request = Request(0);
        _exchange.OnMessage(peer, request, served);
        var before = GC.GetAllocatedBytesForCurrentThread();

        for (var i = 0; i < 200_000; i++)
        {
            _exchange.OnMessage(peer, request, served);
        }

        // 16 KiB of metadata a request used to be copied for each answer; now decoding the request is all it costs.
        var perRequest = (GC.GetAllocatedBytesForCurrentThread() - before) / 200_000.0;
        Assert.InRange(perRequest, 0, 4096);
        Assert.Equal(200_001, link.Queued.Count);
        Assert.Single(link.Queued.Select(m => m.Payload).Distinct(ReferenceEqualityComparer.Instance));
        Assert.Null(link.ClosedFor);
    }

    [Fact]
    public void Requests_before_the_metadata_is_known_are_rejected_with_one_shared_answer_per_piece()
    {
        var (peer, link) = Connect();
        for (var i = 0; i < 1000; i++)
        {
            _exchange.OnMessage(peer, Request(i % 2), served: null);
        }

        Assert.Equal(2, link.Queued.Select(m => m.Payload).Distinct(ReferenceEqualityComparer.Instance).Count());
        Assert.All(link.Queued, m => Assert.Equal(TheirUtMetadataId, m.ExtendedId));
    }

    [Fact]
    public void A_peer_that_keeps_sending_metadata_nobody_asked_for_is_dropped_and_the_log_stays_small()
    {
        _exchange.StartFetching();
        var (peer, link) = Connect(_metadata.Length);
        var asked = link.Queued.Count;
        Assert.Equal(1, asked); // piece 0 asked of it

        // The answer to what was asked is taken; then it streams data nobody asked for.
        var wrong = RandomNumberGenerator.GetBytes(_metadata.Length);
        Assert.Null(_exchange.OnMessage(peer, Data(0, wrong, wrong.Length), served: null));
        for (var i = 0; i < MetadataExchange.MaxUnsolicited && link.ClosedFor is null; i++)
        {
            _exchange.OnMessage(peer, Data(0, wrong, wrong.Length), served: null);
        }

        Assert.Null(link.ClosedFor);
        _exchange.OnMessage(peer, Data(0, wrong, wrong.Length), served: null);
        Assert.StartsWith($"sent over {MetadataExchange.MaxUnsolicited} ut_metadata messages nobody asked for", link.ClosedFor);

        // A flood of them (say, until the connection really ends) costs a few log lines, not one each.
        var lines = _log.Entries.Count;
        for (var i = 0; i < 100_000; i++)
        {
            _exchange.OnMessage(peer, i % 2 == 0 ? Data(0, wrong, wrong.Length) : [1, 2, 3], served: null);
        }

        Assert.InRange(_log.Entries.Count - lines, 0, 50);
    }

    [Fact]
    public void Garbage_from_a_peer_excludes_it_from_the_fetch_once_and_counts_against_it()
    {
        _exchange.StartFetching();
        var (peer, link) = Connect(_metadata.Length);
        for (var i = 0; i <= MetadataExchange.MaxUnsolicited; i++)
        {
            _exchange.OnMessage(peer, Encoding.ASCII.GetBytes("not bencode"), served: null);
        }

        Assert.Single(_log.Messages, m => m.Contains("is not asked for metadata any more", StringComparison.Ordinal));
        Assert.StartsWith("sent over", link.ClosedFor);
    }
}
