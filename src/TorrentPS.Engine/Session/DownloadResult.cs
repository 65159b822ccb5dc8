using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Swarm;

namespace TorrentPS.Engine.Session;

/// <summary>
/// What a download or a seed did, when it ended: what <c>Start-TorrentDownload</c>, <c>Start-MagnetDownload</c> and
/// <c>Start-TorrentSeed</c> emit. Immutable; property names made for Format-Table, and for binding by property name:
/// <see cref="SourcePath"/>, <see cref="InfoHash"/> and <see cref="DataPath"/> are what <c>Test-Torrent</c> and
/// <c>Start-TorrentSeed</c> take (<c>Start-TorrentDownload x.torrent -Destination d | Test-Torrent</c>), also after
/// Export-Clixml and Import-Clixml.
/// </summary>
public sealed record DownloadResult
{
    public required string Name { get; init; }

    /// <summary>The info hash as 40 lowercase hex digits: binds <c>-InfoHash</c>, and is text in <c>ConvertTo-Json</c>.</summary>
    public string InfoHash { get => Hash.Hex; init => Hash = Metainfo.InfoHash.Parse(value); }

    internal InfoHash Hash { get; init; } = null!;

    /// <summary>The file or top folder the content is in.</summary>
    public required string Destination { get; init; }

    /// <summary>
    /// The .torrent file the torrent was read from; null for a magnet link, whose metadata came from peers. Binds
    /// <c>-LiteralPath</c> (its alias SourcePath) of the torrent cmdlets.
    /// </summary>
    public string? SourcePath { get; init; }

    /// <summary>
    /// The folder that holds the single file or the multi-file torrent's top folder (what <c>-Destination</c> or
    /// <c>-DataPath</c> named): what <c>-DataPath</c> of Test-Torrent and Start-TorrentSeed takes. Null when the front end
    /// did not say (the CLI's <c>-o</c> names the content itself).
    /// </summary>
    public string? DataPath { get; init; }

    /// <summary>The torrent's length in bytes (0 when a magnet's metadata never arrived).</summary>
    public long Length { get; init; }

    /// <summary>Block bytes received in this run.</summary>
    public long Downloaded { get; init; }

    /// <summary>Block bytes sent in this run.</summary>
    public long Uploaded { get; init; }

    /// <summary>How long the run lasted, in seconds.</summary>
    public double Elapsed { get => ElapsedSpan.TotalSeconds; init => ElapsedSpan = TimeSpan.FromSeconds(value); }

    internal TimeSpan ElapsedSpan { get; init; }

    /// <summary>
    /// The run's average rate in bytes per second: of what was received, or for a run that received nothing (a seed) of
    /// what was sent.
    /// </summary>
    public double AverageRate => Downloaded > 0 ? AverageDownloadRate : AverageUploadRate;

    /// <summary>Bytes per second received, over the whole run.</summary>
    public double AverageDownloadRate => ElapsedSpan.TotalSeconds > 0 ? Downloaded / ElapsedSpan.TotalSeconds : 0;

    /// <summary>Bytes per second sent, over the whole run.</summary>
    public double AverageUploadRate => ElapsedSpan.TotalSeconds > 0 ? Uploaded / ElapsedSpan.TotalSeconds : 0;

    /// <summary>Completed (every wanted piece verified), Stopped (interrupted; resume data saved) or Failed.</summary>
    public required TorrentState State { get; init; }

    /// <summary>Uploaded ÷ the torrent's length.</summary>
    public double Ratio => Length > 0 ? (double)Uploaded / Length : 0;

    /// <summary>Pieces verified at the end, of <see cref="PieceCount"/>.</summary>
    public int VerifiedPieces { get; init; }

    public int PieceCount { get; init; }

    /// <summary>The files written (full paths; padding files excluded).</summary>
    public IReadOnlyList<string> Files { get; init; } = [];

    /// <summary>Pieces that failed their hash and were fetched again.</summary>
    public int HashFailures { get; init; }

    /// <summary><c>small.bin: Completed</c>, the name escaped (it comes from the torrent).</summary>
    public override string ToString() => $"{Text.DisplayText.Escape(Name)}: {State}";
}
