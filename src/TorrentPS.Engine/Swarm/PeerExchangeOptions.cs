namespace TorrentPS.Engine.Swarm;

/// <summary>The pace and bounds of <see cref="PeerExchange"/>. The defaults follow BEP 11 and what libtorrent accepts.</summary>
internal sealed record PeerExchangeOptions
{
    public static PeerExchangeOptions Default { get; } = new();

    /// <summary>The least time between two messages to one peer (BEP 11: at most one a minute).</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>The most peers one message adds (BEP 11: 50).</summary>
    public int MaxAddedPerMessage { get; init; } = 50;

    /// <summary>The most peers one message drops (BEP 11: 50).</summary>
    public int MaxDroppedPerMessage { get; init; } = 50;

    /// <summary>
    /// How many messages one peer may send within <see cref="FloodWindow"/>. A peer sends one a minute; a few may
    /// arrive back to back after a stall (libtorrent allows six), so a peer is flooding only well past one.
    /// </summary>
    public int MaxMessagesPerWindow { get; init; } = 4;

    public TimeSpan FloodWindow { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>The most candidates taken from one message (libtorrent sends up to 100).</summary>
    public int MaxTakenPerMessage { get; init; } = 100;

    /// <summary>
    /// How many candidates one peer may give at once: a budget that refills at <see cref="TakenPerPeerPerMinute"/>,
    /// so a peer that invents addresses cannot fill the roster, however long it stays.
    /// </summary>
    public int MaxTakenPerPeer { get; init; } = 200;

    /// <summary>How fast a peer's budget of candidates refills.</summary>
    public int TakenPerPeerPerMinute { get; init; } = 50;

    /// <summary>How many addresses are remembered as already reported (from any peer), so each is reported once.</summary>
    public int MaxRemembered { get; init; } = 4096;

    /// <summary>The most addresses of our own remembered (to leave out of what we send and what we take).</summary>
    public int MaxOwnEndPoints { get; init; } = 16;
}
