using System.Net;
using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Metainfo;

namespace TorrentPS.Engine.Wire;

/// <summary>The peer answered the handshake for another torrent than the one asked for.</summary>
internal sealed class InfoHashMismatchException(IPEndPoint? endPoint, InfoHash expected, InfoHash actual)
    : PeerException("InfoHashMismatch", TorrentErrorKind.ProtocolError, endPoint, $"the peer answered for info hash {actual}, not {expected}")
{
    public InfoHash Expected { get; } = expected;

    public InfoHash Actual { get; } = actual;
}
