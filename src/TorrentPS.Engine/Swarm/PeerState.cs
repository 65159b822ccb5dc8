using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Rates;
using TorrentPS.Engine.Wire;

namespace TorrentPS.Engine.Swarm;

/// <summary>What the torrent's loop knows about one connected peer. Owned by the loop; nothing else touches it.</summary>
internal sealed class PeerState
{
    public PeerState(IPeerLink link, long now, long rateWindow)
    {
        Link = link;
        ConnectedAt = now;
        LastBlockAt = now;
        LastActivityAt = now;
        LastSentAt = now;
        DownloadRate = new RateMeter(rateWindow);
        UploadRate = new RateMeter(rateWindow);
    }

    public IPeerLink Link { get; }

    public int Id => Link.Id;

    /// <summary>The peer's pieces; null while it has said nothing (or have none).</summary>
    public Bitfield? Have { get; set; }

    /// <summary>The peer has every piece (a bitfield with all bits, or have all): counted apart from per-piece availability.</summary>
    public bool IsSeed { get; set; }

    /// <summary>A have all (BEP 6) arrived before the piece count was known (magnet).</summary>
    public bool SaidHaveAll { get; set; }

    /// <summary>Pieces the peer has that we want and lack.</summary>
    public int Interesting { get; set; }

    public bool AmInterested { get; set; }

    public bool PeerChoking { get; set; } = true;

    public bool PeerInterested { get; set; }

    public bool AmChoking { get; set; } = true;

    /// <summary>Blocks requested from the peer and not yet received, in request order.</summary>
    public RequestedBlocks Outstanding { get; } = new();

    /// <summary>
    /// Blocks we stopped waiting for (cancelled, or dropped by a choke) that the peer may have sent already: one of them
    /// arriving is a late copy of something we asked for, not a block nobody asked for. The oldest are forgotten past
    /// two full pipelines.
    /// </summary>
    public RequestedBlocks Cancelled { get; } = new(2 * RequestDepth.Maximum);

    /// <summary>How many requests to keep outstanding (from the rate, bounded by the peer's reqq).</summary>
    public int Depth { get; set; } = RequestDepth.Initial;

    /// <summary>Bytes of requested blocks the peer delivered since the scheduler's last tick (its rate while the meter warms up).</summary>
    public long DeliveredSinceTick { get; set; }

    /// <summary>Block bytes of the peer's batches the loop has taken in (what it tells the connection to expect counts from here).</summary>
    public long BlockBytesTaken { get; set; }

    /// <summary>The peer's <c>reqq</c>, when it said.</summary>
    public int? RequestQueueLimit { get; set; }

    /// <summary>The peer's extension handshake, once it came.</summary>
    public ExtensionHandshake? Extensions { get; set; }

    /// <summary>It stopped delivering requested blocks: one request at a time until it delivers again.</summary>
    public bool Snubbed { get; set; }

    /// <summary>Blame for pieces that failed their hash with its blocks in them.</summary>
    public int Strikes { get; set; }

    /// <summary>Pieces the peer allowed us to request while it chokes us (BEP 6).</summary>
    public HashSet<int> AllowedFast { get; } = [];

    /// <summary>A bitfield that came before the piece count was known (a magnet's metadata), applied once it is.</summary>
    public byte[]? EarlyBitfield { get; set; }

    /// <summary>Haves that came before the piece count was known.</summary>
    public List<int>? EarlyHaves { get; set; }

    /// <summary>Blocks it sent that we never asked it for (a flood of them ends the connection).</summary>
    public int UnexpectedBlocks { get; set; }

    public long ConnectedAt { get; }

    public long LastBlockAt { get; set; }

    /// <summary>The last time anything was sent to or received from the peer.</summary>
    public long LastActivityAt { get; set; }

    public long LastSentAt { get; set; }

    /// <summary>When we last unchoked it (the choker prefers new peers for the optimistic slot).</summary>
    public long UnchokedAt { get; set; }

    public RateMeter DownloadRate { get; }

    public RateMeter UploadRate { get; }

    /// <summary>Whether the peer has piece <paramref name="index"/>.</summary>
    public bool Has(int index) => IsSeed || (Have is { } have && index < have.Length && have[index]);

    public override string ToString() => Link.ToString() ?? Link.EndPoint.ToString();
}
