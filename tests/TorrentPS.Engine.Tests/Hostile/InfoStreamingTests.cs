using TorrentPS.Cli;
using TorrentPS.Engine.Tests.Wire;

namespace TorrentPS.Engine.Tests.Hostile;

/// <summary>Counts what `tps info` allocates process-wide, so it runs alone.</summary>
[Collection(nameof(AllocationMeasurements))]
public sealed class InfoStreamingTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"tps-big-{Guid.NewGuid():N}.torrent");

    public void Dispose() => File.Delete(_path);

    [Fact]
    public async Task Info_streams_the_piece_hashes_of_a_large_torrent_instead_of_building_its_output()
    {
        // 500,000 pieces: the output is 20 MB; built whole (with every piece hash as a string) it took hundreds of MB.
        File.WriteAllBytes(_path, CraftedTorrents.ManyPieces(500_000));
        var path = _path;
        var sink = new CountingWriter();
        var before = GC.GetTotalAllocatedBytes(precise: true);

        var exitCode = await CliApp.RunAsync(["info", path], sink, TextWriter.Null, CancellationToken.None);

        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        Assert.Equal(0, exitCode);
        Assert.Equal(500_005, sink.Lines);
        Assert.True(sink.LargestWrite <= 80_000, $"one write of {sink.LargestWrite} characters");
        // The file (10 MB) read and kept once, and little besides; the bound is loose.
        Assert.True(allocated < 150_000_000, $"allocated {allocated:N0} bytes");
    }

    private sealed class CountingWriter : TextWriter
    {
        public override System.Text.Encoding Encoding => System.Text.Encoding.UTF8;

        public int Lines { get; private set; }

        public int LargestWrite { get; private set; }

        public override void Write(char value) => Count(value == '\n' ? 1 : 0, 1);

        public override void Write(string? value) => Count(value?.Count(c => c == '\n') ?? 0, value?.Length ?? 0);

        public override void Write(char[] buffer, int index, int count) => Count(buffer.AsSpan(index, count).Count('\n'), count);

        public override Task WriteAsync(System.Text.StringBuilder? value, CancellationToken cancellationToken = default)
        {
            Write(value?.ToString());
            return Task.CompletedTask;
        }

        private void Count(int lines, int length)
        {
            Lines += lines;
            LargestWrite = Math.Max(LargestWrite, length);
        }
    }
}
