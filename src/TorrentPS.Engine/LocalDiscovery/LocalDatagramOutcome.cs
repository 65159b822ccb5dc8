namespace TorrentPS.Engine.LocalDiscovery;

/// <summary>What <see cref="LocalPeerDiscovery"/> made of one datagram (for tests and counters).</summary>
internal enum LocalDatagramOutcome
{
    /// <summary>At least one peer was reported.</summary>
    Reported,

    /// <summary>A valid announce, but of no torrent of ours or only of peers reported within the last minute.</summary>
    NothingNew,

    /// <summary>Our own announce, come back through multicast loopback.</summary>
    Own,

    /// <summary>Not a BT-SEARCH announce.</summary>
    Malformed,

    /// <summary>The sender used up its allowance of datagrams.</summary>
    OverAllowance,
}
