using System.Diagnostics;
using TorrentPS.Engine.Bencode;

namespace TorrentPS.Engine.Tests.Hostile;

public sealed class BoundedReadTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"tps-read-{Guid.NewGuid():N}");

    public BoundedReadTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task An_endless_device_fails_as_InvalidBencode_larger_than_the_limit()
    {
        if (!File.Exists("/dev/zero"))
        {
            return; // only some systems offer an endless file to prove the bound cheaply
        }

        var error = await Assert.ThrowsAsync<BencodeException>(() => BencodeFile.ReadAsync("/dev/zero", 1024 * 1024));

        Assert.Equal("InvalidBencode", error.ErrorId);
        Assert.Contains("larger than the limit", error.Message, StringComparison.Ordinal);
        Assert.Contains("/dev/zero", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_regular_file_over_the_limit_is_refused_before_it_is_read()
    {
        var path = Path.Combine(_folder, "big");
        await File.WriteAllBytesAsync(path, new byte[4096]);

        var error = await Assert.ThrowsAsync<BencodeException>(() => BencodeFile.ReadAsync(path, 100));

        Assert.Contains("larger than the limit of 100 bytes", error.Message, StringComparison.Ordinal);
        Assert.Equal(4096, (await BencodeFile.ReadAsync(path, 4096)).Length);
    }

    [Fact]
    public async Task A_fifo_nobody_writes_is_left_when_cancelled()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var fifo = await CliHostileTests.MakeFifoAsync(_folder);

        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var clock = Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => BencodeFile.ReadAsync(fifo, 1024, cancellation.Token));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
        CliHostileTests.ReleaseFifo(fifo);
    }

    [Fact]
    public async Task A_pipe_is_read_to_its_end_within_the_bound()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var fifo = await CliHostileTests.MakeFifoAsync(_folder);

        var read = BencodeFile.ReadAsync(fifo, 1024);
        await using (var writer = new FileStream(fifo, FileMode.Open, FileAccess.Write))
        {
            await writer.WriteAsync("d1:ai1ee"u8.ToArray());
        }

        Assert.Equal("d1:ai1ee"u8.ToArray(), (await read).ToArray());
    }
}
