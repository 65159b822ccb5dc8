using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Wire;

using TorrentPS.Engine.Peers;

namespace TorrentPS.Peers;

/// <summary>Invoke-PeerHandshake's decisions, outside the cmdlet so xunit reaches them: which peers, which options.</summary>
internal static class PeerHandshakeTargets
{
    /// <summary>The info hash of <c>-InfoHash</c> (40 hex or 32 base32 characters).</summary>
    /// <exception cref="TorrentPSException"><c>InvalidInfoHash</c>.</exception>
    public static InfoHash ParseInfoHash(string text)
        => InfoHash.TryParse(text?.Trim(), out var hash)
            ? hash
            : throw new TorrentPSException("InvalidInfoHash", TorrentErrorKind.InvalidArgument, $"'{text}' is not an info hash: expected 40 hex digits or 32 base32 characters.");

    /// <summary>
    /// An <c>-Address</c> with <c>-Port</c> when it has no port of its own: <c>127.0.0.1</c> and 6881 give
    /// <c>127.0.0.1:6881</c>, <c>::1</c> gives <c>[::1]:6881</c>, <c>host</c> gives <c>host:6881</c>; an address with a port,
    /// or no <paramref name="port"/>, stays as it is.
    /// </summary>
    public static string ComposeAddress(string address, int? port)
    {
        var text = address.Trim();
        if (port is not { } p || text.Length == 0)
        {
            return text;
        }

        if (text.StartsWith('['))
        {
            return text.Contains("]:", StringComparison.Ordinal) ? text : $"{text}:{p}";
        }

        var colons = text.Count(c => c == ':');
        if (colons > 1 && System.Net.IPAddress.TryParse(text, out var v6))
        {
            return new System.Net.IPEndPoint(v6, p).ToString();
        }

        return colons == 1 ? text : $"{text}:{p}";
    }

    /// <summary>A peer for one <c>-Address</c> (<c>ip:port</c>, <c>[ipv6]:port</c> or <c>host:port</c>).</summary>
    /// <exception cref="TorrentPSException"><c>InvalidPeerAddress</c>.</exception>
    public static async Task<TorrentPeer> ResolveAsync(string address, InfoHash infoHash, CancellationToken cancellationToken)
    {
        try
        {
            var endPoint = await PeerEndPoint.ResolveAsync(address, cancellationToken).ConfigureAwait(false);
            return new TorrentPeer(endPoint.Address, endPoint.Port, infoHash, PeerSource.Manual);
        }
        catch (FormatException ex)
        {
            throw new TorrentPSException("InvalidPeerAddress", TorrentErrorKind.InvalidArgument, ex.Message, ex);
        }
    }

    /// <summary>
    /// The engine's own handshake: the extension protocol bit (and extension handshake), no DHT bit
    /// (no DHT node runs), no fast bit (not used by a handshake-only connection). No fixed peer id: each handshake
    /// of a batch presents one of its own, since a peer (libtorrent) drops a second connection with an id it already talks to.
    /// </summary>
    public static HandshakeOptions CreateOptions(int timeoutSec, TorrentInfo? torrent)
        => new HandshakeOptions { PieceCount = torrent?.PieceCount ?? 0 }.WithTimeout(TimeSpan.FromSeconds(timeoutSec));
}
