using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Storage;

namespace TorrentPS.Engine.Tests.Storage;

/// <summary>The part file on its own: slots found again by a new reader, freed slots reused, a foreign or damaged file not trusted.</summary>
public sealed class PartFileTests : IDisposable
{
    private readonly StorageTorrent _t = StorageTorrent.Single("p.bin", 100, 16);

    public void Dispose() => _t.Dispose();

    private string PartPath => PartFile.PathFor(_t.Location);

    private PartFile Open(bool readOnly = false, InfoHash? infoHash = null) => new(PartPath, infoHash ?? _t.Torrent.Hash, 16, 7, readOnly);

    private static void Put(PartFile part, int piece, byte fill)
    {
        var handle = part.OpenForWriting(out _);
        RandomAccess.Write(handle, Enumerable.Repeat(fill, 16).ToArray(), part.SlotFor(piece));
    }

    [Fact]
    public void Slots_are_found_again_by_a_new_reader_and_freed_slots_are_reused()
    {
        using (var part = Open())
        {
            Put(part, 5, 0x55);
            Put(part, 2, 0x22);
            part.Free(5);
            Put(part, 6, 0x66); // takes slot 0, freed by piece 5
        }

        Assert.Equal(32 + (2 * (16 + 16)), new FileInfo(PartPath).Length);
        using (var part = Open(readOnly: true))
        {
            Assert.Equal([2, 6], part.Pieces);
            var buffer = new byte[16];
            Assert.Equal(16, part.Read(6, 0, buffer));
            Assert.All(buffer, b => Assert.Equal(0x66, b));
            Assert.Equal(4, part.Read(2, 12, buffer.AsSpan(0, 4)));
            Assert.Equal(-1, part.Read(5, 0, buffer));
        }

        using (var part = Open())
        {
            part.Free(2);
            part.Free(6);
            Assert.True(part.DeleteIfEmpty());
        }

        Assert.False(File.Exists(PartPath));
    }

    [Fact]
    public void A_part_file_of_another_torrent_is_not_read_and_is_started_again_for_writing()
    {
        using (var part = Open())
        {
            Put(part, 1, 0x11);
        }

        var other = new InfoHash(new byte[20]);
        using (var part = Open(readOnly: true, infoHash: other))
        {
            Assert.Empty(part.Pieces);
        }

        using (var part = Open(infoHash: other))
        {
            part.OpenForWriting(out var created);
            Assert.True(created);
            Assert.Empty(part.Pieces);
        }

        Assert.Equal(32, new FileInfo(PartPath).Length);
    }

    [Fact]
    public void A_slot_whose_header_is_damaged_is_free()
    {
        using (var part = Open())
        {
            Put(part, 3, 0x33);
            Put(part, 4, 0x44);
        }

        var bytes = File.ReadAllBytes(PartPath);
        bytes[32 + 4] ^= 0x01; // slot 0's check
        File.WriteAllBytes(PartPath, bytes);
        using (var part = Open(readOnly: true))
        {
            Assert.Equal([4], part.Pieces);
        }
    }
}
