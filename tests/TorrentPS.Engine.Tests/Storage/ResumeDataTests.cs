using Microsoft.Extensions.Logging;
using TorrentPS.Engine.Bencode;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Storage;
using TorrentPS.Engine.Tests.Wire;

namespace TorrentPS.Engine.Tests.Storage;

public sealed class ResumeDataTests : IDisposable
{
    private readonly StorageTorrent _t = StorageTorrent.Multi("r", 16, TestFile.Random("a.bin", 40, 1), TestFile.Padding(8), TestFile.Random("b/c.bin", 30, 2));
    private readonly TestLoggerFactory _log = new();

    public void Dispose() => _t.Dispose();

    private string Path => _t.Location.ResumePath;

    private ResumeData Sample(bool withInfo = true)
    {
        var verified = new Bitfield(_t.Torrent.PieceCount);
        verified[0] = true;
        verified[4] = true;
        FileStamp[] stamps = [new(40, new DateTime(2024, 5, 6, 7, 8, 9, 123, DateTimeKind.Utc).AddTicks(4567)), FileStamp.Missing, FileStamp.Missing];
        return new ResumeData(_t.Torrent.Hash, verified, stamps, withInfo ? _t.Torrent.GetRawInfo() : null, [["http://127.0.0.1:1/a", "udp://127.0.0.2:2"], ["http://127.0.0.3:3/b"]]);
    }

    private void AssertIgnoredWith(string reason, ResumeData? loaded)
    {
        Assert.Null(loaded);
        Assert.Contains(_log.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains(reason, StringComparison.Ordinal) && e.Message.Contains(Path, StringComparison.Ordinal));
    }

    [Fact]
    public void Saved_resume_data_loads_back_the_same()
    {
        var saved = Sample();
        saved.Save(Path);
        var loaded = ResumeData.TryLoad(Path, _t.Torrent, _log.CreateLogger("test"));
        Assert.NotNull(loaded);
        Assert.Equal(saved.InfoHash, loaded.InfoHash);
        Assert.Equal(saved.VerifiedPieces.ToArray(), loaded.VerifiedPieces.ToArray());
        Assert.Equal([0, 4], loaded.VerifiedPieces.Indexes());
        Assert.Equal(saved.FileStamps, loaded.FileStamps);
        Assert.Equal(_t.Torrent.GetRawInfo().ToArray(), loaded.InfoDictionary!.Value.ToArray());
        Assert.Equal(saved.TrackerTiers, loaded.TrackerTiers);
        Assert.DoesNotContain(_log.Entries, e => e.Level >= LogLevel.Warning);

        // The info dictionary it keeps is enough to restart a magnet download.
        Assert.Equal(_t.Torrent.Hash, TorrentInfo.FromInfoDictionary(loaded.InfoDictionary.Value, loaded.TrackerTiers).Hash);
    }

    [Fact]
    public void Info_dictionary_and_trackers_are_optional()
    {
        var data = new ResumeData(_t.Torrent.Hash, new Bitfield(_t.Torrent.PieceCount), [FileStamp.Missing, FileStamp.Missing, FileStamp.Missing]);
        data.Save(Path);
        var loaded = ResumeData.TryLoad(Path, _t.Torrent.Hash, _log.CreateLogger("test"))!;
        Assert.Null(loaded.InfoDictionary);
        Assert.Empty(loaded.TrackerTiers);
        Assert.True(loaded.VerifiedPieces.IsEmpty);
    }

    [Fact]
    public void The_caller_changing_its_bitfield_later_does_not_change_the_data()
    {
        var live = new Bitfield(_t.Torrent.PieceCount);
        var data = new ResumeData(_t.Torrent.Hash, live, [FileStamp.Missing, FileStamp.Missing, FileStamp.Missing]);
        live[2] = true;
        Assert.False(data.IsVerified(2));
    }

    [Fact]
    public void Saving_is_atomic_replaces_the_old_file_and_leaves_no_temporary_file()
    {
        Sample().Save(Path);
        var second = new ResumeData(_t.Torrent.Hash, new Bitfield(_t.Torrent.PieceCount), [FileStamp.Missing, FileStamp.Missing, FileStamp.Missing]);
        second.Save(Path);
        Assert.Equal(second.ToBytes(), File.ReadAllBytes(Path));
        Assert.Equal([Path], Directory.GetFiles(System.IO.Path.GetDirectoryName(Path)!));
    }

    [Fact]
    public void The_selection_generation_pieces_to_recheck_and_part_file_load_back_the_same()
    {
        var recheck = new Bitfield(_t.Torrent.PieceCount);
        recheck[2] = true;
        var selection = FileSelection.All(3).WithPriority(0, FilePriority.Skip).WithPriority(2, FilePriority.High);
        var part = new FileStamp(1234, new DateTime(2025, 1, 2, 3, 4, 5, DateTimeKind.Utc).AddTicks(77));
        var saved = new ResumeData(_t.Torrent.Hash, new Bitfield(_t.Torrent.PieceCount), [FileStamp.Missing, FileStamp.Missing, FileStamp.Missing])
        {
            Generation = 42,
            Selection = selection,
            RecheckPieces = recheck,
            PartFileStamp = part,
        };
        saved.Save(Path);
        var loaded = ResumeData.TryLoad(Path, _t.Torrent, _log.CreateLogger("test"))!;
        Assert.Equal(42, loaded.Generation);
        Assert.Equal(selection, loaded.Selection);
        Assert.Equal([2], loaded.RecheckPieces.Indexes());
        Assert.Equal(part, loaded.PartFileStamp);
    }

    [Fact]
    public void A_record_without_the_later_keys_has_no_selection_generation_0_and_nothing_to_recheck()
    {
        Sample().Save(Path);
        var loaded = ResumeData.TryLoad(Path, _t.Torrent, _log.CreateLogger("test"))!;
        Assert.Null(loaded.Selection);
        Assert.Equal(0, loaded.Generation);
        Assert.True(loaded.RecheckPieces.IsEmpty);
        Assert.Equal(FileStamp.Missing, loaded.PartFileStamp);
        Assert.DoesNotContain("priorities", System.Text.Encoding.Latin1.GetString(Sample().ToBytes()), StringComparison.Ordinal);
    }

    [Fact]
    public void A_priority_out_of_range_or_a_selection_for_other_files_is_ignored()
    {
        AssertIgnoredWith("priority 9", Load(Rewrite(Sample(), "priorities", new BencodeString(new byte[] { 2, 9, 2 }))));
        AssertIgnoredWith("pieces in", Load(Rewrite(Sample(), "priorities", new BencodeString(new byte[] { 2, 2 }))));
    }

    [Fact]
    public void A_missing_file_is_null_without_a_warning()
    {
        Assert.Null(ResumeData.TryLoad(Path, _t.Torrent, _log.CreateLogger("test")));
        Assert.DoesNotContain(_log.Entries, e => e.Level >= LogLevel.Warning);
    }

    [Fact]
    public void Every_truncation_of_the_file_is_ignored_with_a_warning()
    {
        var bytes = Sample().ToBytes();
        Directory.CreateDirectory(_t.Location.StateFolder);
        for (var length = 0; length < bytes.Length; length++)
        {
            File.WriteAllBytes(Path, bytes[..length]);
            Assert.Null(ResumeData.TryLoad(Path, _t.Torrent, _log.CreateLogger("test")));
        }

        Assert.Equal(bytes.Length, _log.Entries.Count(e => e.Level == LogLevel.Warning));
    }

    [Fact]
    public void Every_flipped_byte_is_ignored_with_a_warning()
    {
        var bytes = Sample().ToBytes();
        Directory.CreateDirectory(_t.Location.StateFolder);
        for (var i = 0; i < bytes.Length; i++)
        {
            var damaged = (byte[])bytes.Clone();
            damaged[i] ^= 0x01;
            File.WriteAllBytes(Path, damaged);
            Assert.Null(ResumeData.TryLoad(Path, _t.Torrent, _log.CreateLogger("test")));
        }
    }

    [Fact]
    public void Random_garbage_is_ignored_and_never_throws()
    {
        var random = new Random(11);
        var good = Sample().ToBytes();
        for (var i = 0; i < 2000; i++)
        {
            var bytes = random.Next(3) == 0 ? new byte[random.Next(0, 200)] : good[..random.Next(good.Length)];
            random.NextBytes(bytes.AsSpan(random.Next(bytes.Length + 1)));
            Assert.Null(ResumeData.Parse(bytes, _t.Torrent.Hash, out var problem));
            Assert.False(string.IsNullOrEmpty(problem));
        }
    }

    [Fact]
    public void Resume_data_of_another_torrent_is_ignored_as_foreign()
    {
        using var other = StorageTorrent.Single("other.bin", 40, 16);
        new ResumeData(other.Torrent.Hash, new Bitfield(other.Torrent.PieceCount), [FileStamp.Missing]).Save(Path);
        AssertIgnoredWith("another torrent", ResumeData.TryLoad(Path, _t.Torrent, _log.CreateLogger("test")));
    }

    [Fact]
    public void Resume_data_with_the_wrong_piece_or_file_count_is_ignored()
    {
        new ResumeData(_t.Torrent.Hash, new Bitfield(_t.Torrent.PieceCount + 1), [FileStamp.Missing, FileStamp.Missing, FileStamp.Missing]).Save(Path);
        AssertIgnoredWith("pieces", ResumeData.TryLoad(Path, _t.Torrent, _log.CreateLogger("test")));
        new ResumeData(_t.Torrent.Hash, new Bitfield(_t.Torrent.PieceCount), [FileStamp.Missing]).Save(Path);
        Assert.Null(ResumeData.TryLoad(Path, _t.Torrent, _log.CreateLogger("test")));
    }

    [Fact]
    public void A_newer_format_or_a_mismatched_info_dictionary_is_ignored()
    {
        AssertIgnoredWith("newer version", Load(Rewrite(Sample(), "version", new BencodeInteger(ResumeData.FormatVersion + 1))));
        AssertIgnoredWith("does not match the info hash", Load(Rewrite(Sample(), "info", new BencodeString("d4:name1:xe"))));
    }

    [Fact]
    public void A_resume_path_blocked_by_a_file_fails_with_a_typed_error()
    {
        Directory.CreateDirectory(_t.Folder);
        File.WriteAllText(_t.Location.StateFolder, "a file where the state folder goes");
        var error = Assert.Throws<StorageException>(() => Sample().Save(Path));
        Assert.Equal(("PathIsFile", _t.Location.StateFolder), (error.ErrorId, error.Path));
    }

    private ResumeData? Load(byte[] bytes)
    {
        Directory.CreateDirectory(_t.Location.StateFolder);
        File.WriteAllBytes(Path, bytes);
        return ResumeData.TryLoad(Path, _t.Torrent, _log.CreateLogger("test"));
    }

    /// <summary>The data's bytes with one key replaced and a correct checksum, so only that key is wrong.</summary>
    private static byte[] Rewrite(ResumeData data, string key, BencodeValue value)
    {
        var dict = BencodeDecoder.DecodeDictionary(data.ToBytes());
        var body = dict.Where(e => e.Key.Text is not "checksum" && e.Key.Text != key).Append(new(new BencodeString(key), value)).ToList();
        var checksum = System.Security.Cryptography.SHA1.HashData(BencodeEncoder.Encode(new BencodeDictionary(body)));
        return BencodeEncoder.Encode(new BencodeDictionary(body.Append(new(new BencodeString("checksum"), new BencodeString(checksum)))));
    }
}
