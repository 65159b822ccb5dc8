using Microsoft.Extensions.Logging;
using TorrentPS.Engine.Metainfo;

namespace TorrentPS.Engine.Storage;

/// <summary>
/// The "checking" phase a download or a seed starts with: which pieces of the torrent are already on disk and good.
/// </summary>
internal static class ExistingData
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
    public static Task<Bitfield> CheckAsync(
        TorrentInfo torrent,
        ContentLocation location,
        IProgress<VerificationProgress>? progress,
        ILogger logger,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(torrent);
        ArgumentNullException.ThrowIfNull(location);
        ArgumentNullException.ThrowIfNull(logger);
        var resume = ResumeData.TryLoad(location.ResumePath, torrent, logger);
        return CheckAsync(torrent, location, resume, journal: null, resume?.Selection, store: null, progress, logger, cancellationToken);
    }

    /// <summary>
    /// The check, given what was read already: the resume record, the journal of the writes that followed it (a run
    /// killed before its next checkpoint), the selection to apply now, and the store that will write (it moves the bytes
    /// of newly chosen files out of the part file first: <see cref="PieceStore.ApplySelection"/>).
    /// </summary>
    /// <remarks>
    /// <para>Each "source" of bytes (a file, or the part file) is unchanged when its stamp now is the one expected: the
    /// stamp our last journalled write left, when the journal has one that follows the record; else the record's. A
    /// source the journal says someone else changed is never unchanged. A file that was absent then and is absent now is
    /// unchanged (no trusted piece read from it).</para>
    /// <para>A piece is trusted when every file holding its bytes is unchanged, and, when it held bytes of a file the
    /// record's selection skipped (those live in the part file), the part file too. Trusted and recorded as verified:
    /// verified without hashing. Trusted, not recorded, but journalled as written (verified after the record) or marked
    /// for a recheck: hashed. Trusted otherwise: missing without hashing. Not trusted: hashed.</para>
    /// </remarks>
    internal static async Task<Bitfield> CheckAsync(
        TorrentInfo torrent,
        ContentLocation location,
        ResumeData? resume,
        WriteJournal.Contents? journal,
        FileSelection? selection,
        PieceStore? store,
        IProgress<VerificationProgress>? progress,
        ILogger logger,
        CancellationToken cancellationToken)
    {
        var layout = FileLayout.For(torrent);
        var verified = new Bitfield(layout.PieceCount);
        var toHash = new Bitfield(layout.PieceCount);
        if (resume is null)
        {
            toHash.SetAll();
        }
        else
        {
            var unchanged = UnchangedSources(layout, location, resume, journal);
            var recheck = resume.RecheckPieces;
            var partUnchanged = unchanged[layout.FileCount];
            for (var piece = 0; piece < layout.PieceCount; piece++)
            {
                var (first, last) = layout.GetFileRange(piece);
                var trusted = true;
                var inPartFile = false;
                for (var file = first; trusted && file <= last; file++)
                {
                    trusted = unchanged[file];
                    inPartFile |= resume.Selection is { } old && !old.IsSelected(file) && !layout.IsPadding(file) && layout.GetFileLength(file) > 0;
                }

                trusted &= !inPartFile || partUnchanged;
                if (!trusted || recheck[piece] || (!resume.IsVerified(piece) && journal is not null && journal.Written[piece]))
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

        if (store is not null && (selection is not null || store.Selection is not null || File.Exists(store.PartFilePath)))
        {
            // Bytes of newly chosen files move out of the part file before anything is hashed; a piece whose slot held
            // good data is hashed where its bytes now are (unless already trusted).
            var good = store.ApplySelection(selection, (piece, data) => PieceHash.Matches(data, torrent.GetPieceHash(piece)));
            foreach (var piece in good.Indexes())
            {
                toHash[piece] = !verified[piece];
            }
        }

        if (!toHash.IsEmpty)
        {
            var result = await new TorrentVerifier().VerifyAsync(torrent, location, progress, cancellationToken, toHash, selection).ConfigureAwait(false);
            foreach (var piece in result.ValidPieceBits.Indexes())
            {
                verified[piece] = true;
            }
        }

        return verified;
    }

    /// <summary>
    /// Per source (the files, then the part file): true when its stamp can be trusted: it is what the record (or our
    /// last journalled write after it) left, and nobody else was seen changing it. Padding and zero-length files hold no
    /// data to distrust.
    /// </summary>
    private static bool[] UnchangedSources(FileLayout layout, ContentLocation location, ResumeData resume, WriteJournal.Contents? journal)
    {
        var unchanged = new bool[layout.FileCount + 1];
        for (var source = 0; source < unchanged.Length; source++)
        {
            var isPart = source == layout.FileCount;
            if (!isPart && (layout.IsPadding(source) || layout.GetFileLength(source) == 0))
            {
                unchanged[source] = true;
                continue;
            }

            var expected = isPart ? resume.PartFileStamp : resume.FileStamps[source];
            var tainted = false;
            if (journal?.Stamps[source] is { } entry && entry.Generation >= resume.Generation)
            {
                expected = entry.Stamp;
                tainted = entry.Tainted;
            }

            var now = FileStamp.Of(isPart ? PartFile.PathFor(location) : location.GetFilePath(source));
            unchanged[source] = !tainted && now == expected;
        }

        return unchanged;
    }
}
