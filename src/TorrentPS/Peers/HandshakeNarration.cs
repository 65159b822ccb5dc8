using System.Globalization;
using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Peers;
using TorrentPS.Engine.Wire;
using TorrentPS.Formatting;

namespace TorrentPS.Peers;

/// <summary>What Invoke-PeerHandshake says under -Verbose: the batch, each peer's answer or failure, the outcome.</summary>
internal static class HandshakeNarration
{
    public static string Starting(int peers, int throttleLimit, int timeoutSec)
        => $"Handshaking with {Counted.Of(peers, "peer")}, at most {Math.Min(peers, throttleLimit)} at once, each within {Counted.Seconds(TimeSpan.FromSeconds(timeoutSec))}.";

    /// <summary><c>127.0.0.1:6881 answered in 12 ms: libtorrent (rasterbar) 2.0.8; extensions ut_metadata, ut_pex.</c></summary>
    public static string Answered(PeerHandshake handshake)
    {
        var extensions = handshake.Extensions.Count > 0
            ? "extensions " + string.Join(", ", handshake.Extensions.Keys.Order(StringComparer.Ordinal))
            : handshake.SupportsExtensionProtocol ? "no extensions" : "no extension protocol";
        var elapsed = string.Create(CultureInfo.InvariantCulture, $"{handshake.ElapsedSpan.TotalMilliseconds:0} ms");
        return $"{handshake.Peer.EndPointText} answered in {elapsed}: {handshake.Client}; {extensions}.";
    }

    public static string Failed(TorrentPeer peer, Exception error)
        => $"{peer.EndPointText} failed ({(error as TorrentPSException)?.ErrorId ?? error.GetType().Name}).";

    public static string Done(int answered, int peers) => $"{answered} of {Counted.Of(peers, "peer")} answered.";
}
