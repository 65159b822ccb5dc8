using TorrentPS.Engine.Bencode;

namespace TorrentPS.Engine.Metainfo;

/// <summary>
/// Everything a .torrent file says (BEP 3, with BEP 12 tiers, BEP 19 web seeds, BEP 27 private flag, BEP 47 padding
/// files, and of a BEP 52 hybrid its v2 info hash and piece layers). Immutable; property names are made for Format-Table
/// and Where-Object.
/// </summary>
public sealed class TorrentInfo
{
    private readonly ReadOnlyMemory<byte> _pieceHashes;
    private IReadOnlyList<string>? _trackers;
    private readonly ReadOnlyMemory<byte> _rawInfo;
    private readonly ReadOnlyMemory<byte> _rawPieceLayers;

    internal TorrentInfo(
        InfoHash infoHash,
        string name,
        long pieceLength,
        ReadOnlyMemory<byte> pieceHashes,
        IReadOnlyList<TorrentFile> files,
        bool isMultiFile,
        IReadOnlyList<IReadOnlyList<string>> trackerTiers,
        IReadOnlyList<string> webSeeds,
        bool isPrivate,
        DateTimeOffset? creationDate,
        string? comment,
        string? createdBy,
        bool isHybrid,
        ReadOnlyMemory<byte> rawInfo,
        string? sourcePath,
        string? source = null,
        string? infoHashV2 = null,
        ReadOnlyMemory<byte> rawPieceLayers = default)
    {
        Hash = infoHash;
        InfoHash = infoHash.Hex;
        Name = name;
        PieceLength = pieceLength;
        _pieceHashes = pieceHashes;
        Files = files;
        IsMultiFile = isMultiFile;
        TrackerTiers = trackerTiers;
        WebSeeds = webSeeds;
        IsPrivate = isPrivate;
        CreationDate = creationDate;
        Comment = comment;
        CreatedBy = createdBy;
        IsHybrid = isHybrid;
        _rawInfo = rawInfo;
        SourcePath = sourcePath;
        Source = source;
        InfoHashV2 = infoHashV2;
        _rawPieceLayers = rawPieceLayers;
        long length = 0;
        foreach (var file in files)
        {
            length += file.Length;
        }

        Length = length;
    }

    /// <summary>The suggested name: the file name of a single-file torrent, the folder name of a multi-file one (sanitised).</summary>
    public string Name { get; }

    /// <summary>The v1 info hash as 40 lowercase hex digits: what <c>-InfoHash</c> takes, and text in <c>ConvertTo-Json</c>.</summary>
    public string InfoHash { get; }

    /// <summary>The v1 info hash, typed: what the engine keys torrents by.</summary>
    internal InfoHash Hash { get; }

    /// <summary>
    /// The BEP 52 (v2) info hash of a hybrid torrent: the SHA-256 of its info dictionary, as 64 lowercase hex digits; null
    /// for a v1 torrent. What v2 clients and <c>urn:btmh:</c> magnet links name the torrent by.
    /// </summary>
    public string? InfoHashV2 { get; }

    /// <summary>Total content length in bytes, padding files included.</summary>
    public long Length { get; }

    public long PieceLength { get; }

    public int PieceCount => _pieceHashes.Length / 20;

    /// <summary>Piece hashes as lowercase hex, one per piece; each string is made when it is read (a torrent may have millions).</summary>
    /// <remarks>A method, not a property: a large torrent's hashes would swamp <c>Format-List *</c> and <c>ConvertTo-Json</c>.</remarks>
    public IReadOnlyList<string> GetPieceHashes() => new PieceHashList(this);

    public IReadOnlyList<TorrentFile> Files { get; }

    public int FileCount => Files.Count;

    public bool IsMultiFile { get; }

    /// <summary>The first tracker: <c>announce</c>, or the first of the first tier when only <c>announce-list</c> is given.</summary>
    public string? Announce => TrackerTiers.Count > 0 ? TrackerTiers[0][0] : null;

    /// <summary>BEP 12 tiers: <c>announce-list</c> when present (empty tiers dropped), else one tier holding <c>announce</c>.</summary>
    public IReadOnlyList<IReadOnlyList<string>> TrackerTiers { get; }

    /// <summary>Every tracker URL, tier by tier, without duplicates.</summary>
    public IReadOnlyList<string> Trackers => _trackers ??= TrackerTiers.SelectMany(t => t).Distinct(StringComparer.Ordinal).ToArray();

    /// <summary>BEP 19 <c>url-list</c> web seeds.</summary>
    public IReadOnlyList<string> WebSeeds { get; }

    /// <summary>
    /// BEP 5 <c>nodes</c>: DHT nodes the torrent's author named (<c>host:port</c>), where a trackerless torrent's DHT lookup
    /// can start. Empty when there are none.
    /// </summary>
    public IReadOnlyList<string> DhtNodes { get; private set; } = [];

    /// <summary>Sets <see cref="DhtNodes"/> once, as the parser builds the torrent.</summary>
    internal TorrentInfo WithDhtNodes(IReadOnlyList<string> nodes)
    {
        DhtNodes = nodes;
        return this;
    }

    /// <summary>BEP 27: peers come only from the torrent's trackers (no DHT, no PEX).</summary>
    public bool IsPrivate { get; }

    public DateTimeOffset? CreationDate { get; }

    public string? Comment { get; }

    public string? CreatedBy { get; }

    /// <summary>A BEP 52 hybrid torrent, read through its v1 part.</summary>
    public bool IsHybrid { get; }

    /// <summary>The info dictionary's <c>source</c> (a tag some private trackers ask for; it changes the info hash).</summary>
    public string? Source { get; }

    /// <summary>The info dictionary exactly as it stands in the file (what ut_metadata serves).</summary>
    /// <remarks>A method, not a property: raw bytes have no place in <c>Format-List *</c> or <c>ConvertTo-Json</c> output.</remarks>
    public ReadOnlyMemory<byte> GetRawInfo() => _rawInfo;

    /// <summary>
    /// A hybrid torrent's bencoded <c>piece layers</c> dictionary (BEP 52: the v2 piece hashes of each file larger than a
    /// piece, kept outside the info dictionary) exactly as it stood in the file; empty when there is none. Kept so that
    /// writing the torrent again (<see cref="TorrentFileWriter"/>) keeps what v2 clients need.
    /// </summary>
    internal ReadOnlyMemory<byte> GetRawPieceLayers() => _rawPieceLayers;

    /// <summary>The file this torrent was read from, when it came from a file.</summary>
    public string? SourcePath { get; }

    /// <summary>The length of piece <paramref name="index"/> (the last piece may be shorter).</summary>
    public long GetPieceLength(int index)
    {
        if ((uint)index >= (uint)PieceCount)
        {
            throw new ArgumentOutOfRangeException(nameof(index));
        }

        return index == PieceCount - 1 ? Length - (PieceLength * index) : PieceLength;
    }

    /// <summary>The 20-byte SHA-1 of piece <paramref name="index"/>.</summary>
    public ReadOnlySpan<byte> GetPieceHash(int index) => _pieceHashes.Span.Slice(index * 20, 20);

    public MagnetLink ToMagnetLink() => new(Hash, Name, Trackers, [], WebSeeds, Length);

    public override string ToString() => $"{Name} ({Hash})";

    /// <summary>Reads a .torrent file: at most <see cref="BencodeReaderOptions.MaxInputLength"/> bytes, whatever the file is
    /// (an endless device or a pipe too), and the token stops the reading and the parsing.</summary>
    /// <exception cref="FileNotFoundException">No file exists at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidTorrentException">The file is not bencode, or not a usable torrent.</exception>
    /// <exception cref="UnsupportedTorrentException">The file is a v2-only torrent.</exception>
    public static async Task<TorrentInfo> LoadAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            if (Directory.Exists(info.FullName))
            {
                throw new InvalidTorrentException("it is a folder, not a .torrent file", info.FullName);
            }

            throw new FileNotFoundException($"The torrent file '{path}' does not exist.", info.FullName);
        }

        var limit = BencodeReaderOptions.Default.MaxInputLength;
        var bytes = await BencodeFile.TryReadAsync(info.FullName, limit, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidTorrentException($"the file is larger than {limit} bytes, larger than any torrent this engine reads", info.FullName);
        return Parse(bytes, info.FullName, cancellationToken);
    }

    /// <summary>Parses the bytes of a .torrent file.</summary>
    /// <exception cref="BencodeException">The bytes are not bencode (the offset says where): kept distinct from
    /// <see cref="InvalidTorrentException"/> so a user can tell a file that is no bencode at all (often an HTML error page)
    /// from bencode that is not a usable torrent.</exception>
    /// <exception cref="InvalidTorrentException">The bytes are bencode but not a usable torrent.</exception>
    /// <exception cref="UnsupportedTorrentException">The bytes are a v2-only torrent.</exception>
    public static TorrentInfo Parse(ReadOnlyMemory<byte> data, string? sourcePath = null)
        => Parse(data, sourcePath, CancellationToken.None);

    /// <summary>Parses the bytes of a .torrent file; the token stops the work part-way (a large torrent takes a while).</summary>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public static TorrentInfo Parse(ReadOnlyMemory<byte> data, string? sourcePath, CancellationToken cancellationToken)
        => TorrentInfoParser.Parse(DecodeDictionary(data, sourcePath, cancellationToken), sourcePath, cancellationToken);

    /// <summary>Builds a torrent from an info dictionary alone, as fetched with ut_metadata from a magnet link.</summary>
    /// <exception cref="BencodeException">The bytes are not bencode.</exception>
    /// <exception cref="InvalidTorrentException">The bytes are not a usable info dictionary.</exception>
    public static TorrentInfo FromInfoDictionary(ReadOnlyMemory<byte> rawInfo, IReadOnlyList<IReadOnlyList<string>>? trackerTiers = null)
        => TorrentInfoParser.ParseInfo(DecodeDictionary(rawInfo, null, CancellationToken.None), trackerTiers ?? [], null);

    private static BencodeDictionary DecodeDictionary(ReadOnlyMemory<byte> data, string? sourcePath, CancellationToken cancellationToken)
    {
        BencodeValue value;
        try
        {
            value = BencodeDecoder.Decode(data, null, cancellationToken);
        }
        catch (BencodeException ex)
        {
            throw ex.WithSource(sourcePath);
        }

        return value as BencodeDictionary
               ?? throw new InvalidTorrentException("not a torrent: the file is bencode but not a dictionary", sourcePath);
    }

    /// <summary>The piece hashes as hex strings, made one at a time on demand: no memory held for millions of pieces.</summary>
    private sealed class PieceHashList(TorrentInfo torrent) : IReadOnlyList<string>
    {
        public int Count => torrent.PieceCount;

        public string this[int index] => Convert.ToHexString(torrent.GetPieceHash(index)).ToLowerInvariant();

        public IEnumerator<string> GetEnumerator()
        {
            for (var i = 0; i < Count; i++)
            {
                yield return this[i];
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
