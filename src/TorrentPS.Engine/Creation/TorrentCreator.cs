using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Storage;

namespace TorrentPS.Engine.Creation;

/// <summary>
/// Makes a torrent of a file or a folder: lists the files (<see cref="ContentScanner"/>: which files go in, in which order,
/// and what happens to hidden files, links and empty folders), chooses the piece length (<see cref="PieceLengthRule"/>),
/// hashes the content on every core (<see cref="ContentHasher"/>, the verifier's machinery), checks that no file changed
/// meanwhile, and writes the metainfo: v1 (BEP 3) or BEP 52 hybrid (<see cref="CreationLayout"/>, <see cref="MetainfoBuilder"/>).
/// The result is read back by the parser every torrent goes through, so what is returned is what any reader sees.
/// </summary>
public sealed class TorrentCreator
{
    private readonly TorrentVerifierOptions _readOptions;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    /// <param name="readOptions">How the content is read and hashed: the verifier's options (8 MiB reads, one thread per processor).</param>
    public TorrentCreator(TorrentVerifierOptions? readOptions = null, ILogger<TorrentCreator>? logger = null, TimeProvider? time = null)
    {
        _readOptions = readOptions ?? TorrentVerifierOptions.Default;
        if (_readOptions.ReadSize < MerkleTree.BlockLength || _readOptions.ReadSize % MerkleTree.BlockLength != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(readOptions), _readOptions.ReadSize, "Reads are a multiple of 16 KiB.");
        }

        _logger = logger ?? (ILogger)NullLogger.Instance;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The name a torrent of <paramref name="path"/> gets: the file's or folder's name as the path gives it (a link's own name).</summary>
    public static string NameFor(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return ContentScanner.NameOf(path);
    }

    /// <summary>
    /// Makes the torrent of the file or folder at <paramref name="path"/>. Reports the bytes hashed from worker threads;
    /// stops at once when <paramref name="cancellationToken"/> is cancelled. Writes nothing anywhere.
    /// </summary>
    /// <exception cref="TorrentPSException">
    /// <c>PathNotFound</c>; <c>EmptyContent</c> (nothing to share: no file, or only empty ones); <c>InvalidPieceLength</c>;
    /// <c>ContentChanged</c> (a file changed while it was hashed); a <see cref="StorageException"/> when a file or folder
    /// cannot be read.
    /// </exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public async Task<CreatedTorrent> CreateAsync(
        string path,
        TorrentCreationOptions? options,
        IProgress<TorrentCreationProgress>? progress,
        CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= new TorrentCreationOptions();
        if (options.PieceLength is { } given && !PieceLengthRule.IsValid(given))
        {
            throw new TorrentPSException(
                "InvalidPieceLength",
                TorrentErrorKind.InvalidArgument,
                $"A piece length of {given} bytes is not a power of two from {PieceLengthRule.Minimum} (16 KiB) to {PieceLengthRule.Maximum} (256 MiB).");
        }

        var started = Stopwatch.GetTimestamp();
        cancellationToken.ThrowIfCancellationRequested();
        var scan = ContentScanner.Scan(path, new ExcludePatterns(options.Exclude), cancellationToken, options.OutputPath);
        foreach (var skipped in scan.Skipped)
        {
            _logger.LogWarning("Not in the torrent: {Path}, {Reason}", skipped.RelativePath, skipped.Reason);
        }

        var total = scan.TotalLength;
        if (total == 0)
        {
            throw new TorrentPSException(
                "EmptyContent",
                TorrentErrorKind.InvalidArgument,
                scan.Files.Count == 0
                    ? $"'{scan.ContentPath}' holds no file to share (empty folders cannot be in a torrent)."
                    : $"'{scan.ContentPath}' has no data to share: {(scan.IsFolder ? "every file in it is empty" : "the file is empty")}.");
        }

        var pieceLength = options.PieceLength ?? PieceLengthRule.Automatic(total);
        var layout = new CreationLayout(scan, pieceLength, options.Version);
        _logger.LogInformation(
            "Hashing {Name}: {Files} files, {Bytes} bytes in {Pieces} pieces of {PieceLength} bytes ({Version})",
            scan.Name,
            scan.Files.Count,
            total,
            layout.Files.PieceCount,
            pieceLength,
            options.Version);
        var hashes = await new ContentHasher(_readOptions).HashAsync(layout, progress, cancellationToken).ConfigureAwait(false);
        CheckUnchanged(scan);

        var info = MetainfoBuilder.BuildInfo(layout, hashes, options.IsPrivate, options.Source);
        var pieceLayers = layout.IsHybrid ? MetainfoBuilder.BuildPieceLayers(hashes) : [];
        var creationDate = options.NoCreationDate ? (DateTimeOffset?)null : options.CreationDate ?? _time.GetUtcNow();
        var bytes = TorrentFileWriter.Encode(
            info,
            CleanTiers(options.TrackerTiers),
            Clean(options.WebSeeds),
            string.IsNullOrEmpty(options.Comment) ? null : options.Comment,
            string.IsNullOrEmpty(options.CreatedBy) ? null : options.CreatedBy,
            creationDate,
            pieceLayers);
        var torrent = TorrentInfo.Parse(bytes, null, cancellationToken);
        WarnAboutRenames(scan, torrent);
        var elapsed = Stopwatch.GetElapsedTime(started);
        _logger.LogInformation(
            "Made {Name} ({InfoHash}) of {Bytes} bytes in {Seconds:0.00} s",
            torrent.Name,
            torrent.Hash,
            total,
            elapsed.TotalSeconds);
        return new CreatedTorrent(bytes, torrent, scan.Skipped, elapsed);
    }

    /// <summary>Every file must still have the length and last write time it had when it was listed.</summary>
    private static void CheckUnchanged(ContentScan scan)
    {
        foreach (var file in scan.Files)
        {
            var now = FileStamp.Of(file.ReadPath);
            if (!now.Exists)
            {
                throw SourceReader.Changed(file, "was deleted");
            }

            if (now.Length != file.Length)
            {
                throw SourceReader.Changed(file, $"changed length ({file.Length} bytes, now {now.Length})");
            }

            if (now.LastWriteTimeUtc != file.LastWriteTimeUtc)
            {
                throw SourceReader.Changed(file, "was written to");
            }
        }
    }

    /// <summary>
    /// Names are written as the file system gives them, but readers make some safe (reserved names such as <c>CON</c>,
    /// characters Windows refuses, names differing only in case): such a file would be saved under another name, and a
    /// seed of this folder would not find it. Say so.
    /// </summary>
    private void WarnAboutRenames(ContentScan scan, TorrentInfo torrent)
    {
        if (torrent.Name != scan.Name)
        {
            _logger.LogWarning("Clients will save {Name} as {Saved}: its name is not safe on every system", scan.Name, torrent.Name);
        }

        if (!scan.IsFolder)
        {
            return;
        }

        var index = 0;
        foreach (var file in torrent.Files)
        {
            if (file.IsPadding)
            {
                continue;
            }

            var source = scan.Files[index++];
            if (!file.PathSegments.SequenceEqual(source.Segments, StringComparer.Ordinal))
            {
                _logger.LogWarning("Clients will save {Path} as {Saved}: its name is not safe on every system, or differs from another only in case", source.RelativePath, file.Path);
            }
        }
    }

    private static IReadOnlyList<IReadOnlyList<string>> CleanTiers(IReadOnlyList<IReadOnlyList<string>> tiers)
        => tiers.Select(Clean).Where(t => t.Count > 0).ToArray();

    /// <summary>URLs trimmed, empty ones and repeats dropped.</summary>
    private static IReadOnlyList<string> Clean(IReadOnlyList<string> urls)
        => (urls ?? []).Where(u => !string.IsNullOrWhiteSpace(u)).Select(u => u.Trim()).Distinct(StringComparer.Ordinal).ToArray();
}
