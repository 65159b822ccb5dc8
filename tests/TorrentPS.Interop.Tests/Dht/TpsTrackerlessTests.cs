using System.Diagnostics;
using System.Globalization;
using System.Net;
using TorrentPS.Interop.Tests.Infrastructure;
using Xunit.Abstractions;

namespace TorrentPS.Interop.Tests.Dht;

/// <summary>
/// The real <c>tps</c> with torrents no tracker serves, among libtorrent 2.0.8 DHT nodes on loopback: a libtorrent
/// seeder announces a torrent into two libtorrent DHT nodes, and <c>tps</c>, told of one node with <c>--dht-node</c>,
/// finds the seeder through its DHT alone. <c>tps</c> always listens on its own loopback address and names its node:
/// in a test process (<c>TORRENTPS_TEST</c>, inherited) its DHT would otherwise start with no node, never the public routers.
/// </summary>
public sealed class TpsTrackerlessTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);
    private readonly DhtSwarm _swarm = new("tps-cli-dht", Patience);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _swarm.DisposeAsync();

    [Fact]
    public async Task Tps_magnet_download_of_a_trackerless_link_finds_a_libtorrent_seeder_through_the_DHT()
    {
        var torrent = TestTorrent.Create(_swarm.Folder.Combine("seed"), "tps-dht-magnet.bin", length: (2 * 1024 * 1024) + 333, pieceLength: 64 * 1024);
        var router = await StartSwarmAsync(torrent);
        var file = _swarm.Folder.Combine("tps-dht-magnet.out");
        var link = $"magnet:?xt=urn:btih:{torrent.Info.InfoHash}";

        var clock = Stopwatch.StartNew();
        var printed = await Tps.RunAsync(["magnet_download", "-o", file, link, .. OnLoopback(router)], Patience);
        clock.Stop();

        output.WriteLine($"tps magnet_download of a trackerless link: {clock.Elapsed.TotalSeconds:0.00} s from start to exit (process start included)");
        output.WriteLine(printed);
        Assert.Contains($"Downloaded {link} to {file}.", printed, StringComparison.Ordinal);
        await SameBytes.AssertAsync(torrent.DataPath, file);
    }

    [Fact]
    public async Task Tps_magnet_info_of_a_trackerless_link_prints_the_metadata_it_fetched_through_the_DHT()
    {
        var torrent = TestTorrent.Create(_swarm.Folder.Combine("seed"), "tps-dht-info.bin", length: (1024 * 1024) + 77, pieceLength: 256 * 1024);
        var router = await StartSwarmAsync(torrent);

        var clock = Stopwatch.StartNew();
        var printed = await Tps.RunAsync(["magnet_info", $"magnet:?xt=urn:btih:{torrent.Info.InfoHash}", .. OnLoopback(router)], Patience, logLevel: "warning");

        output.WriteLine($"tps magnet_info of a trackerless link: {clock.Elapsed.TotalSeconds:0.00} s");
        output.WriteLine(printed);
        var lines = printed.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        // The challenge's info output; the link names no tracker, so there is no Tracker URL line.
        Assert.DoesNotContain(lines, l => l.StartsWith("Tracker URL:", StringComparison.Ordinal));
        var start = lines.IndexOf($"Length: {torrent.Info.Length.ToString(CultureInfo.InvariantCulture)}");
        Assert.True(start >= 0, printed);
        Assert.Equal(
            [
                $"Length: {torrent.Info.Length.ToString(CultureInfo.InvariantCulture)}",
                $"Info Hash: {torrent.Info.InfoHash}",
                $"Piece Length: {torrent.Info.PieceLength.ToString(CultureInfo.InvariantCulture)}",
                "Piece Hashes:",
                .. torrent.Info.GetPieceHashes(),
            ],
            lines.Skip(start).Take(4 + torrent.Info.PieceCount));
    }

    [Fact]
    public async Task Tps_magnet_handshake_of_a_trackerless_link_reaches_a_libtorrent_seeder_found_through_the_DHT()
    {
        var torrent = TestTorrent.Create(_swarm.Folder.Combine("seed"), "tps-dht-handshake.bin", length: 300_000, pieceLength: 32 * 1024);
        var router = await StartSwarmAsync(torrent);

        var printed = await Tps.RunAsync(["magnet_handshake", $"magnet:?xt=urn:btih:{torrent.Info.InfoHash}", "--dht-node", router.ToString()], Patience, logLevel: "warning");

        output.WriteLine(printed);
        var lines = printed.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();
        Assert.Equal(2, lines.Length);
        Assert.Matches("^Peer ID: 2d4c5432303830[0-9a-f]{26}$", lines[0]);
        Assert.Matches("^Peer Metadata Extension ID: [1-9][0-9]*$", lines[1]);
    }

    [Fact]
    public async Task Tps_magnet_handshake_of_a_trackerless_link_with_no_dht_fails_at_once_saying_there_is_nowhere_to_look()
    {
        await using var tps = Tps.Start(["magnet_handshake", "magnet:?xt=urn:btih:0123456789abcdef0123456789abcdef01234567", "--no-dht"]);
        var exitCode = await tps.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(1, exitCode);
        Assert.Contains("tps magnet_handshake: the magnet link names no tracker (tr) and no peer (x.pe), and --no-dht turned the DHT off", tps.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tps_download_of_a_torrent_whose_tracker_is_dead_finds_a_libtorrent_seeder_through_the_DHT()
    {
        // The test torrent's tracker is 127.0.0.1:1, where nothing answers: the DHT is the only way to the seeder.
        var torrent = TestTorrent.Create(_swarm.Folder.Combine("seed"), "tps-dht-download.bin", length: (1024 * 1024) + 555, pieceLength: 64 * 1024);
        var router = await StartSwarmAsync(torrent);
        var file = _swarm.Folder.Combine("tps-dht-download.out");

        var printed = await Tps.RunAsync(["download", "-o", file, torrent.TorrentPath, .. OnLoopback(router)], Patience);

        Assert.Contains($"Downloaded {torrent.TorrentPath} to {file}.", printed, StringComparison.Ordinal);
        await SameBytes.AssertAsync(torrent.DataPath, file);
    }

    [Fact]
    public async Task Tps_magnet_download_of_a_trackerless_link_with_no_dht_fails_at_once_saying_there_is_nowhere_to_ask()
    {
        var file = _swarm.Folder.Combine("never.bin");

        var clock = Stopwatch.StartNew();
        await using var tps = Tps.Start(["magnet_download", "-o", file, "magnet:?xt=urn:btih:0123456789abcdef0123456789abcdef01234567", "--no-dht", "--bind", Loopback.NextAddress().ToString(), "--port", "0"]);
        var exitCode = await tps.WaitForExitAsync(TimeSpan.FromSeconds(30));

        output.WriteLine($"exit {exitCode} after {clock.Elapsed.TotalSeconds:0.00} s:\n{tps.Output}");
        Assert.Equal(1, exitCode);
        Assert.Contains("tps magnet_download: the magnet link names no tracker (tr) and no peer (x.pe), no --peer was given, and --no-dht turned the DHT off", tps.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(file));
    }

    /// <summary>Two libtorrent DHT nodes and a libtorrent seeder of <paramref name="torrent"/> (no tracker) whose announce a node stored; returns the node tps is told of.</summary>
    private async Task<IPEndPoint> StartSwarmAsync(TestTorrent torrent)
    {
        var nodes = await _swarm.NetworkAsync(2);
        await _swarm.StartAsync(new LibtorrentDhtNodeOptions { Bootstrap = [nodes[0].EndPoint], Seed = torrent });
        await LibtorrentDhtNode.WaitForAnyAsync(nodes, n => n.AnnouncesReceived(torrent.Info.Hash).Count > 0, "store the seeder's announce", Patience);
        return nodes[1].EndPoint;
    }

    /// <summary>tps on a loopback address of its own, any free port, its DHT bootstrapping from <paramref name="router"/> only.</summary>
    private static string[] OnLoopback(IPEndPoint router)
        => ["--bind", Loopback.NextAddress().ToString(), "--port", "0", "--dht-node", router.ToString(), "--timeout", "60"];
}
