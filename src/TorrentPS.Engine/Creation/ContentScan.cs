namespace TorrentPS.Engine.Creation;

/// <summary>What <see cref="ContentScanner"/> found: the torrent's name, whether it is a folder, its files in torrent order, and what was left out.</summary>
internal sealed record ContentScan(string Name, string ContentPath, bool IsFolder, IReadOnlyList<SourceFile> Files, IReadOnlyList<SkippedContent> Skipped)
{
    /// <summary>The bytes of every file.</summary>
    public long TotalLength => Files.Sum(f => f.Length);
}
