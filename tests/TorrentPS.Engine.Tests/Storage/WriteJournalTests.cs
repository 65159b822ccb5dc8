using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Storage;

namespace TorrentPS.Engine.Tests.Storage;

/// <summary>The write journal: what our writes left on each file, read back after the process is gone; anything damaged or foreign is not used.</summary>
public sealed class WriteJournalTests : IDisposable
{
    private readonly StorageTorrent _t = StorageTorrent.Single("j.bin", 100, 16);

    public void Dispose() => _t.Dispose();

    private string JournalPath => WriteJournal.PathFor(_t.Location);

    [Fact]
    public void Stamps_and_written_pieces_read_back_and_slots_never_written_are_empty()
    {
        var stamp = new FileStamp(100, new DateTime(2025, 3, 4, 5, 6, 7, DateTimeKind.Utc).AddTicks(3));
        using (var journal = WriteJournal.Create(JournalPath, _t.Torrent.Hash, 2, 7))
        {
            journal.RecordStamp(0, 5, stamp, tainted: false);
            journal.RecordStamp(0, 6, stamp with { Length = 101 }, tainted: true);
            journal.MarkWritten(3);
            journal.MarkWritten(6);
            journal.MarkWritten(3);
        }

        var read = WriteJournal.TryRead(JournalPath, _t.Torrent.Hash, 2, 7)!;
        Assert.Equal(new WriteJournal.Entry(6, stamp with { Length = 101 }, true), read.Stamps[0]);
        Assert.Null(read.Stamps[1]);
        Assert.Equal([3, 6], read.Written.Indexes());
    }

    [Fact]
    public void A_journal_of_another_torrent_or_shape_or_a_damaged_slot_is_not_used()
    {
        using (var journal = WriteJournal.Create(JournalPath, _t.Torrent.Hash, 2, 7))
        {
            journal.RecordStamp(1, 1, new FileStamp(5, DateTime.UnixEpoch), tainted: false);
        }

        Assert.Null(WriteJournal.TryRead(JournalPath, new InfoHash(new byte[20]), 2, 7));
        Assert.Null(WriteJournal.TryRead(JournalPath, _t.Torrent.Hash, 3, 7));
        Assert.Null(WriteJournal.TryRead(JournalPath, _t.Torrent.Hash, 2, 8));
        Assert.Null(WriteJournal.TryRead(Path.Combine(_t.Folder, "none.writes"), _t.Torrent.Hash, 2, 7));

        var bytes = File.ReadAllBytes(JournalPath);
        bytes[40 + 32 + 9] ^= 0x04; // slot 1's length
        File.WriteAllBytes(JournalPath, bytes);
        Assert.Null(WriteJournal.TryRead(JournalPath, _t.Torrent.Hash, 2, 7)!.Stamps[1]);
    }
}
