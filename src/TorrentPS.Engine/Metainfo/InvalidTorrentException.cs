using TorrentPS.Engine.Errors;

namespace TorrentPS.Engine.Metainfo;

/// <summary>A .torrent whose bencode is fine but whose content is not a usable torrent.</summary>
internal sealed class InvalidTorrentException : TorrentPSException
{
    public InvalidTorrentException(string message, string? source = null, Exception? innerException = null)
        : base("InvalidTorrent", TorrentErrorKind.InvalidData, source is null ? message : $"{source}: {message}", innerException)
        => Source = source;

    /// <summary>The file the torrent came from, when known.</summary>
    public new string? Source { get; }
}
