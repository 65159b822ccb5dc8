using TorrentPS.Engine.Bencode;
using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Metainfo;

namespace TorrentPS.Engine.Tests.Metainfo;

public sealed class TorrentFileWriterTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"tps-export-{Guid.NewGuid():N}");

    public TorrentFileWriterTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static TorrentInfo Torrent(Func<TestTorrent, TestTorrent>? change = null)
    {
        var torrent = TestTorrent.SingleFile("export.bin", TestTorrent.Content(100), pieceLength: 32);
        return TorrentInfo.Parse((change?.Invoke(torrent) ?? torrent).ToBytes());
    }

    private static BencodeDictionary Root(byte[] file) => Assert.IsType<BencodeDictionary>(BencodeDecoder.Decode(file));

    private static string Text(BencodeDictionary root, string key)
        => root.TryGetValue(key, out var value) ? Assert.IsType<BencodeString>(value).Text : throw new KeyNotFoundException(key);

    [Fact]
    public void Dht_nodes_are_read_bounded_and_skipping_malformed_entries_and_written_back()
    {
        var nodes = TestTorrent.List(
            TestTorrent.List(TestTorrent.Str("127.0.0.2"), TestTorrent.Int(6881)),
            TestTorrent.List(TestTorrent.Str("::1"), TestTorrent.Int(6882)),
            TestTorrent.List(TestTorrent.Str("router.example"), TestTorrent.Int(6881)),
            TestTorrent.List(TestTorrent.Str("bad host"), TestTorrent.Int(1)),
            TestTorrent.List(TestTorrent.Str("127.0.0.3"), TestTorrent.Int(0)),
            TestTorrent.List(TestTorrent.Int(1), TestTorrent.Int(2)),
            TestTorrent.Str("127.0.0.4:1"));
        var original = Torrent(t => t.Root("nodes", nodes));

        Assert.Equal(["127.0.0.2:6881", "[::1]:6882", "router.example:6881"], original.DhtNodes);
        Assert.Equal(original.DhtNodes, TorrentInfo.Parse(TorrentFileWriter.Encode(original)).DhtNodes);
        Assert.Empty(Torrent().DhtNodes);

        var many = TestTorrent.List(Enumerable.Range(1, 500).Select(i => (BencodeValue)TestTorrent.List(TestTorrent.Str("127.0.1.1"), TestTorrent.Int(i))).ToArray());
        Assert.Equal(64, Torrent(t => t.Root("nodes", many)).DhtNodes.Count);
    }

    [Fact]
    public void The_info_dictionary_is_written_byte_for_byte_so_the_info_hash_is_the_same()
    {
        // An unknown key in the info dictionary is part of the hash: re-encoding the parsed fields would lose it.
        var original = Torrent(t => t.Info("x-private-note", TestTorrent.Str("kept")));

        var written = TorrentInfo.Parse(TorrentFileWriter.Encode(original));

        Assert.Equal(original.Hash, written.Hash);
        Assert.Equal(original.GetRawInfo().ToArray(), written.GetRawInfo().ToArray());
        Assert.Equal((original.Name, original.Length, original.PieceCount), (written.Name, written.Length, written.PieceCount));
    }

    [Fact]
    public void One_tracker_is_written_as_announce_alone()
    {
        var root = Root(TorrentFileWriter.Encode(Torrent()));

        Assert.Equal("http://127.0.0.1:6969/announce", Text(root, "announce"));
        Assert.False(root.ContainsKey("announce-list"));
    }

    [Fact]
    public void Several_trackers_are_written_as_announce_and_an_announce_list_of_their_tiers()
    {
        var tiers = TestTorrent.List(
            TestTorrent.List(TestTorrent.Str("udp://127.0.0.2:1/announce"), TestTorrent.Str("http://127.0.0.3:2/announce")),
            TestTorrent.List(TestTorrent.Str("http://127.0.0.4:3/announce")));
        var original = Torrent(t => t.Root("announce-list", tiers));

        var written = TorrentInfo.Parse(TorrentFileWriter.Encode(original));

        Assert.Equal(original.TrackerTiers, written.TrackerTiers);
        Assert.Equal("udp://127.0.0.2:1/announce", written.Announce);
    }

    [Fact]
    public void Metadata_fetched_for_a_magnet_link_is_written_with_the_links_trackers()
    {
        var source = Torrent();
        var fetched = TorrentInfo.FromInfoDictionary(source.GetRawInfo(), [["udp://127.0.0.5:1/announce"], ["http://127.0.0.6:2/announce"]]);

        var root = Root(TorrentFileWriter.Encode(fetched));
        var written = TorrentInfo.Parse(TorrentFileWriter.Encode(fetched));

        Assert.Equal(source.Hash, written.Hash);
        Assert.Equal("udp://127.0.0.5:1/announce", Text(root, "announce"));
        Assert.Equal([["udp://127.0.0.5:1/announce"], ["http://127.0.0.6:2/announce"]], written.TrackerTiers);
    }

    [Fact]
    public void Metadata_without_trackers_has_no_announce_key()
    {
        var fetched = TorrentInfo.FromInfoDictionary(Torrent().GetRawInfo());

        var root = Root(TorrentFileWriter.Encode(fetched));

        Assert.Equal(["info"], root.Keys.Select(k => k.Text));
    }

    [Fact]
    public void Comment_creator_creation_date_and_web_seeds_are_kept_in_canonical_key_order()
    {
        var original = Torrent(t => t
            .Root("comment", TestTorrent.Str("made for a test"))
            .Root("created by", TestTorrent.Str("mktorrent 1.1"))
            .Root("creation date", TestTorrent.Int(1700000000))
            .Root("url-list", TestTorrent.List(TestTorrent.Str("http://127.0.0.7/files/"))));

        var bytes = TorrentFileWriter.Encode(original);
        var written = TorrentInfo.Parse(bytes);

        Assert.Equal(("made for a test", "mktorrent 1.1"), (written.Comment, written.CreatedBy));
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1700000000), written.CreationDate);
        Assert.Equal(["http://127.0.0.7/files/"], written.WebSeeds);

        // The file is canonical bencode: decoding and encoding again gives the same bytes.
        Assert.Equal(bytes, BencodeEncoder.Encode(BencodeDecoder.Decode(bytes)));
    }

    [Fact]
    public async Task Saving_writes_the_file_and_leaves_nothing_else_beside_it()
    {
        var path = Path.Combine(_folder, "saved.torrent");

        await TorrentFileWriter.SaveAsync(Torrent(), path, overwrite: false);

        Assert.Equal(TorrentFileWriter.Encode(Torrent()), File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFiles(_folder));
    }

    [Fact]
    public async Task Saving_over_an_existing_file_fails_with_FileExists_and_leaves_it_alone_unless_overwrite()
    {
        var path = Path.Combine(_folder, "there.torrent");
        File.WriteAllText(path, "precious");

        var error = await Assert.ThrowsAsync<TorrentPSException>(() => TorrentFileWriter.SaveAsync(Torrent(), path, overwrite: false));

        Assert.Equal(("FileExists", TorrentErrorKind.ResourceExists), (error.ErrorId, error.Kind));
        Assert.Equal("precious", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(_folder));

        await TorrentFileWriter.SaveAsync(Torrent(), path, overwrite: true);
        Assert.Equal(Torrent().Hash, (await TorrentInfo.LoadAsync(path)).Hash);
    }
}
