using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Storage;
using TorrentPS.Engine.Swarm;

namespace TorrentPS.Engine.Session;

/// <summary>
/// A torrent's data as the loop needs it: the storage pieces go to, the check it starts with, and the checkpoints it
/// saves. The torrent's files with resume data (<see cref="FileTorrentData"/>), pieces each to a file
/// (<see cref="PieceFilesData"/>), or memory in tests.
/// </summary>
public interface ITorrentData : IDisposable
{
    IPieceStorage Storage { get; }

    /// <summary>Where the content is (a file or folder path), for results and messages.</summary>
    string ContentPath { get; }

    /// <summary>The pieces already here and verified; hashes what cannot be trusted. Reports bytes checked.</summary>
    Task<Bitfield> CheckAsync(IProgress<long>? progress, CancellationToken cancellationToken);

    /// <summary>
    /// Saves what is verified so a restart continues from here (flushes data first, then writes the record atomically).
    /// Runs off the loop; <paramref name="final"/> when the torrent ends (nothing writes after it).
    /// </summary>
    void Checkpoint(Bitfield verified, bool final);
}
