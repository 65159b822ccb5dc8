using TorrentPS.Engine.Metainfo;
using TorrentPS.Formatting;

namespace TorrentPS.Torrents;

/// <summary>What Get-TorrentInfo and ConvertFrom-Bencode say under -Verbose.</summary>
internal static class TorrentNarration
{
    /// <summary><c>Read 'debian-iso' (55819d…) from '/t/debian.torrent': 2.86 MiB in 2 files, 12 pieces of 256 KiB.</c></summary>
    public static string Read(TorrentInfo torrent, string file)
        => $"Read '{torrent.Name}' ({torrent.Hash.Hex}) from '{file}': {ByteSize.Format(torrent.Length)} in {Counted.Of(torrent.FileCount, "file")}, "
           + $"{Counted.Of(torrent.PieceCount, "piece")} of {ByteSize.Format(torrent.PieceLength)}.";

    public static string Decoding(int length, string? file)
        => $"Decoding {Counted.Of(length, "byte")} of bencode{(file is null ? "" : $" from '{file}'")}.";
}
