using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TorrentPS.Engine.Bencode;
using TorrentPS.Engine.Metainfo;

namespace TorrentPS.Engine.Storage;

/// <summary>
/// What a torrent had verified at a checkpoint: the info hash, the pieces verified, and each file's
/// <see cref="FileStamp"/> then, so a restart trusts a piece only while its files are unchanged. Optionally the raw
/// info dictionary (a magnet download then restarts without fetching metadata again) and the tracker tiers.
/// </summary>
/// <remarks>
/// <para>The file is a bencoded dictionary, format <see cref="FormatVersion"/>: <c>version</c>, <c>info hash</c>
/// (20 bytes), <c>pieces</c> (the piece count), <c>verified</c> (the bitfield, BEP 3 layout), <c>files</c> (a list of
/// <c>[length, last write time in .NET ticks UTC]</c>, length -1 for a file not on disk), optional <c>info</c> (the
/// info dictionary's bytes) and <c>trackers</c> (a list of tiers of URLs), and <c>checksum</c>: the SHA-1 of the
/// dictionary's encoding without it, so a damaged file is never mistaken for a good one. Optional keys added later
/// (older records lack them, and readers that predate them ignore them): <c>generation</c> (the checkpoint's number,
/// which the <see cref="WriteJournal"/> refers to), <c>priorities</c> (one byte per file, the <see cref="FilePriority"/>:
/// the file selection), <c>recheck</c> (a bitfield of pieces to hash at the next start: verified once, then held by a
/// file that changed under us) and <c>part file</c> (the part file's <c>[length, time]</c>).</para>
/// <para>At a checkpoint, take the verified pieces first, then <see cref="PieceStore.Flush"/>, then
/// <see cref="PieceStore.GetFileStamps"/>: a write that lands after the stamps changes its file's stamp, so the file is
/// re-hashed on restart instead of trusted.</para>
/// </remarks>
public sealed class ResumeData
{
    /// <summary>The format this version writes and reads.</summary>
    internal const int FormatVersion = 1;

    /// <summary>A resume file larger than this is not read (the largest real one is a few MiB: a bitfield and an info dictionary); the bencode reader's own limit.</summary>
    internal static readonly long MaxFileLength = BencodeReaderOptions.Default.MaxInputLength;

    private readonly Bitfield _verified;
    private readonly Bitfield? _recheck;

    /// <param name="verifiedPieces">Copied: later changes to the caller's set do not reach this object.</param>
    internal ResumeData(
        InfoHash infoHash,
        Bitfield verifiedPieces,
        IReadOnlyList<FileStamp> fileStamps,
        ReadOnlyMemory<byte>? infoDictionary = null,
        IReadOnlyList<IReadOnlyList<string>>? trackerTiers = null)
    {
        ArgumentNullException.ThrowIfNull(infoHash);
        ArgumentNullException.ThrowIfNull(verifiedPieces);
        ArgumentNullException.ThrowIfNull(fileStamps);
        InfoHash = infoHash;
        _verified = verifiedPieces.Clone();
        FileStamps = [.. fileStamps];
        InfoDictionary = infoDictionary;
        TrackerTiers = trackerTiers is null ? [] : trackerTiers.Select(t => (IReadOnlyList<string>)[.. t]).ToArray();
    }

    internal InfoHash InfoHash { get; }

    /// <summary>The checkpoint's number: one more than the record it replaced (0 in records that predate it).</summary>
    internal long Generation { get; init; }

    /// <summary>The files chosen and their priorities; null when every file is (and in records that predate selections).</summary>
    public FileSelection? Selection { get; init; }

    /// <summary>The part file's stamp at the checkpoint (<see cref="FileStamp.Missing"/> when there was none).</summary>
    internal FileStamp PartFileStamp { get; init; } = FileStamp.Missing;

    /// <summary>
    /// Pieces to hash at the next start although the files' stamps may match: verified once, then held by a file that
    /// changed under us (so the record does not list them as verified). Empty when none.
    /// </summary>
    internal Bitfield RecheckPieces
    {
        get => _recheck?.Clone() ?? new Bitfield(_verified.Length);
        init
        {
            ArgumentNullException.ThrowIfNull(value);
            if (value.Length != _verified.Length)
            {
                throw new ArgumentException($"The recheck set has {value.Length} pieces, the torrent {_verified.Length}.", nameof(value));
            }

            _recheck = value.IsEmpty ? null : value.Clone();
        }
    }

    /// <summary>A copy of the verified pieces (its <see cref="Bitfield.Length"/> is the torrent's piece count).</summary>
    internal Bitfield VerifiedPieces => _verified.Clone();

    /// <summary>The number of pieces of the torrent.</summary>
    internal int PieceCount => _verified.Length;

    /// <summary>One stamp per file of the torrent (padding files included), as at the checkpoint.</summary>
    internal IReadOnlyList<FileStamp> FileStamps { get; }

    /// <summary>The torrent's raw bencoded info dictionary, when kept (magnet downloads).</summary>
    internal ReadOnlyMemory<byte>? InfoDictionary { get; }

    /// <summary>The tracker tiers, when kept; empty otherwise.</summary>
    internal IReadOnlyList<IReadOnlyList<string>> TrackerTiers { get; }

    /// <summary>Whether piece <paramref name="piece"/> was verified.</summary>
    internal bool IsVerified(int piece) => _verified[piece];

    /// <summary>The file's bytes.</summary>
    internal byte[] ToBytes()
    {
        var body = Encode(checksum: null);
        return Encode(SHA1.HashData(body));
    }

    /// <summary>
    /// Writes the file atomically: to a temporary file in the same folder, flushed to disk, then renamed over
    /// <paramref name="path"/>; the folder is created when missing. A reader sees the old file or the new one, never a part.
    /// </summary>
    /// <exception cref="StorageException">The file cannot be written (DiskFull, StorageAccessDenied, PathIsFile, StorageFailed).</exception>
    internal void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(full)!;
        var temporary = Path.Combine(folder, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        var bytes = ToBytes();
        try
        {
            Directory.CreateDirectory(folder);
            using (var handle = File.OpenHandle(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                RandomAccess.Write(handle, bytes, 0);
                RandomAccess.FlushToDisk(handle);
            }

            File.Move(temporary, full, overwrite: true);
        }
        catch (Exception ex) when (StorageErrors.IsIOFault(ex))
        {
            TryDelete(temporary);
            throw StorageErrors.Classify(ex, full, writing: true);
        }
    }

    /// <summary>
    /// Reads the resume file at <paramref name="path"/>. Null when there is none; null with a logged warning when it is
    /// unreadable, truncated, corrupt, of another format version or for another torrent. Never throws for bad content.
    /// </summary>
    public static ResumeData? TryLoad(string path, InfoHash expected, ILogger? logger)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(expected);
        logger ??= NullLogger.Instance;
        byte[] bytes;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                logger.LogDebug("No resume data at {Path}", path);
                return null;
            }

            if (info.Length > MaxFileLength)
            {
                return Ignore(logger, path, $"it is {info.Length} bytes long, more than any resume file");
            }

            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (StorageErrors.IsIOFault(ex))
        {
            return Ignore(logger, path, ex.Message);
        }

        var data = Parse(bytes, expected, out var problem);
        return data ?? Ignore(logger, path, problem!);
    }

    /// <summary>
    /// As <see cref="TryLoad(string, InfoHash, ILogger?)"/>, and the data must fit <paramref name="torrent"/>: the same piece
    /// count and number of files (otherwise null with a warning).
    /// </summary>
    public static ResumeData? TryLoad(string path, TorrentInfo torrent, ILogger? logger)
    {
        ArgumentNullException.ThrowIfNull(torrent);
        logger ??= NullLogger.Instance;
        var data = TryLoad(path, torrent.Hash, logger);
        if (data is null)
        {
            return null;
        }

        if (data.PieceCount != torrent.PieceCount || data.FileStamps.Count != torrent.Files.Count
            || (data.Selection is { } selection && selection.FileCount != torrent.Files.Count))
        {
            return Ignore(logger, path, $"it describes {data.PieceCount} pieces in {data.FileStamps.Count} files, the torrent has {torrent.PieceCount} in {torrent.Files.Count}");
        }

        return data;
    }

    /// <summary>Reads resume data from its bytes; null with <paramref name="problem"/> saying why when they are not good resume data for <paramref name="expected"/>.</summary>
    internal static ResumeData? Parse(ReadOnlyMemory<byte> bytes, InfoHash expected, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(expected);
        try
        {
            var data = Decode(bytes, expected, out problem);
            return problem is null ? data : null;
        }
        catch (BencodeException ex)
        {
            problem = $"it is not bencode ({ex.Message})";
            return null;
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException)
        {
            problem = $"it is damaged ({ex.Message})";
            return null;
        }
    }

    private static ResumeData? Decode(ReadOnlyMemory<byte> bytes, InfoHash expected, out string? problem)
    {
        var dict = BencodeDecoder.DecodeDictionary(bytes);
        problem = null;
        if (dict.Get<BencodeString>("checksum") is not { Length: PieceHash.Length } checksum)
        {
            problem = "it has no checksum";
            return null;
        }

        var body = BencodeEncoder.Encode(new BencodeDictionary(dict.Where(e => !e.Key.EqualsUtf8("checksum"u8))));
        if (!PieceHash.Matches(body, checksum.Span))
        {
            problem = "its checksum does not match: the file is damaged";
            return null;
        }

        var version = dict.Get<BencodeInteger>("version")?.Value;
        if (version != FormatVersion)
        {
            problem = version > FormatVersion ? $"it is of format {version}, written by a newer version" : "it has no known format version";
            return null;
        }

        if (dict.Get<BencodeString>("info hash") is not { Length: InfoHash.Length } hashBytes)
        {
            problem = "it has no info hash";
            return null;
        }

        var infoHash = new InfoHash(hashBytes.Span);
        if (infoHash != expected)
        {
            problem = $"it belongs to another torrent ({infoHash})";
            return null;
        }

        var pieces = dict.Get<BencodeInteger>("pieces")?.Value ?? -1;
        var verifiedBytes = dict.Get<BencodeString>("verified");
        if (pieces is < 0 or > int.MaxValue || verifiedBytes is null)
        {
            problem = "it has no piece count or no verified pieces";
            return null;
        }

        var verified = new Bitfield((int)pieces, verifiedBytes.Span);
        var stamps = new List<FileStamp>();
        foreach (var item in dict.Get<BencodeList>("files") ?? throw new FormatException("no file list"))
        {
            stamps.Add(ReadStamp(item));
        }

        ReadOnlyMemory<byte>? info = null;
        if (dict.Get<BencodeString>("info") is { } infoBytes)
        {
            if (InfoHash.Compute(infoBytes.Span) != expected)
            {
                problem = "its info dictionary does not match the info hash";
                return null;
            }

            info = infoBytes.Bytes.ToArray();
        }

        var tiers = new List<IReadOnlyList<string>>();
        foreach (var tier in (IEnumerable<BencodeValue>?)dict.Get<BencodeList>("trackers") ?? [])
        {
            tiers.Add(tier is BencodeList urls && urls.All(u => u is BencodeString)
                ? urls.Select(u => ((BencodeString)u).Text).ToArray()
                : throw new FormatException("a tracker tier is not a list of URLs"));
        }

        var generation = dict.Get<BencodeInteger>("generation")?.Value ?? 0;
        if (generation < 0)
        {
            throw new FormatException("the generation is negative");
        }

        FileSelection? selection = null;
        if (dict.Get<BencodeString>("priorities") is { } priorityBytes)
        {
            var priorities = new FilePriority[priorityBytes.Length];
            for (var i = 0; i < priorities.Length; i++)
            {
                var value = priorityBytes.Span[i];
                priorities[i] = value <= (byte)FilePriority.High ? (FilePriority)value : throw new FormatException($"file {i} has priority {value}");
            }

            selection = FileSelection.FromPriorities(priorities);
        }

        var recheck = dict.Get<BencodeString>("recheck") is { } recheckBytes ? new Bitfield((int)pieces, recheckBytes.Span) : new Bitfield((int)pieces);
        var partStamp = FileStamp.Missing;
        if (dict.Get<BencodeList>("part file") is { } part)
        {
            partStamp = ReadStamp(part);
        }

        return new ResumeData(infoHash, verified, stamps, info, tiers)
        {
            Generation = generation,
            Selection = selection,
            RecheckPieces = recheck,
            PartFileStamp = partStamp,
        };
    }

    private static FileStamp ReadStamp(BencodeValue item)
    {
        if (item is not BencodeList { Count: 2 } pair || pair[0] is not BencodeInteger { Value: >= -1 } length
            || pair[1] is not BencodeInteger { Value: >= 0 } ticks || ticks.Value > DateTime.MaxValue.Ticks)
        {
            throw new FormatException("a file entry is not [length, time]");
        }

        return length.Value < 0 ? FileStamp.Missing : new FileStamp(length.Value, new DateTime(ticks.Value, DateTimeKind.Utc));
    }

    private static BencodeList WriteStamp(FileStamp stamp) => new(
    [
        new BencodeInteger(stamp.Exists ? stamp.Length : -1),
        new BencodeInteger(stamp.Exists ? stamp.LastWriteTimeUtc.Ticks : 0),
    ]);

    private byte[] Encode(byte[]? checksum)
    {
        var entries = new List<KeyValuePair<string, BencodeValue>>
        {
            new("files", new BencodeList(FileStamps.Select(s => (BencodeValue)WriteStamp(s)))),
            new("info hash", new BencodeString(InfoHash.ToArray())),
            new("pieces", new BencodeInteger(_verified.Length)),
            new("verified", new BencodeString(_verified.ToArray())),
            new("version", new BencodeInteger(FormatVersion)),
        };
        if (checksum is not null)
        {
            entries.Add(new("checksum", new BencodeString(checksum)));
        }

        if (InfoDictionary is { } info)
        {
            entries.Add(new("info", new BencodeString(info)));
        }

        if (Generation > 0)
        {
            entries.Add(new("generation", new BencodeInteger(Generation)));
        }

        if (Selection is { } selection)
        {
            var priorities = new byte[selection.FileCount];
            for (var i = 0; i < priorities.Length; i++)
            {
                priorities[i] = (byte)selection[i];
            }

            entries.Add(new("priorities", new BencodeString(priorities)));
        }

        if (_recheck is { } recheck)
        {
            entries.Add(new("recheck", new BencodeString(recheck.ToArray())));
        }

        if (PartFileStamp.Exists)
        {
            entries.Add(new("part file", WriteStamp(PartFileStamp)));
        }

        if (TrackerTiers.Count > 0)
        {
            entries.Add(new("trackers", new BencodeList(TrackerTiers.Select(t => (BencodeValue)new BencodeList(t.Select(u => (BencodeValue)new BencodeString(u)))))));
        }

        return BencodeEncoder.Encode(new BencodeDictionary(entries));
    }

    private static ResumeData? Ignore(ILogger logger, string path, string reason)
    {
        logger.LogWarning("Ignoring the resume data at {Path}: {Reason}. The data on disk is checked again.", path, reason);
        return null;
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (StorageErrors.IsIOFault(ex))
        {
            // Left behind: a stray temporary file is harmless.
        }
    }
}
