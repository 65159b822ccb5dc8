using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Swarm;

namespace TorrentPS.Engine.Session;

/// <summary>
/// What a download or a seed did, when it ended: what <c>Start-TorrentDownload</c>, <c>Start-MagnetDownload</c> and
/// <c>Start-TorrentSeed</c> emit. Immutable; property names made for Format-Table.
/// </summary>
public sealed record DownloadResult
{
    public required string Name { get; init; }

    public required InfoHash InfoHash { get; init; }

    /// <summary>The file or top folder the content is in.</summary>
    public required string Destination { get; init; }

    /// <summary>The torrent's length in bytes (0 when a magnet's metadata never arrived).</summary>
    public long Length { get; init; }

    /// <summary>Block bytes received in this run.</summary>
    public long Downloaded { get; init; }

    /// <summary>Block bytes sent in this run.</summary>
    public long Uploaded { get; init; }

    public TimeSpan Elapsed { get; init; }

    /// <summary>Bytes per second received, over the whole run.</summary>
    public double AverageRate => Elapsed.TotalSeconds > 0 ? Downloaded / Elapsed.TotalSeconds : 0;

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

    public override string ToString() => $"{Name}: {State}";
}
