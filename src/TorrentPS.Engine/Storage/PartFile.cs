using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;
using TorrentPS.Engine.Metainfo;

namespace TorrentPS.Engine.Storage;

/// <summary>
/// The part file: whole pieces that hold bytes of skipped files, kept in the resume folder
/// (<c>&lt;state folder&gt;/&lt;info hash hex&gt;.parts</c>) so that skipped files are never created. A piece shared by a
/// chosen and a skipped file is downloaded (the chosen file needs its bytes) and verified whole; the chosen file's bytes
/// go to that file and the whole piece to a slot here. When a skipped file is chosen later, its bytes are copied from
/// here into it (<see cref="PieceStore.ApplySelection"/>), and a slot no piece needs any more is freed; the file is
/// deleted when no slot is in use.
/// </summary>
/// <remarks>
/// <para>Layout: a 32-byte header (<c>TPSPART1</c>, the info hash, the piece length), then slots of
/// <c>16 + piece length</c> bytes: the slot's piece (index + 1, little-endian; 0 for a free slot), its complement as a
/// check, 8 reserved bytes, then the piece's bytes. A slot's header is written before its data; a slot whose data a
/// crash cut short fails its piece's hash, and a piece is trusted only when verified.</para>
/// <para>Thread-safe: the slot map is guarded by a lock; I/O is positional. The caller (the piece store) serialises
/// writes with its change tracking.</para>
/// </remarks>
internal sealed class PartFile : IDisposable
{
    private const int HeaderLength = 32;
    private const int SlotHeaderLength = 16;
    private static ReadOnlySpan<byte> Magic => "TPSPART1"u8;

    private readonly object _gate = new();
    private readonly InfoHash _infoHash;
    private readonly int _pieceLength;
    private readonly int _pieceCount;
    private readonly bool _readOnly;
    private readonly Dictionary<int, int> _slots = [];
    private readonly SortedSet<int> _free = [];
    private int _slotCount;
    private SafeFileHandle? _handle;
    private bool _loaded;

    public PartFile(string path, InfoHash infoHash, int pieceLength, int pieceCount, bool readOnly)
    {
        Path = path;
        _infoHash = infoHash;
        _pieceLength = pieceLength;
        _pieceCount = pieceCount;
        _readOnly = readOnly;
    }

    public string Path { get; }

    private long SlotLength => SlotHeaderLength + (long)_pieceLength;

    /// <summary>The part file of the torrent at <paramref name="location"/>.</summary>
    public static string PathFor(ContentLocation location) => System.IO.Path.Combine(location.StateFolder, location.InfoHash.Hex + ".parts");

    /// <summary>The pieces that have a slot, ascending. Reads the file's slot headers the first time.</summary>
    public int[] Pieces
    {
        get
        {
            lock (_gate)
            {
                LoadLocked();
                var pieces = _slots.Keys.ToArray();
                Array.Sort(pieces);
                return pieces;
            }
        }
    }

    /// <summary>Whether piece <paramref name="piece"/> has a slot.</summary>
    public bool Has(int piece)
    {
        lock (_gate)
        {
            LoadLocked();
            return _slots.ContainsKey(piece);
        }
    }

    /// <summary>Whether any slot is in use.</summary>
    public bool IsEmpty
    {
        get
        {
            lock (_gate)
            {
                LoadLocked();
                return _slots.Count == 0;
            }
        }
    }

    /// <summary>
    /// Reads <paramref name="destination"/>'s length of bytes at <paramref name="begin"/> in piece
    /// <paramref name="piece"/>'s slot. Returns how many bytes are present from the start, or -1 when the piece has no slot.
    /// </summary>
    public int Read(int piece, int begin, Span<byte> destination)
    {
        SafeFileHandle handle;
        long offset;
        lock (_gate)
        {
            LoadLocked();
            if (_handle is null || !_slots.TryGetValue(piece, out var slot))
            {
                return -1;
            }

            handle = _handle;
            offset = DataOffset(slot) + begin;
        }

        var total = 0;
        while (total < destination.Length)
        {
            var read = RandomAccess.Read(handle, destination[total..], offset + total);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return total;
    }

    /// <summary>
    /// The handle to write through, opening (and creating) the file when needed; <paramref name="created"/> when this
    /// call made it (or started it again). The caller holds its write gate.
    /// </summary>
    public SafeFileHandle OpenForWriting(out bool created)
    {
        lock (_gate)
        {
            created = LoadLocked();
            if (_handle is null)
            {
                Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
                _handle = File.OpenHandle(Path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
                RandomAccess.SetLength(_handle, 0);
                RandomAccess.Write(_handle, Header(), 0);
                created = true;
            }

            return _handle;
        }
    }

    /// <summary>
    /// Where piece <paramref name="piece"/>'s bytes go: its slot's data offset, allocating (and writing the header of) a
    /// slot when it has none. Call with the handle from <see cref="OpenForWriting"/>, under the caller's write gate.
    /// </summary>
    public long SlotFor(int piece)
    {
        lock (_gate)
        {
            LoadLocked();
            if (_slots.TryGetValue(piece, out var slot))
            {
                return DataOffset(slot);
            }

            if (_free.Count > 0)
            {
                slot = _free.Min;
                _free.Remove(slot);
            }
            else
            {
                slot = _slotCount++;
            }

            Span<byte> header = stackalloc byte[SlotHeaderLength];
            header.Clear();
            BinaryPrimitives.WriteInt32LittleEndian(header, piece + 1);
            BinaryPrimitives.WriteInt32LittleEndian(header[4..], ~(piece + 1));
            RandomAccess.Write(_handle!, header, HeaderOffset(slot));
            _slots[piece] = slot;
            return DataOffset(slot);
        }
    }

    /// <summary>Frees piece <paramref name="piece"/>'s slot (its header is cleared, the space reused). Under the caller's write gate.</summary>
    public void Free(int piece)
    {
        lock (_gate)
        {
            LoadLocked();
            if (_readOnly || _handle is null || !_slots.Remove(piece, out var slot))
            {
                return;
            }

            RandomAccess.Write(_handle, new byte[SlotHeaderLength], HeaderOffset(slot));
            _free.Add(slot);
        }
    }

    /// <summary>Deletes the file when no slot is in use; returns whether it is gone. Under the caller's write gate.</summary>
    public bool DeleteIfEmpty()
    {
        lock (_gate)
        {
            LoadLocked();
            if (_slots.Count > 0 || _readOnly)
            {
                return false;
            }

            _handle?.Dispose();
            _handle = null;
            _free.Clear();
            _slotCount = 0;
            File.Delete(Path);
            return true;
        }
    }

    /// <summary>Flushes the file to the disk (checkpoints).</summary>
    public void Flush()
    {
        SafeFileHandle? handle;
        lock (_gate)
        {
            handle = _readOnly ? null : _handle;
        }

        if (handle is not null)
        {
            RandomAccess.FlushToDisk(handle);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _handle?.Dispose();
            _handle = null;
        }
    }

    private long HeaderOffset(int slot) => HeaderLength + (slot * SlotLength);

    private long DataOffset(int slot) => HeaderOffset(slot) + SlotHeaderLength;

    private byte[] Header()
    {
        var header = new byte[HeaderLength];
        Magic.CopyTo(header);
        _infoHash.ToArray().CopyTo(header, Magic.Length);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(Magic.Length + InfoHash.Length), _pieceLength);
        return header;
    }

    /// <summary>
    /// Opens an existing file and reads its slot headers, once. A file of another torrent or piece length, or damaged
    /// in its header, is not used: for writing it is started again empty (returns true then: the file was rewritten).
    /// </summary>
    private bool LoadLocked()
    {
        if (_loaded)
        {
            return false;
        }

        _loaded = true;
        if (!File.Exists(Path))
        {
            return false;
        }

        var access = _readOnly ? FileAccess.Read : FileAccess.ReadWrite;
        var handle = File.OpenHandle(Path, FileMode.Open, access, FileShare.ReadWrite | FileShare.Delete);
        var length = RandomAccess.GetLength(handle);
        Span<byte> header = stackalloc byte[HeaderLength];
        if (length < HeaderLength || RandomAccess.Read(handle, header, 0) != HeaderLength || !header.SequenceEqual(Header()))
        {
            if (_readOnly)
            {
                handle.Dispose();
                return false;
            }

            RandomAccess.SetLength(handle, 0);
            RandomAccess.Write(handle, Header(), 0);
            _handle = handle;
            return true;
        }

        _handle = handle;
        Span<byte> slotHeader = stackalloc byte[SlotHeaderLength];
        for (var slot = 0; HeaderOffset(slot) + SlotHeaderLength <= length; slot++)
        {
            _slotCount = slot + 1;
            var read = RandomAccess.Read(handle, slotHeader, HeaderOffset(slot));
            var tag = read == SlotHeaderLength ? BinaryPrimitives.ReadInt32LittleEndian(slotHeader) : 0;
            var check = read == SlotHeaderLength ? BinaryPrimitives.ReadInt32LittleEndian(slotHeader[4..]) : 0;
            if (tag > 0 && tag <= _pieceCount && check == ~tag && !_slots.ContainsKey(tag - 1))
            {
                _slots[tag - 1] = slot;
            }
            else
            {
                _free.Add(slot);
            }
        }

        return false;
    }
}
