using System.Diagnostics;
using TorrentPS.Cli;
using TorrentPS.Engine.Tests.Cli;
using TorrentPS.Engine.Text;

namespace TorrentPS.Engine.Tests.Hostile;

public sealed class CliHostileTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"tps-hostile-{Guid.NewGuid():N}");

    public CliHostileTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Write(byte[] torrent)
    {
        var path = Path.Combine(_folder, $"{Guid.NewGuid():N}.torrent");
        File.WriteAllBytes(path, torrent);
        return path;
    }

    [Fact]
    public async Task Info_cannot_be_made_to_print_a_fake_line_by_a_tracker_url()
    {
        var fake = "http://127.0.0.1:1/a\nInfo Hash: 0000000000000000000000000000000000000000\n\u001b[2J\u009b31m\u202e";

        var (exitCode, stdout, _) = await CliRunner.RunAsync("info", Write(CraftedTorrents.ManyPieces(1, fake)));

        Assert.Equal(0, exitCode);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines, l => l.StartsWith("Info Hash:", StringComparison.Ordinal));
        Assert.Equal("Tracker URL: http://127.0.0.1:1/a\\nInfo Hash: 0000000000000000000000000000000000000000\\n\\x1b[2J\\x9b31m\\u202e", lines[0]);
        Assert.All(lines, l => Assert.True(DisplayText.IsSafe(l), l));
    }

    [Fact]
    public async Task Magnet_parse_escapes_a_tracker_url_that_decodes_to_control_characters()
    {
        var (exitCode, stdout, _) = await CliRunner.RunAsync("magnet_parse", $"magnet:?xt=urn:btih:{new string('a', 40)}&tr=http%3A%2F%2Fx%0AInfo%20Hash%3A%201%1B%5B2J");

        Assert.Equal(0, exitCode);
        Assert.Equal($"Tracker URL: http://x\\nInfo Hash: 1\\x1b[2J\nInfo Hash: {new string('a', 40)}\n", stdout);
    }

    [Fact]
    public async Task A_magnet_error_does_not_echo_a_huge_info_hash()
    {
        var (exitCode, _, stderr) = await CliRunner.RunAsync("magnet_parse", "magnet:?xt=urn:btih:" + new string('z', 1_000_000));

        Assert.Equal(1, exitCode);
        Assert.True(stderr.Length < 1000, $"{stderr.Length} characters of error");
    }

    [Fact]
    public void A_second_ctrl_c_ends_the_process_the_first_only_cancels()
    {
        using var cancellation = new CancellationTokenSource();
        var policy = new CancelKeyPolicy(cancellation);

        Assert.False(policy.ShouldTerminate());
        Assert.True(cancellation.IsCancellationRequested);
        Assert.True(policy.ShouldTerminate());
        Assert.True(policy.ShouldTerminate());
    }

    [Fact]
    public async Task Info_on_a_fifo_nobody_writes_returns_when_cancelled()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // FIFOs are made with mkfifo here; the bound on the wait is the same everywhere.
        }

        var fifo = await MakeFifoAsync(_folder);

        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        using var stderr = new StringWriter();
        var clock = Stopwatch.StartNew();

        var exitCode = await CliApp.RunAsync(["info", fifo], TextWriter.Null, stderr, cancellation.Token);

        Assert.Equal(130, exitCode);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
        Assert.Contains("cancelled", stderr.ToString(), StringComparison.Ordinal);
        ReleaseFifo(fifo);
    }

    /// <summary>A new FIFO (named pipe) in <paramref name="folder"/>, made with mkfifo (Linux).</summary>
    internal static async Task<string> MakeFifoAsync(string folder)
    {
        var fifo = Path.Combine(folder, $"fifo-{Guid.NewGuid():N}");
        using var mkfifo = Process.Start("mkfifo", fifo);
        await mkfifo.WaitForExitAsync();
        return fifo;
    }

    /// <summary>Opens the FIFO's other end so the reader still blocked in the OS (abandoned on cancel) sees its end.</summary>
    internal static void ReleaseFifo(string fifo)
    {
        var release = Task.Run(() =>
        {
            using var writer = new FileStream(fifo, FileMode.Open, FileAccess.Write);
        });
        release.Wait(TimeSpan.FromSeconds(2));
    }
}
