using System.Buffers;
using System.Numerics;
using System.Security.Cryptography;
using TorrentPS.Engine.Rates;
using TorrentPS.Engine.Storage;

namespace TorrentPS.Engine.Creation;

/// <summary>
/// Hashes new content the way <see cref="TorrentVerifier"/> checks existing content, on the same machinery
/// (<see cref="PieceRuns"/>): runs of pieces of about one large read each, taken in order by one worker per core, each
/// reading its run front to back and hashing its pieces as their last byte arrives. Every v1 piece gets its SHA-1; in a
/// hybrid torrent every 16 KiB block of a file also gets its SHA-256 in the same pass, and each piece's blocks are
/// reduced at once to the piece's merkle root (BEP 52's piece layer), so memory holds 32 bytes per piece, not per block.
/// </summary>
internal sealed class ContentHasher(TorrentVerifierOptions options)
{
    /// <summary>Hashes <paramref name="layout"/>'s content; reports file bytes hashed from the worker threads.</summary>
    /// <exception cref="Errors.TorrentPSException">ContentChanged, or a <see cref="StorageException"/> when a file cannot be read.</exception>
    public async Task<ContentHashes> HashAsync(CreationLayout layout, IProgress<TorrentCreationProgress>? progress, CancellationToken cancellationToken)
    {
        var files = layout.Files;
        var runs = PieceRuns.Plan(files, _ => true, options.ReadSize, out var total);
        var pass = new Pass(layout, layout.Scan.TotalLength, progress);
        progress?.Report(new TorrentCreationProgress(0, pass.Total));
        using (var reader = new SourceReader(layout))
        {
            var workers = total < options.ParallelThreshold ? 1 : Math.Clamp(options.MaxParallelism, 1, Math.Max(1, runs.Count));
            await PieceRuns.RunAsync(runs, workers, () => new Worker(pass, reader, options.ReadSize), cancellationToken).ConfigureAwait(false);
        }

        return new ContentHashes(pass.Pieces, layout.IsHybrid ? pass.FileRoots() : null, pass.FilePieceHashes);
    }

    /// <summary>One hashing pass's shared state: the results, written by the workers at distinct places, and the bytes done.</summary>
    private sealed class Pass
    {
        private readonly IProgress<TorrentCreationProgress>? _progress;
        private readonly ProgressRate _rate = new();
        private long _hashed;

        public Pass(CreationLayout layout, long total, IProgress<TorrentCreationProgress>? progress)
        {
            Layout = layout;
            Total = total;
            _progress = progress;
            var files = layout.Files;
            Pieces = new byte[checked(files.PieceCount * PieceHash.Length)];
            PieceBlocks = (int)(layout.PieceLength / MerkleTree.BlockLength);
            if (!layout.IsHybrid)
            {
                return;
            }

            // Each piece of a hybrid holds one file's bytes (then padding): which file, and where its v2 hashes go.
            PieceFile = new int[files.PieceCount];
            FileOffsets = new long[layout.Scan.Files.Count];
            FilePieceHashes = new byte[layout.Scan.Files.Count][];
            foreach (var entry in layout.Entries)
            {
                if (entry.IsPadding || entry.Length == 0)
                {
                    continue;
                }

                FileOffsets[entry.SourceIndex] = entry.Offset;
                var first = (int)(entry.Offset / layout.PieceLength);
                var count = (int)(((entry.Length - 1) / layout.PieceLength) + 1);
                FilePieceHashes[entry.SourceIndex] = new byte[count * MerkleTree.HashLength];
                PieceFile.AsSpan(first, count).Fill(entry.SourceIndex);
            }
        }

        public CreationLayout Layout { get; }

        public long Total { get; }

        /// <summary>The v1 piece hashes, 20 bytes each.</summary>
        public byte[] Pieces { get; }

        /// <summary>16 KiB blocks in a full piece.</summary>
        public int PieceBlocks { get; }

        /// <summary>Hybrid: the content file each piece belongs to.</summary>
        public int[] PieceFile { get; } = [];

        /// <summary>Hybrid: where each content file starts in the v1 view.</summary>
        public long[] FileOffsets { get; } = [];

        /// <summary>Hybrid: each content file's piece layer (32 bytes per piece); null for an empty file.</summary>
        public byte[]?[]? FilePieceHashes { get; }

        public void Report(int fileBytes)
        {
            var done = Interlocked.Add(ref _hashed, fileBytes);
            if (_progress is not null)
            {
                var (rate, remaining) = _rate.Update(done, Total);
                _progress.Report(new TorrentCreationProgress(done, Total, rate, remaining));
            }
        }

        /// <summary>Each content file's v2 root (null for an empty file): its piece layer reduced, padded with subtrees of zeros.</summary>
        public byte[]?[] FileRoots()
        {
            var roots = new byte[]?[FilePieceHashes!.Length];
            Span<byte> pad = stackalloc byte[MerkleTree.HashLength];
            MerkleTree.PadHash(BitOperations.Log2((uint)PieceBlocks), pad);
            for (var file = 0; file < roots.Length; file++)
            {
                if (FilePieceHashes[file] is not { } layer)
                {
                    continue;
                }

                var root = new byte[MerkleTree.HashLength];
                var count = layer.Length / MerkleTree.HashLength;
                if (count == 1)
                {
                    layer.CopyTo(root, 0); // a file of one piece: its piece root is its root
                }
                else
                {
                    MerkleTree.Root(layer.AsSpan().ToArray(), count, MerkleTree.Width(count), pad, root);
                }

                roots[file] = root;
            }

            return roots;
        }
    }

    /// <summary>One thread's buffer and hash states.</summary>
    private sealed class Worker : PieceRunWorker
    {
        private readonly Pass _pass;
        private readonly SourceReader _reader;
        private readonly int _readSize;
        private readonly byte[] _buffer;
        private readonly IncrementalHash _sha1 = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
        private readonly IncrementalHash? _sha256;
        private readonly byte[] _leaves = [];
        private int _leafCount;
        private int _blockFilled;

        public Worker(Pass pass, SourceReader reader, int readSize)
        {
            _pass = pass;
            _reader = reader;
            _readSize = readSize;
            _buffer = ArrayPool<byte>.Shared.Rent(readSize);
            if (pass.Layout.IsHybrid)
            {
                _sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                _leaves = new byte[pass.PieceBlocks * MerkleTree.HashLength];
            }
        }

        /// <summary>Reads pieces <paramref name="first"/> to <paramref name="last"/> front to back and hashes each as its last byte arrives.</summary>
        public override void Process(int first, int last, CancellationToken stop, CancellationToken cancellationToken)
        {
            var files = _pass.Layout.Files;
            var offset = files.GetPieceOffset(first);
            var end = files.GetPieceOffset(last) + files.GetPieceSize(last);
            var buffer = _buffer.AsSpan(0, _readSize);
            var piece = first;
            var pieceFilled = 0;
            while (offset < end)
            {
                cancellationToken.ThrowIfCancellationRequested();
                stop.ThrowIfCancellationRequested();
                var want = (int)Math.Min(buffer.Length, end - offset);
                var fileBytes = _reader.ReadAt(offset, buffer[..want]);
                var data = buffer[..want];
                while (data.Length > 0)
                {
                    var pieceSize = files.GetPieceSize(piece);
                    var take = Math.Min(data.Length, pieceSize - pieceFilled);
                    _sha1.AppendData(data[..take]);
                    if (_sha256 is not null)
                    {
                        AppendBlocks(piece, pieceFilled, data[..take]);
                    }

                    pieceFilled += take;
                    data = data[take..];
                    if (pieceFilled == pieceSize)
                    {
                        _sha1.TryGetHashAndReset(_pass.Pieces.AsSpan(piece * PieceHash.Length, PieceHash.Length), out _);
                        if (_sha256 is not null)
                        {
                            CompleteV2Piece(piece);
                        }

                        piece++;
                        pieceFilled = 0;
                    }
                }

                _pass.Report(fileBytes);
                offset += want;
            }
        }

        public override void Dispose()
        {
            _sha1.Dispose();
            _sha256?.Dispose();
            ArrayPool<byte>.Shared.Return(_buffer);
            base.Dispose();
        }

        /// <summary>Hashes the file bytes among <paramref name="data"/> (at <paramref name="position"/> in piece <paramref name="piece"/>) into 16 KiB leaves; padding is skipped.</summary>
        private void AppendBlocks(int piece, int position, ReadOnlySpan<byte> data)
        {
            var file = _pass.PieceFile[piece];
            var fileEnd = _pass.FileOffsets[file] + _pass.Layout.Scan.Files[file].Length;
            var fileBytesInPiece = (int)Math.Min(_pass.Layout.PieceLength, fileEnd - _pass.Layout.Files.GetPieceOffset(piece));
            if (position >= fileBytesInPiece)
            {
                return;
            }

            data = data[..Math.Min(data.Length, fileBytesInPiece - position)];
            while (data.Length > 0)
            {
                if (_blockFilled == 0 && data.Length >= MerkleTree.BlockLength)
                {
                    SHA256.HashData(data[..MerkleTree.BlockLength], NextLeaf());
                    data = data[MerkleTree.BlockLength..];
                    continue;
                }

                var take = Math.Min(MerkleTree.BlockLength - _blockFilled, data.Length);
                _sha256!.AppendData(data[..take]);
                _blockFilled += take;
                data = data[take..];
                if (_blockFilled == MerkleTree.BlockLength)
                {
                    FinishBlock();
                }
            }
        }

        /// <summary>The piece's merkle root from its leaves (a short last block hashed over the bytes it has), stored in its file's piece layer.</summary>
        private void CompleteV2Piece(int piece)
        {
            if (_blockFilled > 0)
            {
                FinishBlock();
            }

            var file = _pass.PieceFile[piece];
            var fileLength = _pass.Layout.Scan.Files[file].Length;

            // A file smaller than a piece is a tree only as wide as its own blocks need; a larger one's pieces are full subtrees.
            var fileBlocks = ((fileLength - 1) / MerkleTree.BlockLength) + 1;
            var width = Math.Min(_pass.PieceBlocks, MerkleTree.Width(fileBlocks));
            var index = (int)((_pass.Layout.Files.GetPieceOffset(piece) - _pass.FileOffsets[file]) / _pass.Layout.PieceLength);
            Span<byte> zeros = stackalloc byte[MerkleTree.HashLength];
            zeros.Clear();
            MerkleTree.Root(_leaves, _leafCount, width, zeros, _pass.FilePieceHashes![file].AsSpan(index * MerkleTree.HashLength, MerkleTree.HashLength));
            _leafCount = 0;
        }

        private Span<byte> NextLeaf() => _leaves.AsSpan(_leafCount++ * MerkleTree.HashLength, MerkleTree.HashLength);

        private void FinishBlock()
        {
            _sha256!.TryGetHashAndReset(NextLeaf(), out _);
            _blockFilled = 0;
        }
    }
}

/// <summary>What hashing new content yields: the v1 piece hashes and, for a hybrid, each content file's v2 root and piece layer.</summary>
internal sealed record ContentHashes(byte[] Pieces, byte[]?[]? FileRoots, byte[]?[]? FilePieceHashes);
