using TorrentPS.Cli;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Interop.Tests.Infrastructure;

namespace TorrentPS.Interop.Tests.Metainfo;

/// <summary>Torrents made by mktorrent and by libtorrent read the same by our engine and by libtorrent.</summary>
public sealed class GoldenTorrentTests(GoldenTorrents golden) : IClassFixture<GoldenTorrents>
{
    public static TheoryData<string> Names => new(GoldenTorrents.Names);

    public static TheoryData<string> SingleTrackerNames => new(GoldenTorrents.SingleTrackerNames);

    [Theory]
    [MemberData(nameof(Names))]
    public async Task Info_hash_matches_libtorrent(string name)
    {
        var torrent = await TorrentInfo.LoadAsync(golden.PathOf(name));
        var expected = golden.Libtorrent(name);
        Assert.Equal(expected.InfoHash, torrent.Hash.Hex);
        Assert.Equal(expected.InfoHash, Convert.ToHexString(torrent.Hash.ToArray()).ToLowerInvariant());
    }

    [Theory]
    [MemberData(nameof(Names))]
    public async Task Name_lengths_files_and_piece_counts_match_libtorrent(string name)
    {
        var torrent = await TorrentInfo.LoadAsync(golden.PathOf(name));
        var expected = golden.Libtorrent(name);
        Assert.Equal(expected.Name, torrent.Name);
        Assert.Equal(expected.TotalSize, torrent.Length);
        Assert.Equal(expected.PieceLength, torrent.PieceLength);
        Assert.Equal(expected.NumPieces, torrent.PieceCount);
        Assert.Equal(expected.Files.Length, torrent.Files.Count);
        for (var i = 0; i < expected.Files.Length; i++)
        {
            var file = torrent.Files[i];
            var path = torrent.IsMultiFile ? $"{torrent.Name}/{file.Path}" : file.Path;
            Assert.Equal(expected.Files[i].Path, path);
            Assert.Equal(expected.Files[i].Size, file.Length);
            Assert.Equal(expected.Files[i].Offset, file.Offset);
            Assert.Equal(expected.Files[i].Pad, file.IsPadding);
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public async Task Piece_hashes_and_the_last_piece_length_match_libtorrent(string name)
    {
        var torrent = await TorrentInfo.LoadAsync(golden.PathOf(name));
        var expected = golden.Libtorrent(name);
        Assert.Equal(expected.PieceHashes, torrent.GetPieceHashes());
        var lastLength = expected.TotalSize - (expected.PieceLength * (expected.NumPieces - 1));
        Assert.Equal(lastLength, torrent.GetPieceLength(torrent.PieceCount - 1));
    }

    [Fact]
    public async Task The_short_last_piece_is_really_short()
    {
        var torrent = await TorrentInfo.LoadAsync(golden.PathOf("single"));
        Assert.Equal(3, torrent.PieceCount);
        Assert.Equal(70_000 - (2 * 32_768), torrent.GetPieceLength(2));
        Assert.Equal(32_768, (await TorrentInfo.LoadAsync(golden.PathOf("exact"))).GetPieceLength(1));
    }

    [Fact]
    public async Task Tracker_tiers_private_flag_web_seeds_comment_and_creator_match_libtorrent()
    {
        var torrent = await TorrentInfo.LoadAsync(golden.PathOf("single"));
        var expected = golden.Libtorrent("single");

        // libtorrent shuffles the trackers inside a tier (BEP 12), so compare each tier as a set.
        var expectedTiers = expected.Trackers.GroupBy(t => t.Tier).OrderBy(g => g.Key).Select(g => g.Select(t => t.Url).Order().ToArray()).ToArray();
        Assert.Equal(expectedTiers, torrent.TrackerTiers.Select(t => t.Order().ToArray()).ToArray());
        Assert.Equal(2, torrent.TrackerTiers.Count);
        Assert.Equal("http://127.0.0.1:6969/a", torrent.Announce); // mktorrent writes the first -a URL as 'announce'
        Assert.Equal(expected.Private, torrent.IsPrivate);
        Assert.True(torrent.IsPrivate);
        Assert.Equal(expected.WebSeeds, torrent.WebSeeds);
        Assert.Equal(expected.Comment, torrent.Comment);
        Assert.Equal(expected.Creator, torrent.CreatedBy);
        Assert.Equal(expected.CreationDate, torrent.CreationDate?.ToUnixTimeSeconds());
    }

    [Theory]
    [MemberData(nameof(SingleTrackerNames))]
    public async Task Tps_info_prints_what_libtorrent_reports(string name)
    {
        var expected = golden.Libtorrent(name);
        var lines = new List<string>
        {
            $"Tracker URL: {expected.Trackers.Single().Url}",
            $"Length: {expected.TotalSize}",
            $"Info Hash: {expected.InfoHash}",
            $"Piece Length: {expected.PieceLength}",
            "Piece Hashes:",
        };
        lines.AddRange(expected.PieceHashes);
        if (expected.Files.Length > 1 || expected.Files[0].Path.Contains('/'))
        {
            lines.Add("Files:");
            lines.AddRange(expected.Files.Where(f => !f.Pad).Select(f => $"{f.Size} {f.Path}"));
        }

        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exitCode = await CliApp.RunAsync(["info", golden.PathOf(name)], stdout, stderr, CancellationToken.None);

        Assert.Equal(string.Empty, stderr.ToString());
        Assert.Equal(0, exitCode);
        Assert.Equal(string.Join("\n", lines) + "\n", stdout.ToString());
    }

    [Fact]
    public async Task Magnet_links_we_render_read_the_same_in_libtorrent()
    {
        var torrents = new List<TorrentInfo>();
        foreach (var name in GoldenTorrents.Names)
        {
            torrents.Add(await TorrentInfo.LoadAsync(golden.PathOf(name)));
        }

        var (_, magnets) = await LibtorrentMetainfo.ReadAsync(magnetUris: torrents.Select(t => t.ToMagnetLink().Uri));
        Assert.Equal(torrents.Count, magnets.Count);
        for (var i = 0; i < torrents.Count; i++)
        {
            Assert.Equal(torrents[i].Hash.Hex, magnets[i].InfoHash);
            Assert.Equal(torrents[i].Name, magnets[i].Name);
            Assert.Equal(torrents[i].Trackers.Order(), magnets[i].Trackers.Order());
            Assert.Equal(MagnetLink.Parse(magnets[i].Uri), torrents[i].ToMagnetLink());
        }
    }

    [Fact]
    public async Task A_libtorrent_hybrid_torrent_is_read_through_its_v1_part_with_its_padding_files()
    {
        var torrent = await TorrentInfo.LoadAsync(golden.PathOf("lt-hybrid"));
        var expected = golden.Libtorrent("lt-hybrid");
        Assert.True(expected.HasV1 && expected.HasV2);
        Assert.True(torrent.IsHybrid);
        Assert.Equal(expected.InfoHash, torrent.Hash.Hex);
        Assert.Contains(torrent.Files, f => f.IsPadding);
        Assert.Equal(expected.Files.Select(f => f.Pad), torrent.Files.Select(f => f.IsPadding));
        Assert.Equal(expected.TotalSize, torrent.Length);
        Assert.False((await TorrentInfo.LoadAsync(golden.PathOf("lt-v1"))).IsHybrid);
    }

    [Fact]
    public async Task A_libtorrent_v2_only_torrent_is_reported_as_not_supported_yet()
    {
        Assert.False(golden.Libtorrent(GoldenTorrents.V2Only).HasV1);
        var error = await Assert.ThrowsAsync<UnsupportedTorrentException>(() => TorrentInfo.LoadAsync(golden.PathOf(GoldenTorrents.V2Only)));
        Assert.Equal("UnsupportedTorrent", error.ErrorId);

        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exitCode = await CliApp.RunAsync(["info", golden.PathOf(GoldenTorrents.V2Only)], stdout, stderr, CancellationToken.None);
        Assert.Equal(1, exitCode);
        Assert.Equal(string.Empty, stdout.ToString());
        Assert.Contains("v2-only torrent (BEP 52), which is not supported yet", stderr.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public async Task Magnet_links_libtorrent_renders_parse_to_the_torrent(string name)
    {
        var torrent = await TorrentInfo.LoadAsync(golden.PathOf(name));
        var magnet = MagnetLink.Parse(golden.Libtorrent(name).MagnetUri);
        Assert.Equal(torrent.Hash, magnet.Hash);
        Assert.Equal(torrent.Name, magnet.DisplayName);
        Assert.Equal(torrent.Trackers.Order(), magnet.Trackers.Order());

        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        Assert.Equal(0, await CliApp.RunAsync(["magnet_parse", golden.Libtorrent(name).MagnetUri], stdout, stderr, CancellationToken.None));
        Assert.EndsWith($"Info Hash: {torrent.Hash.Hex}\n", stdout.ToString(), StringComparison.Ordinal);
    }
}
