using System.Security.Cryptography;
using TorrentPS.Cli;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Tests.Creation;

namespace TorrentPS.Engine.Tests.Cli;

public sealed class CreateVerbTests : IDisposable
{
    private readonly ContentFolder _content = new();

    public CreateVerbTests()
    {
        _content.Write("album/a.bin", 100_000, 1);
        _content.Write("album/sub/b.bin", 20_000, 2);
    }

    public void Dispose() => _content.Dispose();

    [Fact]
    public async Task Writes_a_v1_torrent_with_each_tracker_a_tier_and_prints_where_and_its_info_hash()
    {
        var target = _content.PathOf("album.torrent");

        var (exitCode, stdout, stderr) = await CliRunner.RunAsync("create", "-o", target, "--tracker", "http://127.0.0.1:1/a", "--tracker", "udp://127.0.0.1:2", _content.PathOf("album"));

        var torrent = await TorrentInfo.LoadAsync(target);
        Assert.Equal((0, string.Empty), (exitCode, stderr));
        Assert.Equal($"Created {target}.\nInfo Hash: {torrent.Hash.Hex}\n", stdout);
        Assert.Equal([["http://127.0.0.1:1/a"], ["udp://127.0.0.1:2"]], torrent.TrackerTiers);
        Assert.Equal(["a.bin", "sub/b.bin"], torrent.Files.Select(f => f.Path));
        Assert.False(torrent.IsHybrid || torrent.IsPrivate);
        Assert.Equal(16 * 1024, torrent.PieceLength); // the automatic rule for 120 kB
    }

    [Fact]
    public async Task With_hybrid_private_and_a_piece_length_it_prints_the_v2_info_hash_too()
    {
        var target = _content.PathOf("hybrid.torrent");

        var (exitCode, stdout, _) = await CliRunner.RunAsync("create", "--hybrid", "--private", "--piece-length", "32K", "-o", target, _content.PathOf("album"));

        var torrent = await TorrentInfo.LoadAsync(target);
        Assert.Equal(0, exitCode);
        Assert.True(torrent.IsHybrid && torrent.IsPrivate);
        Assert.Equal(32 * 1024, torrent.PieceLength);
        Assert.Equal(Convert.ToHexString(SHA256.HashData(torrent.GetRawInfo().Span)).ToLowerInvariant(), torrent.InfoHashV2);
        Assert.Equal($"Created {target}.\nInfo Hash: {torrent.Hash.Hex}\nInfo Hash v2: {torrent.InfoHashV2}\n", stdout);
    }

    [Theory]
    [InlineData("65536", 65536)]
    [InlineData("1M", 1024 * 1024)]
    [InlineData("16k", 16 * 1024)]
    public async Task The_piece_length_is_bytes_or_KiB_or_MiB(string given, long expected)
    {
        var target = _content.PathOf($"p{given}.torrent");
        var (exitCode, _, _) = await CliRunner.RunAsync("create", "--piece-length", given, "-o", target, _content.PathOf("album"));
        Assert.Equal(0, exitCode);
        Assert.Equal(expected, (await TorrentInfo.LoadAsync(target)).PieceLength);
    }

    [Theory]
    [InlineData("48K")]
    [InlineData("8K")]
    [InlineData("512M")]
    [InlineData("big")]
    public async Task A_piece_length_that_is_not_a_power_of_two_from_16K_to_256M_is_a_usage_error(string given)
    {
        var (exitCode, stdout, stderr) = await CliRunner.RunAsync("create", "--piece-length", given, "-o", _content.PathOf("x.torrent"), _content.PathOf("album"));
        Assert.Equal((2, string.Empty), (exitCode, stdout));
        Assert.Contains("--piece-length takes a power of two from 16K to 256M", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(_content.PathOf("x.torrent")));
    }

    [Fact]
    public async Task An_existing_file_is_left_alone_and_the_exit_code_is_1()
    {
        var target = _content.PathOf("taken.torrent");
        File.WriteAllText(target, "mine");

        var (exitCode, stdout, stderr) = await CliRunner.RunAsync("create", "-o", target, _content.PathOf("album"));

        Assert.Equal((1, string.Empty), (exitCode, stdout));
        Assert.StartsWith("tps create: ", stderr, StringComparison.Ordinal);
        Assert.Contains("already exists", stderr, StringComparison.Ordinal);
        Assert.Equal("mine", File.ReadAllText(target));
    }

    [Fact]
    public async Task A_missing_path_or_an_empty_folder_fails_with_one_line_and_writes_nothing()
    {
        _content.Folder("hollow/inner");
        foreach (var path in new[] { _content.PathOf("nothing"), _content.PathOf("hollow") })
        {
            var target = _content.PathOf("out.torrent");
            var (exitCode, stdout, stderr) = await CliRunner.RunAsync("create", "-o", target, path);
            Assert.Equal((1, string.Empty), (exitCode, stdout));
            Assert.Single(stderr.TrimEnd('\n').Split('\n'), l => l.StartsWith("tps create: ", StringComparison.Ordinal));
            Assert.False(File.Exists(target));
        }
    }

    [Fact]
    public void The_usage_line_lists_every_option()
        => Assert.Equal(
            "tps create <path> [-o <file.torrent>] [--tracker <URL>]... [--piece-length <bytes>] [--private] [--hybrid]",
            CliApp.Usage(CliApp.Verbs.Single(v => v.Command.Name == "create")));
}
