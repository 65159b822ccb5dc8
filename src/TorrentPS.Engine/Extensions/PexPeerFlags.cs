namespace TorrentPS.Engine.Extensions;

/// <summary>
/// What a ut_pex sender says about a peer it lists in <c>added</c> (BEP 11, one byte per peer in <c>added.f</c> and
/// <c>added6.f</c>). Each bit is a hint, never a promise: a bit that is not set means "not known", not "no".
/// </summary>
[Flags]
internal enum PexPeerFlags : byte
{
    None = 0,

    /// <summary>0x01: the peer prefers encrypted connections.</summary>
    PrefersEncryption = 0x01,

    /// <summary>0x02: the peer is a seed (has every piece) or only uploads.</summary>
    Seed = 0x02,

    /// <summary>0x04: the peer supports uTP.</summary>
    SupportsUtp = 0x04,

    /// <summary>0x08: the peer supports the ut_holepunch extension.</summary>
    SupportsHolepunch = 0x08,

    /// <summary>0x10: the sender dialled the peer itself, so the peer accepts connections at that address.</summary>
    Reachable = 0x10,
}
