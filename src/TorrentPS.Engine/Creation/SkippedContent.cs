namespace TorrentPS.Engine.Creation;

/// <summary>
/// Something in the content folder that is not in the new torrent, and why: a symbolic link that is not followed, an
/// empty folder (a torrent lists files only), TorrentPS's own state folder. Files left out by an exclude pattern are not
/// listed: the caller asked for that.
/// </summary>
/// <param name="RelativePath">The path below the content folder, with '/' between segments.</param>
/// <param name="Reason">Why it is not in the torrent, as a sentence fragment (<c>a link to a folder</c>).</param>
internal sealed record SkippedContent(string RelativePath, string Reason)
{
    public override string ToString() => $"{RelativePath}: {Reason}";
}
