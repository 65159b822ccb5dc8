using TorrentPS.Engine.Metainfo;

namespace TorrentPS.Engine.Creation;

/// <summary>A torrent made by <see cref="TorrentCreator"/>: the .torrent file's bytes, the torrent read back from them, and what was left out.</summary>
public sealed class CreatedTorrent
{
    private readonly byte[] _bytes;

    internal CreatedTorrent(byte[] bytes, TorrentInfo torrent, IReadOnlyList<SkippedContent> skipped, TimeSpan elapsed)
    {
        _bytes = bytes;
        Torrent = torrent;
        Skipped = skipped;
        Elapsed = elapsed;
    }

    /// <summary>The torrent, parsed from <see cref="GetBytes"/> by the same parser that reads every .torrent file.</summary>
    public TorrentInfo Torrent { get; }

    /// <summary>Symbolic links, empty folders and the like that were found but are not in the torrent.</summary>
    internal IReadOnlyList<SkippedContent> Skipped { get; }

    /// <summary>How long listing and hashing took.</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>The .torrent file's bytes (a copy).</summary>
    public byte[] GetBytes() => (byte[])_bytes.Clone();
}
