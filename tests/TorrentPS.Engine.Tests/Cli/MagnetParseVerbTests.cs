using TorrentPS.Engine.Metainfo;

namespace TorrentPS.Engine.Tests.Cli;

public class MagnetParseVerbTests
{
    private const string Hex = "ad42ce8109f54c99613ce38f9b4d87e70f24a165";

    [Fact]
    public async Task Prints_the_tracker_and_the_info_hash()
    {
        var (exitCode, stdout, stderr) = await CliRunner.RunAsync(
            "magnet_parse", $"magnet:?xt=urn:btih:{Hex}&dn=magnet1.gif&tr=http%3A%2F%2F127.0.0.1%3A6969%2Fannounce");
        Assert.Equal(0, exitCode);
        Assert.Equal($"Tracker URL: http://127.0.0.1:6969/announce\nInfo Hash: {Hex}\n", stdout);
        Assert.Equal(string.Empty, stderr);
    }

    [Fact]
    public async Task Prints_a_base32_hash_as_hex_and_every_tracker()
    {
        var base32 = InfoHash.Parse(Hex).ToBase32();
        var (exitCode, stdout, _) = await CliRunner.RunAsync(
            "magnet_parse", $"magnet:?xt=urn:btih:{base32}&tr=http://127.0.0.1:1/a&tr=udp%3A%2F%2F127.0.0.2%3A2");
        Assert.Equal(0, exitCode);
        Assert.Equal($"Tracker URL: http://127.0.0.1:1/a\nTracker URL: udp://127.0.0.2:2\nInfo Hash: {Hex}\n", stdout);
    }

    [Fact]
    public async Task A_link_without_trackers_prints_only_the_hash()
    {
        var (exitCode, stdout, _) = await CliRunner.RunAsync("magnet_parse", $"magnet:?xt=urn:btih:{Hex}");
        Assert.Equal(0, exitCode);
        Assert.Equal($"Info Hash: {Hex}\n", stdout);
    }

    [Theory]
    [InlineData("magnet:?dn=x", "tps magnet_parse: Invalid magnet link: it has no 'xt=urn:btih:' info hash\n")]
    [InlineData("magnet:?xt=urn:btih:123", "tps magnet_parse: Invalid magnet link: '123' is not an info hash (expected 40 hex digits or 32 base32 characters)\n")]
    [InlineData("http://127.0.0.1/", "tps magnet_parse: Invalid magnet link: it does not start with 'magnet:?'\n")]
    public async Task Bad_links_fail_with_one_line_on_stderr(string link, string message)
    {
        var (exitCode, stdout, stderr) = await CliRunner.RunAsync("magnet_parse", link);
        Assert.Equal(1, exitCode);
        Assert.Equal(string.Empty, stdout);
        Assert.Equal(message, stderr);
    }

    [Fact]
    public async Task Wrong_argument_count_is_a_usage_error()
    {
        var (exitCode, _, stderr) = await CliRunner.RunAsync("magnet_parse");
        Assert.Equal(2, exitCode);
        Assert.Contains("Usage: tps magnet_parse", stderr, StringComparison.Ordinal);
    }
}
