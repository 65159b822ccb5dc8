using TorrentPS.Engine.Metainfo;

namespace TorrentPS.Transfers;

/// <summary>What a magnet link is called before its metadata is known: its display name, else its info hash.</summary>
internal static class MagnetNames
{
    public static string Of(MagnetLink magnet) => string.IsNullOrWhiteSpace(magnet.DisplayName) ? magnet.Hash.Hex : magnet.DisplayName;
}
