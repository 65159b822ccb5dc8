using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Storage;
using TorrentPS.Engine.Swarm;

namespace TorrentPS.Engine.Session;

/// <summary>
/// A torrent's data as the loop needs it: the storage pieces go to, the check it starts with, and the checkpoints it
/// saves. The torrent's files with resume data (<see cref="FileTorrentData"/>), pieces each to a file
/// (<see cref="PieceFilesData"/>), or memory in tests.
/// </summary>
/// <remarks>
/// The members after <see cref="Checkpoint"/> have defaults (every piece wanted at one priority, nothing ever changed
/// on disk), so data without files to choose from need not implement them.
/// </remarks>
internal interface ITorrentData : IDisposable
{
    IPieceStorage Storage { get; }

    /// <summary>Where the content is (a file or folder path), for results and messages.</summary>
    string ContentPath { get; }

    /// <summary>The pieces already here and verified; hashes what cannot be trusted. Reports bytes checked.</summary>
    Task<Bitfield> CheckAsync(IProgress<long>? progress, CancellationToken cancellationToken);

    /// <summary>
    /// Saves what is verified so a restart continues from here (flushes data first, then writes the record atomically).
    /// Runs off the loop; <paramref name="final"/> when the torrent ends (nothing writes after it). Pieces held by a
    /// file that changed on disk under us are left out of the record (see <see cref="FindChangedPieces"/>), and the final
    /// checkpoint then throws a <see cref="StorageException"/> with id <c>DataChangedOnDisk</c> (after saving), so a
    /// run that ends over changed files is not reported complete.
    /// </summary>
    void Checkpoint(Bitfield verified, bool final);

    /// <summary>The files chosen and their priorities, once <see cref="CheckAsync"/> returned; null when there are no files to choose from.</summary>
    FileSelection? Selection => null;

    /// <summary>
    /// The pieces to download, once <see cref="CheckAsync"/> returned: those holding bytes of a chosen file (a piece
    /// shared with a skipped file included). The torrent is complete when all of them are verified. Null: every piece.
    /// </summary>
    Bitfield? WantedPieces => null;

    /// <summary>
    /// Per piece, the highest priority of the chosen files holding its bytes (<see cref="FilePriority.Skip"/> for a
    /// piece that holds none), once <see cref="CheckAsync"/> returned. Null: every piece at one priority.
    /// </summary>
    IReadOnlyList<FilePriority>? PiecePriorities => null;

    /// <summary>
    /// Which of <paramref name="verified"/> can no longer be trusted because a file holding them was changed on disk by
    /// something other than this download (truncated, overwritten, replaced, deleted) since it was checked or written.
    /// Stats every file (run it off the loop); empty when nothing changed. <see cref="Checkpoint"/> finds the same and
    /// leaves them out of the record.
    /// </summary>
    Bitfield FindChangedPieces(Bitfield verified) => new(verified.Length);

    /// <summary>
    /// Chooses other files, or other priorities, while the torrent runs: the bytes of newly chosen files that wait in
    /// the part file move into them (blocking I/O: run it off the loop). Returns the new <see cref="WantedPieces"/>;
    /// <see cref="Selection"/> and <see cref="PiecePriorities"/> change with it, and the next checkpoint records it.
    /// </summary>
    /// <exception cref="NotSupportedException">The data has no files to choose from.</exception>
    Bitfield ChangeSelection(FileSelection selection) => throw new NotSupportedException("This torrent's data has no files to choose from.");
}
