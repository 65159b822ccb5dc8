namespace TorrentPS.Engine.Peers;

/// <summary>Where a peer address came from.</summary>
/// <remarks>
/// Based on <see cref="long"/> so PowerShell's <c>ConvertTo-Json</c> writes its name, not a number: it writes an enum whose
/// values need 64 bits as text (a JSON number cannot hold them), which every enum the module emits relies on.
/// </remarks>
public enum PeerSource : long
{
    Tracker,
    Dht,
    Pex,
    Magnet,
    Manual,
    Incoming,

    /// <summary>Local service discovery (BEP 14): a peer on the same network announced the torrent.</summary>
    Local,
}
