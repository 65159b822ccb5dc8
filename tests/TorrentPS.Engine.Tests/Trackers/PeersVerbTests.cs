using System.Net;
using TorrentPS.Cli;

namespace TorrentPS.Engine.Tests.Trackers;

public class PeersVerbTests
{
    private static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await CliApp.RunAsync(args, stdout, stderr, CancellationToken.None);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task Prints_only_ip_colon_port_lines_on_stdout_and_tracker_failures_on_stderr()
    {
        await using var working = new FakeUdpTracker(r => FakeUdpTracker.WellBehaved(r, IPEndPoint.Parse("192.0.2.10:51413"), IPEndPoint.Parse("192.0.2.11:6882")));
        await using var failing = new FakeHttpTracker(_ => FakeHttpResponse.Ok("d14:failure reason6:bannede"));
        var link = $"magnet:?xt=urn:btih:{TrackerTestData.InfoHash.Hex}&tr={Uri.EscapeDataString(working.AnnounceUrl)}&tr={Uri.EscapeDataString(failing.AnnounceUrl)}";

        var (exit, stdout, stderr) = await RunAsync("peers", link, "--timeout", "10");

        Assert.Equal(0, exit);
        Assert.Equal(["192.0.2.10:51413", "192.0.2.11:6882"], stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Order());
        Assert.Contains("banned", stderr);
        Assert.Contains(failing.AnnounceUrl, stderr);
    }

    [Fact]
    public async Task Fails_with_exit_1_when_every_tracker_fails()
    {
        await using var failing = new FakeHttpTracker(_ => new FakeHttpResponse(500, []));
        var link = $"magnet:?xt=urn:btih:{TrackerTestData.InfoHash.Hex}&tr={Uri.EscapeDataString(failing.AnnounceUrl)}";

        var (exit, stdout, stderr) = await RunAsync("peers", link);

        Assert.Equal(1, exit);
        Assert.Empty(stdout);
        Assert.Contains("500", stderr);
    }

    [Theory]
    [InlineData]
    [InlineData("a.torrent", "--timeout")]
    [InlineData("a.torrent", "--timeout", "-1")]
    [InlineData("a.torrent", "b.torrent")]
    public async Task Usage_errors_exit_with_2(params string[] args)
    {
        var (exit, stdout, stderr) = await RunAsync(["peers", .. args]);

        Assert.Equal(2, exit);
        Assert.Empty(stdout);
        Assert.Contains("Usage: tps peers", stderr);
    }

    [Fact]
    public async Task Missing_torrent_file_is_an_error_on_stderr()
    {
        var (exit, stdout, stderr) = await RunAsync("peers", Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}.torrent"));

        Assert.Equal(1, exit);
        Assert.Empty(stdout);
        Assert.Contains("does not exist", stderr);
    }
}
