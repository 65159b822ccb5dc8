using TorrentPS.Engine.Metainfo;

namespace TorrentPS.Engine.Storage;

/// <summary>
/// What a check of a torrent's data found: which pieces are valid, which exist but fail their hash, which lack data, and
/// each file's state. Immutable; property names are made for Format-Table (Test-Torrent -Detailed emits it).
/// </summary>
public sealed class VerificationResult
{
    internal VerificationResult(
        TorrentInfo torrent,
        ContentLocation location,
        Bitfield validPieces,
        int[] invalidPieces,
        int[] missingPieces,
        FileVerification[] files,
        TimeSpan elapsed,
        long bytesChecked,
        FileSelection? selection = null,
        Bitfield? wantedPieces = null)
    {
        Name = torrent.Name;
        Hash = torrent.Hash;
        TorrentPath = torrent.SourcePath;
        ContentPath = location.ContentPath;
        ValidPieceBits = validPieces;
        InvalidPieces = invalidPieces;
        MissingPieces = missingPieces;
        Files = files;
        ElapsedSpan = elapsed;
        BytesChecked = bytesChecked;
        Selection = selection;
        IsComplete = Covers(validPieces, wantedPieces) && Array.TrueForAll(files, f => f.IsComplete || f.IsSkipped);
    }

    public string Name { get; }

    /// <summary>The info hash as 40 lowercase hex digits.</summary>
    public string InfoHash => Hash.Hex;

    internal InfoHash Hash { get; }

    /// <summary>
    /// Every piece is valid and every file exists at its full length; with a <see cref="Selection"/>, every piece of the
    /// chosen files and every chosen file (skipped files are absent by choice).
    /// </summary>
    public bool IsComplete { get; }

    /// <summary>The files the check was limited to; null when it covered every file.</summary>
    public FileSelection? Selection { get; }

    public int PieceCount => ValidPieceBits.Length;

    public int ValidPieceCount => ValidPieceBits.Count;

    /// <summary>The pieces whose data is present and matches its hash.</summary>
    internal Bitfield ValidPieceBits { get; }

    /// <summary>Pieces whose data is present but fails its hash, ascending.</summary>
    public IReadOnlyList<int> InvalidPieces { get; }

    /// <summary>
    /// Pieces with data absent, ascending: a file missing or too short, or nothing but zeros where the piece should be
    /// (never written: a hole in a sparse file).
    /// </summary>
    public IReadOnlyList<int> MissingPieces { get; }

    /// <summary>Each file of the torrent (padding files left out).</summary>
    public IReadOnlyList<FileVerification> Files { get; }

    /// <summary>How long the check took, in seconds.</summary>
    public double Elapsed => ElapsedSpan.TotalSeconds;

    internal TimeSpan ElapsedSpan { get; }

    /// <summary>The bytes read and hashed.</summary>
    public long BytesChecked { get; }

    /// <summary>The single file of the torrent, or its top folder, on disk.</summary>
    public string ContentPath { get; }

    /// <summary>The .torrent file, when the torrent came from one.</summary>
    public string? TorrentPath { get; }

    public override string ToString() => $"{Name}: {ValidPieceCount}/{PieceCount} pieces valid";

    private static bool Covers(Bitfield valid, Bitfield? wanted)
    {
        if (wanted is null)
        {
            return valid.IsComplete;
        }

        for (var piece = wanted.NextIndex(0); piece >= 0; piece = wanted.NextIndex(piece + 1))
        {
            if (!valid[piece])
            {
                return false;
            }
        }

        return true;
    }
}
