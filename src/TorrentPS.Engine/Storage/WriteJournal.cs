using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;
using TorrentPS.Engine.Metainfo;

namespace TorrentPS.Engine.Storage;

/// <summary>
/// What our own writes did since the last checkpoint, kept beside the resume data
/// (<c>&lt;state folder&gt;/&lt;info hash hex&gt;.writes</c>) so that a restart after the process was killed can tell its
/// own writes from anyone else's. For each file (and the part file) it holds the stamp our last write left, with the
/// generation of the checkpoint it follows and whether a change by someone else was noticed; and for each piece whether
/// it was written in this run.
/// </summary>
/// <remarks>
/// <para>Why: a checkpoint records each file's stamp, and the download goes on writing after it, so after a kill -9 the
/// stamp of every file still being written differs from the record. Without this journal a restart cannot tell that
/// from a change by another program and must hash every such file again (it did: every piece of a one-file torrent).
/// With it, a file whose stamp is exactly what our last journalled write left was changed only by us since the record,
/// and we only ever write pieces that were not verified: the record's pieces stay trusted, and the pieces written after
/// it (marked here) are hashed instead of fetched again.</para>
/// <para>Entries are written with positional writes and never flushed: they survive the process being killed (the
/// page cache holds them), which is what they are for. After a power failure an entry may be lost or stale, and then the
/// stamp does not match and the file is hashed: the journal can only spare work, never vouch for data the record does
/// not list (the record's data is flushed before the record is written).</para>
/// <para>Layout: a 40-byte header (<c>TPSWRIT1</c>, the info hash, the number of stamp slots, the number of pieces, 4
/// reserved bytes); one 32-byte slot per file and one for the part file (generation, length (-1: no file), last write
/// time in ticks, flags (1: changed by someone else), a check over all of it); then one byte per piece (1: written).</para>
/// </remarks>
internal sealed class WriteJournal : IDisposable
{
    private const int HeaderLength = 40;
    private const int SlotLength = 32;
    private const int TaintedFlag = 1;
    private static ReadOnlySpan<byte> Magic => "TPSWRIT1"u8;

    private readonly SafeFileHandle _handle;
    private readonly int _sourceCount;
    private readonly byte[] _written;

    private WriteJournal(string path, SafeFileHandle handle, int sourceCount, int pieceCount)
    {
        Path = path;
        _handle = handle;
        _sourceCount = sourceCount;
        _written = new byte[pieceCount];
    }

    public string Path { get; }

    /// <summary>The journal of the torrent at <paramref name="location"/>.</summary>
    public static string PathFor(ContentLocation location) => System.IO.Path.Combine(location.StateFolder, location.InfoHash.Hex + ".writes");

    /// <summary>Starts an empty journal at <paramref name="path"/> (replacing what was there), for a run's writes.</summary>
    public static WriteJournal Create(string path, InfoHash infoHash, int sourceCount, int pieceCount)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        var handle = File.OpenHandle(path, FileMode.Create, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        try
        {
            RandomAccess.Write(handle, Header(infoHash, sourceCount, pieceCount), 0);
            RandomAccess.SetLength(handle, HeaderLength + ((long)sourceCount * SlotLength) + pieceCount);
            return new WriteJournal(path, handle, sourceCount, pieceCount);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Reads the journal at <paramref name="path"/>; null when there is none or it is for another torrent or shape.
    /// Slots that fail their check (never written, or cut short) are null.
    /// </summary>
    public static Contents? TryRead(string path, InfoHash infoHash, int sourceCount, int pieceCount)
    {
        byte[] bytes;
        try
        {
            var info = new FileInfo(path);
            var expected = HeaderLength + ((long)sourceCount * SlotLength) + pieceCount;
            if (!info.Exists || info.Length != expected)
            {
                return null;
            }

            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (StorageErrors.IsIOFault(ex))
        {
            return null;
        }

        if (bytes.Length < HeaderLength || !bytes.AsSpan(0, HeaderLength).SequenceEqual(Header(infoHash, sourceCount, pieceCount)))
        {
            return null;
        }

        var entries = new Entry?[sourceCount];
        for (var source = 0; source < sourceCount; source++)
        {
            var slot = bytes.AsSpan(HeaderLength + (source * SlotLength), SlotLength);
            var generation = BinaryPrimitives.ReadInt64LittleEndian(slot);
            var length = BinaryPrimitives.ReadInt64LittleEndian(slot[8..]);
            var ticks = BinaryPrimitives.ReadInt64LittleEndian(slot[16..]);
            var flags = BinaryPrimitives.ReadInt32LittleEndian(slot[24..]);
            var check = BinaryPrimitives.ReadInt32LittleEndian(slot[28..]);
            if (check != Check(source, generation, length, ticks, flags) || length < -1 || ticks < 0 || ticks > DateTime.MaxValue.Ticks)
            {
                continue;
            }

            var stamp = length < 0 ? FileStamp.Missing : new FileStamp(length, new DateTime(ticks, DateTimeKind.Utc));
            entries[source] = new Entry(generation, stamp, (flags & TaintedFlag) != 0);
        }

        var written = new Bitfield(pieceCount);
        var markers = bytes.AsSpan(HeaderLength + (sourceCount * SlotLength));
        for (var piece = 0; piece < pieceCount; piece++)
        {
            written[piece] = markers[piece] != 0;
        }

        return new Contents(entries, written);
    }

    /// <summary>Records the stamp our write to <paramref name="source"/> left. Called under that source's write gate, right after the write.</summary>
    public void RecordStamp(int source, long generation, FileStamp stamp, bool tainted)
    {
        Span<byte> slot = stackalloc byte[SlotLength];
        var length = stamp.Exists ? stamp.Length : -1;
        var ticks = stamp.Exists ? stamp.LastWriteTimeUtc.Ticks : 0;
        var flags = tainted ? TaintedFlag : 0;
        BinaryPrimitives.WriteInt64LittleEndian(slot, generation);
        BinaryPrimitives.WriteInt64LittleEndian(slot[8..], length);
        BinaryPrimitives.WriteInt64LittleEndian(slot[16..], ticks);
        BinaryPrimitives.WriteInt32LittleEndian(slot[24..], flags);
        BinaryPrimitives.WriteInt32LittleEndian(slot[28..], Check(source, generation, length, ticks, flags));
        RandomAccess.Write(_handle, slot, HeaderLength + ((long)source * SlotLength));
    }

    /// <summary>Records that piece <paramref name="piece"/> was written (once per piece).</summary>
    public void MarkWritten(int piece)
    {
        if (Volatile.Read(ref _written[piece]) != 0)
        {
            return;
        }

        Volatile.Write(ref _written[piece], 1);
        RandomAccess.Write(_handle, _written.AsSpan(piece, 1), HeaderLength + ((long)_sourceCount * SlotLength) + piece);
    }

    /// <summary>Closes and deletes the journal (after the final checkpoint: the record then says everything).</summary>
    public void Delete()
    {
        _handle.Dispose();
        File.Delete(Path);
    }

    public void Dispose() => _handle.Dispose();

    private static byte[] Header(InfoHash infoHash, int sourceCount, int pieceCount)
    {
        var header = new byte[HeaderLength];
        Magic.CopyTo(header);
        infoHash.ToArray().CopyTo(header, Magic.Length);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(Magic.Length + InfoHash.Length), sourceCount);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(Magic.Length + InfoHash.Length + 4), pieceCount);
        return header;
    }

    /// <summary>A check over a slot's fields: a slot never written (zeros), torn or of another index fails it.</summary>
    private static int Check(int source, long generation, long length, long ticks, int flags)
    {
        var h = Mix(0x9E3779B97F4A7C15UL ^ (ulong)source);
        h = Mix(h ^ (ulong)generation);
        h = Mix(h ^ (ulong)length);
        h = Mix(h ^ (ulong)ticks);
        h = Mix(h ^ (ulong)flags);
        return (int)h;
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>What a journal held: per source the last stamp our writes left (null when none), and the pieces written.</summary>
    internal sealed record Contents(Entry?[] Stamps, Bitfield Written);

    /// <summary>One source's slot: the checkpoint generation the write followed, the stamp it left, and whether someone else changed the file meanwhile.</summary>
    internal readonly record struct Entry(long Generation, FileStamp Stamp, bool Tainted);
}
