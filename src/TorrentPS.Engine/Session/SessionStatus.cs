using System.Net;

namespace TorrentPS.Engine.Session;

/// <summary>
/// One snapshot of the session (<c>Get-TorrentSession</c>): where it listens, its limits, how many torrents it holds and
/// runs, its connections, and its transfer rates and totals over every torrent. Immutable; property names made for
/// Format-List. The DHT's figures join it when the session runs one.
/// </summary>
public sealed record SessionStatus
{
    /// <summary>The end point bound for peers, as <c>address:port</c> text; null until the first torrent starts.</summary>
    public string? ListenEndPoint => ListenIPEndPoint?.ToString();

    internal IPEndPoint? ListenIPEndPoint { get; init; }

    /// <summary>Where the session listens, or will: the bind address and the port asked for, as <c>address:port</c> text.</summary>
    public string Listen => ListenSettings.ToString();

    internal ListenSettings ListenSettings { get; init; } = ListenSettings.Default;

    /// <summary>The port announced to trackers; 0 until the session listens.</summary>
    public int ListenPort => ListenIPEndPoint?.Port ?? 0;

    /// <summary>The state folder; null when the session keeps no state.</summary>
    public string? StatePath { get; init; }

    /// <summary>Another process holds the state folder: this session's torrents are not saved.</summary>
    public bool StateInUseElsewhere { get; init; }

    public int TorrentCount { get; init; }

    /// <summary>Torrents with a run going on.</summary>
    public int RunningCount { get; init; }

    /// <summary>Connections made or being made, over every torrent.</summary>
    public int Connections { get; init; }

    public int MaxConnections { get; init; }

    public int MaxConnectionsPerTorrent { get; init; }

    /// <summary>Bytes per second received now, over every torrent.</summary>
    public double DownloadRate { get; init; }

    /// <summary>Bytes per second sent now, over every torrent.</summary>
    public double UploadRate { get; init; }

    /// <summary>The session's download limit in bytes per second; 0 for none.</summary>
    public long DownloadRateLimit { get; init; }

    /// <summary>The session's upload limit in bytes per second; 0 for none.</summary>
    public long UploadRateLimit { get; init; }

    /// <summary>Bytes received, over every torrent held and its runs.</summary>
    public long Downloaded { get; init; }

    /// <summary>Bytes sent, over every torrent held and its runs.</summary>
    public long Uploaded { get; init; }

    /// <summary>The DHT node's state (id, UDP end point, nodes, buckets, stored and announced torrents, counters); null when none runs.</summary>
    public Dht.DhtStatus? Dht { get; init; }

    /// <summary>Whether the settings turn the DHT on (it starts with the listener).</summary>
    public bool DhtEnabled { get; init; }

    /// <summary>The DHT's bootstrap routers; null for the public defaults.</summary>
    public IReadOnlyList<string>? DhtBootstrapNodes { get; init; }

    /// <summary>The nodes in the DHT's routing table (0 when none runs).</summary>
    public int DhtNodes => Dht?.Nodes ?? 0;

    /// <summary>Whether local service discovery (BEP 14) runs.</summary>
    public bool LocalDiscovery { get; init; }
}
