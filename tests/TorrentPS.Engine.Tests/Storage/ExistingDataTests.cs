using Microsoft.Extensions.Logging;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Storage;
using TorrentPS.Engine.Tests.Wire;

namespace TorrentPS.Engine.Tests.Storage;

public sealed class ExistingDataTests : IDisposable
{
    private readonly StorageTorrent _t = StorageTorrent.Multi(
        "e",
        1024,
        TestFile.Random("a.bin", 3000, 1),
        TestFile.Random("b.bin", 2500, 2),
        TestFile.Random("c.bin", 4000, 3));

    private readonly TestLoggerFactory _log = new();
    private readonly List<VerificationProgress> _progress = [];

    public void Dispose() => _t.Dispose();

    private ILogger Logger => _log.CreateLogger("test");

    private Task<Bitfield> Check() => ExistingData.CheckAsync(_t.Torrent, _t.Location, new Recorder(_progress), Logger, CancellationToken.None);

    /// <summary>Saves resume data as the engine does at a checkpoint: the pieces, then flush, then the stamps.</summary>
    private void Checkpoint(Bitfield verified)
    {
        using var store = new PieceStore(FileLayout.For(_t.Torrent), _t.Location);
        store.Flush();
        new ResumeData(_t.Torrent.Hash, verified, store.GetFileStamps()).Save(_t.Location.ResumePath);
    }

    /// <summary>All the data on disk and a checkpoint saying every piece is verified.</summary>
    private void CheckpointCompleteData()
    {
        _t.WriteContent();
        var all = new Bitfield(_t.Torrent.PieceCount);
        all.SetAll();
        Checkpoint(all);
    }

    private long HashedBytes => _progress.Count == 0 ? 0 : _progress.Max(p => p.BytesChecked);

    [Fact]
    public async Task Without_resume_data_whatever_exists_is_hashed()
    {
        _t.WriteContent();
        File.Delete(_t.PathOf(2));
        var verified = await Check();
        var (first, _) = FileLayout.For(_t.Torrent).GetPieceRange(2);
        Assert.Equal(Enumerable.Range(0, first), verified.Indexes()); // piece 5 holds the end of b.bin and the start of c.bin
        Assert.Equal(5 * 1024, HashedBytes);
    }

    [Fact]
    public async Task Trusted_resume_data_is_taken_without_hashing_anything()
    {
        CheckpointCompleteData();
        var verified = await Check();
        Assert.True(verified.IsComplete);
        Assert.Equal(0, HashedBytes);
    }

    [Fact]
    public async Task Pieces_the_resume_data_lacks_are_not_hashed_while_their_files_are_unchanged()
    {
        _t.WriteContent();
        var some = new Bitfield(_t.Torrent.PieceCount);
        some[1] = true;
        Checkpoint(some);
        Assert.Equal([1], (await Check()).Indexes());
        Assert.Equal(0, HashedBytes);
    }

    [Fact]
    public async Task A_file_touched_after_the_checkpoint_has_its_pieces_hashed_again()
    {
        CheckpointCompleteData();

        // b.bin (bytes 3000..5500: pieces 2 to 5) changes after the checkpoint: same length, new time, one byte flipped.
        var bytes = File.ReadAllBytes(_t.PathOf(1));
        bytes[1500] ^= 0x10; // content byte 4500: piece 4
        File.WriteAllBytes(_t.PathOf(1), bytes);
        File.SetLastWriteTimeUtc(_t.PathOf(1), DateTime.UtcNow.AddMinutes(5));

        var verified = await Check();
        Assert.Equal(Enumerable.Range(0, _t.Torrent.PieceCount).Where(p => p != 4), verified.Indexes());
        Assert.Equal(4 * 1024, HashedBytes);
    }

    [Fact]
    public async Task Only_the_time_changing_is_enough_to_distrust_a_file()
    {
        CheckpointCompleteData();
        File.SetLastWriteTimeUtc(_t.PathOf(0), File.GetLastWriteTimeUtc(_t.PathOf(0)).AddTicks(1));
        Assert.True((await Check()).IsComplete);
        Assert.Equal(3 * 1024, HashedBytes); // a.bin's pieces 0 to 2
    }

    [Fact]
    public async Task A_verified_piece_whose_file_is_gone_is_missing_without_reading()
    {
        CheckpointCompleteData();
        File.Delete(_t.PathOf(2));
        var verified = await Check();
        Assert.Equal(Enumerable.Range(0, 5), verified.Indexes());
        Assert.Equal(0, HashedBytes);
    }

    [Theory]
    [InlineData("truncated")]
    [InlineData("corrupt")]
    [InlineData("foreign")]
    public async Task Unusable_resume_data_is_ignored_and_the_data_checked_again(string damage)
    {
        _t.WriteContent();
        var nothing = new Bitfield(_t.Torrent.PieceCount);
        Checkpoint(nothing); // trusted, it would say that nothing is verified
        var bytes = File.ReadAllBytes(_t.Location.ResumePath);
        switch (damage)
        {
            case "truncated":
                bytes = bytes[..(bytes.Length / 2)];
                break;
            case "corrupt":
                bytes[bytes.Length / 2] ^= 0x20;
                break;
            default:
                using (var other = StorageTorrent.Single("o.bin", 100, 64))
                {
                    bytes = new ResumeData(other.Torrent.Hash, new Bitfield(2), [FileStamp.Missing]).ToBytes();
                }

                break;
        }

        File.WriteAllBytes(_t.Location.ResumePath, bytes);
        Assert.True((await Check()).IsComplete);
        Assert.Contains(_log.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("resume data", StringComparison.Ordinal));
    }

    private sealed class Recorder(List<VerificationProgress> reports) : IProgress<VerificationProgress>
    {
        public void Report(VerificationProgress value)
        {
            lock (reports)
            {
                reports.Add(value);
            }
        }
    }
}
