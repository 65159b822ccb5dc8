using Microsoft.Extensions.Logging;
using TorrentPS.Engine.Metainfo;

namespace TorrentPS.Engine.Storage;

/// <summary>
/// The "checking" phase a download or a seed starts with: which pieces of the torrent are already on disk and good.
/// </summary>
public static class ExistingData
{
    /// <summary>
    /// Loads the resume data at <paramref name="location"/>'s <see cref="ContentLocation.ResumePath"/> and trusts its
    /// verified pieces only where every file holding the piece still has the length and last write time it had at the
    /// checkpoint. Pieces touching a changed file, or a file without a trustworthy stamp, are hashed again; pieces of files
    /// not on disk at all are missing without hashing. With no usable resume data, whatever data exists is hashed (another
    /// client's partial download, a copy): losing the resume file loses no data, only time.
    /// </summary>
    /// <returns>The verified pieces.</returns>
    /// <exception cref="StorageException">A file exists but cannot be read.</exception>
    /// <exception cref="OperationCanceledException">The check was cancelled.</exception>
    public static async Task<Bitfield> CheckAsync(
        TorrentInfo torrent,
        ContentLocation location,
        IProgress<VerificationProgress>? progress,
        ILogger logger,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(torrent);
        ArgumentNullException.ThrowIfNull(location);
        ArgumentNullException.ThrowIfNull(logger);
        var layout = FileLayout.For(torrent);
        var resume = ResumeData.TryLoad(location.ResumePath, torrent, logger);
        var verified = new Bitfield(layout.PieceCount);
        var toHash = new Bitfield(layout.PieceCount);
        if (resume is null)
        {
            toHash.SetAll();
        }
        else
        {
            var unchanged = UnchangedFiles(layout, location, resume);
            for (var piece = 0; piece < layout.PieceCount; piece++)
            {
                var (first, last) = layout.GetFileRange(piece);
                var trusted = true;
                for (var file = first; trusted && file <= last; file++)
                {
                    trusted = unchanged[file];
                }

                if (!trusted)
                {
                    toHash[piece] = true;
                }
                else if (resume.IsVerified(piece))
                {
                    verified[piece] = true;
                }
            }

            logger.LogDebug(
                "Resume data for {Name}: {Trusted} pieces trusted as verified, {ToHash} to hash again",
                torrent.Name,
                verified.Count,
                toHash.Count);
        }

        if (!toHash.IsEmpty)
        {
            var result = await new TorrentVerifier().VerifyAsync(torrent, location, progress, cancellationToken, toHash).ConfigureAwait(false);
            foreach (var piece in result.ValidPieces.Indexes())
            {
                verified[piece] = true;
            }
        }

        return verified;
    }

    /// <summary>
    /// Per file: true when its resume stamp can be trusted: the file is on disk with exactly the length and time it had
    /// at the checkpoint. Padding and zero-length files hold no data to distrust. A file not on disk is never trusted, so
    /// its pieces go to the verifier, which finds them missing without reading anything.
    /// </summary>
    private static bool[] UnchangedFiles(FileLayout layout, ContentLocation location, ResumeData resume)
    {
        var unchanged = new bool[layout.FileCount];
        for (var file = 0; file < unchanged.Length; file++)
        {
            if (layout.IsPadding(file) || layout.GetFileLength(file) == 0)
            {
                unchanged[file] = true;
                continue;
            }

            var now = FileStamp.Of(location.GetFilePath(file));
            var then = resume.FileStamps[file];
            unchanged[file] = now.Exists && now == then;
        }

        return unchanged;
    }
}
