using TorrentPS.Engine.Errors;

namespace TorrentPS.Engine.Metainfo;

/// <summary>A valid torrent of a kind the engine cannot use yet (a v2-only torrent).</summary>
internal sealed class UnsupportedTorrentException : TorrentPSException
{
    public UnsupportedTorrentException(string message)
        : base("UnsupportedTorrent", TorrentErrorKind.NotImplemented, message)
    {
    }
}
