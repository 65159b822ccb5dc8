using System.Security.Cryptography;
using TorrentPS.Bridge;
using TorrentPS.Bridge.Progress;
using TorrentPS.Creation;
using TorrentPS.Engine.Creation;
using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Metainfo;

namespace TorrentPS.Module.Tests.Creation;

public sealed class TorrentCreationRunnerTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"tps-new-{Guid.NewGuid():N}");

    public TorrentCreationRunnerTests()
    {
        Directory.CreateDirectory(Path.Combine(_folder, "album", "sub"));
        File.WriteAllBytes(Path.Combine(_folder, "album", "a.bin"), RandomNumberGenerator.GetBytes(100_000));
        File.WriteAllBytes(Path.Combine(_folder, "album", "sub", "b.bin"), RandomNumberGenerator.GetBytes(5_000));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Album => Path.Combine(_folder, "album");

    private sealed class Recorder
    {
        public List<object> Objects { get; } = [];

        public List<(string ErrorId, object? Target, string? Recommended)> Errors { get; } = [];

        public List<string> Verbose { get; } = [];

        public List<ProgressUpdate> Progress { get; } = [];

        public ProgressTracker Activities { get; } = new(minInterval: TimeSpan.Zero);

        public TorrentCreationOutput Output => new(
            o => Objects.Add(o),
            (e, t) => Errors.Add((ErrorRecordFactory.Classify(e).ErrorId, t, TorrentCreationErrors.RecommendedAction(e))),
            v => Verbose.Add(v),
            activity => Activities.Start(activity, 0),
            u =>
            {
                if (u is not null)
                {
                    lock (Progress)
                    {
                        Progress.Add(u);
                    }
                }
            });
    }

    private static Task Run(Recorder recorder, string content, string? destination, bool overwrite = false, TorrentCreationOptions? options = null)
        => new TorrentCreationRunner(new TorrentCreator(), recorder.Output).RunAsync(content, destination, overwrite, options ?? new TorrentCreationOptions(), CancellationToken.None);

    [Fact]
    public async Task Without_a_destination_it_outputs_the_torrent_and_writes_nothing()
    {
        var recorder = new Recorder();
        await Run(recorder, Album, null);

        var torrent = Assert.IsType<TorrentInfo>(Assert.Single(recorder.Objects));
        Assert.Equal(("album", null), (torrent.Name, torrent.SourcePath));
        Assert.Empty(recorder.Errors);
        Assert.Equal(["a.bin", "sub"], Directory.EnumerateFileSystemEntries(Album).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(Directory.EnumerateFiles(_folder, "*", SearchOption.AllDirectories), f => f.EndsWith(".torrent", StringComparison.Ordinal));
    }

    [Fact]
    public async Task With_a_destination_it_writes_the_file_and_outputs_the_torrent_read_back_from_it()
    {
        var recorder = new Recorder();
        var target = Path.Combine(_folder, "album.torrent");
        await Run(recorder, Album, target, options: new TorrentCreationOptions { NoCreationDate = true, Version = TorrentVersion.Hybrid });

        var torrent = Assert.IsType<TorrentInfo>(Assert.Single(recorder.Objects));
        Assert.Equal(target, torrent.SourcePath);
        Assert.Equal(TorrentFileWriter.Encode(torrent), File.ReadAllBytes(target));
        Assert.Equal((await TorrentInfo.LoadAsync(target)).InfoHashV2, torrent.InfoHashV2);
        Assert.Contains(recorder.Verbose, v => v.StartsWith($"Wrote album ({torrent.Hash}) to {target}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Its_progress_is_one_activity_named_after_the_content_ending_with_the_pieces()
    {
        var recorder = new Recorder();
        await Run(recorder, Album, null, options: new TorrentCreationOptions { PieceLength = 16 * 1024 });

        Assert.All(recorder.Progress, u => Assert.Equal("Creating a torrent of album", u.Activity));
        Assert.Single(recorder.Progress.Select(u => u.ActivityId).Distinct());
        var last = recorder.Progress[^1];
        Assert.True(last.IsCompleted);
        Assert.Equal("7 pieces of 16.0 KiB hashed", last.StatusDescription);
    }

    [Fact]
    public async Task An_existing_destination_without_overwrite_is_a_FileExists_error_naming_it_and_nothing_is_output()
    {
        var recorder = new Recorder();
        var target = Path.Combine(_folder, "taken.torrent");
        File.WriteAllText(target, "mine");

        await Run(recorder, Album, target);

        Assert.Empty(recorder.Objects);
        var (errorId, errorTarget, recommended) = Assert.Single(recorder.Errors);
        Assert.Equal(("FileExists", target), (errorId, errorTarget));
        Assert.Contains("-Destination", recommended, StringComparison.Ordinal);
        Assert.Equal("mine", File.ReadAllText(target));
    }

    [Fact]
    public async Task Nothing_to_share_is_an_EmptyContent_error_naming_the_content()
    {
        var recorder = new Recorder();
        var hollow = Directory.CreateDirectory(Path.Combine(_folder, "hollow", "inner")).Parent!.FullName;

        await Run(recorder, hollow, Path.Combine(_folder, "hollow.torrent"));

        Assert.Equal(("EmptyContent", (object?)hollow), (recorder.Errors.Single().ErrorId, recorder.Errors.Single().Target));
        Assert.False(File.Exists(Path.Combine(_folder, "hollow.torrent")));
    }

    [Fact]
    public async Task Cancelling_ends_the_run_with_the_cancellation_and_writes_nothing()
    {
        var recorder = new Recorder();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        var target = Path.Combine(_folder, "cancelled.torrent");

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            new TorrentCreationRunner(new TorrentCreator(), recorder.Output).RunAsync(Album, target, false, new TorrentCreationOptions(), cancelled.Token));

        Assert.False(File.Exists(target));
        Assert.Empty(recorder.Objects);
    }

    [Theory]
    [InlineData("EmptyContent", "empty folders")]
    [InlineData("ContentChanged", "again")]
    [InlineData("InvalidPieceLength", "power of two")]
    public void Errors_a_user_can_fix_say_how(string errorId, string advice)
        => Assert.Contains(advice, TorrentCreationErrors.RecommendedAction(new TorrentPSException(errorId, TorrentErrorKind.InvalidArgument, "x")), StringComparison.Ordinal);
}
