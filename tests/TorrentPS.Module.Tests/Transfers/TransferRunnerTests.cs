using System.Collections.Specialized;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using TorrentPS.Bridge;
using TorrentPS.Bridge.Progress;
using TorrentPS.Conversion;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Session;
using TorrentPS.Engine.Swarm;
using TorrentPS.Storage;
using TorrentPS.Torrents;
using TorrentPS.Transfers;

namespace TorrentPS.Module.Tests.Transfers;

/// <summary>
/// The runner behind the transfer cmdlets, in a session of its own and without peers: data that is already complete,
/// bad input, failures, stopping. (Transfers from real peers are in tests/pester.)
/// </summary>
public sealed class TransferRunnerTests : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"tps-transfer-{Guid.NewGuid():N}");
    private readonly byte[] _content = RandomNumberGenerator.GetBytes(100_000);
    private readonly TorrentSession _session = new();
    private readonly List<object> _objects = [];
    private readonly List<(string ErrorId, object? Target)> _errors = [];
    private readonly List<string> _verbose = [];
    private readonly List<string> _host = [];
    private readonly List<ProgressUpdate> _progress = [];
    private readonly ProgressTracker _activities = new(minInterval: TimeSpan.Zero);

    public TransferRunnerTests() => Directory.CreateDirectory(_folder);

    public async ValueTask DisposeAsync()
    {
        await _session.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    private TransferOutput Output => new(
        o => Record(_objects, o),
        (e, t) => Record(_errors, (ErrorRecordFactory.Classify(e).ErrorId, t)),
        v => Record(_verbose, v),
        (activity, total, parent) => _activities.Start(activity, total, parent),
        u =>
        {
            if (u is not null)
            {
                Record(_progress, u);
            }
        },
        h => Record(_host, h));

    private static void Record<T>(List<T> list, T item)
    {
        lock (list)
        {
            list.Add(item);
        }
    }

    private Task RunAsync(TransferSettings settings, CancellationToken cancellationToken, params Transfer[] transfers)
        => new TransferRunner(new TransferContext(_session, settings, NullLoggerFactory.Instance), Output).RunAsync(transfers, cancellationToken).WaitAsync(Patience);

    private Task RunAsync(params Transfer[] transfers) => RunAsync(new TransferSettings(), CancellationToken.None, transfers);

    /// <summary>A single-file torrent of <see cref="_content"/> in 16 KiB pieces, with no tracker (nothing to ask), saved in the test folder.</summary>
    private string TorrentFile()
    {
        var hashes = new List<byte>();
        for (var offset = 0; offset < _content.Length; offset += 16384)
        {
            hashes.AddRange(SHA1.HashData(_content.AsSpan(offset, Math.Min(16384, _content.Length - offset))));
        }

        var info = new OrderedDictionary { ["length"] = _content.Length, ["name"] = "data.bin", ["piece length"] = 16384, ["pieces"] = hashes.ToArray() };
        var path = Path.Combine(_folder, "data.torrent");
        File.WriteAllBytes(path, BencodeObjectConverter.Encode(new OrderedDictionary { ["info"] = info }));
        return path;
    }

    private string Folder(string name, bool withData)
    {
        var folder = Path.Combine(_folder, name);
        Directory.CreateDirectory(folder);
        if (withData)
        {
            File.WriteAllBytes(Path.Combine(folder, "data.bin"), _content);
        }

        return folder;
    }

    [Fact]
    public async Task A_download_whose_data_is_already_there_completes_without_peers_and_writes_its_result()
    {
        var torrent = TorrentInput.ForPath(TorrentFile());
        var destination = Folder("dl", withData: true);

        await RunAsync(new TorrentDownload(torrent, destination));

        var result = Assert.IsType<DownloadResult>(Assert.Single(_objects));
        Assert.Equal((TorrentState.Completed, 7, 7, 0L), (result.State, result.VerifiedPieces, result.PieceCount, result.Downloaded));
        Assert.Equal(Path.Combine(destination, "data.bin"), result.Destination);
        Assert.Empty(_errors);
        var last = _progress[^1];
        Assert.True(last.IsCompleted);
        Assert.Equal("Downloading data.bin", last.Activity);
        Assert.Contains(_verbose, v => v.StartsWith("Downloading data.bin (97.7 KiB): " + destination, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_torrent_that_cannot_be_read_is_an_error_naming_it_and_the_others_go_on()
    {
        var missing = Path.Combine(_folder, "missing.torrent");

        await RunAsync(new TorrentDownload(TorrentInput.ForPath(missing), Folder("a", false)), new TorrentDownload(TorrentInput.ForPath(TorrentFile()), Folder("b", true)));

        Assert.Equal([("PathNotFound", (object?)missing)], _errors);
        Assert.Equal(TorrentState.Completed, Assert.IsType<DownloadResult>(Assert.Single(_objects)).State);
    }

    [Fact]
    public async Task No_progress_within_the_timeout_is_a_DownloadStalled_error_and_the_activity_ends_saying_so()
    {
        var torrent = await TorrentInfo.LoadAsync(TorrentFile());

        await RunAsync(new TransferSettings { TimeoutSec = 1 }, CancellationToken.None, new TorrentDownload(TorrentInput.ForTorrent(torrent), Folder("dl", false)));

        Assert.Equal([("DownloadStalled", (object?)torrent)], _errors);
        Assert.Empty(_objects);
        Assert.StartsWith("Failed: 'data.bin' made no progress for 1 seconds", Assert.Single(_progress, u => u.IsCompleted && u.ParentActivityId == -1).StatusDescription, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancelling_stops_the_download_with_a_Stopped_result()
    {
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));

        await RunAsync(new TransferSettings(), cancellation.Token, new TorrentDownload(TorrentInput.ForPath(TorrentFile()), Folder("dl", false)));

        var result = Assert.IsType<DownloadResult>(Assert.Single(_objects));
        Assert.Equal((TorrentState.Stopped, 0), (result.State, result.VerifiedPieces));
        Assert.Equal("Stopped with 0 of 7 pieces", _progress[^1].StatusDescription);
        Assert.Equal(["data.bin: Stopped with 0 of 7 pieces (0%), 0 B downloaded and 0 B uploaded in this run; Resume-Torrent or the same command continues it."], _host);
        Assert.Equal(TorrentState.Stopped, Assert.Single(_session.Torrents).State);
    }

    [Fact]
    public async Task A_run_that_ends_by_itself_leaves_no_line_for_the_host()
    {
        await RunAsync(new TorrentDownload(TorrentInput.ForPath(TorrentFile()), Folder("dl", withData: true)));

        Assert.Empty(_host);
    }

    [Fact]
    public async Task A_piece_index_past_the_last_piece_is_PieceIndexOutOfRange()
    {
        var path = TorrentFile();

        await RunAsync(new PieceDownload(TorrentInput.ForPath(path), new Dictionary<int, string> { [7] = Path.Combine(_folder, "piece.bin") }));

        Assert.Equal([("PieceIndexOutOfRange", (object?)path)], _errors);
        Assert.False(File.Exists(Path.Combine(_folder, "piece.bin")));
    }

    [Fact]
    public async Task Seeding_incomplete_data_is_refused_as_IncompleteData()
    {
        var data = Folder("data", withData: true);
        var damaged = _content.ToArray();
        damaged[20_000] ^= 1;
        File.WriteAllBytes(Path.Combine(data, "data.bin"), damaged);
        var path = TorrentFile();

        await RunAsync(new TorrentSeed(TorrentInput.ForPath(path), data, allowPartial: false));

        Assert.Equal([("IncompleteData", (object?)path)], _errors);
        Assert.Empty(_objects);
    }

    [Fact]
    public async Task A_seed_ends_when_its_time_is_up_with_a_result_listing_its_files()
    {
        var data = Folder("data", withData: true);

        await RunAsync(new TransferSettings { SeedTimeMinutes = 0.05 }, CancellationToken.None, new TorrentSeed(TorrentInput.ForPath(TorrentFile()), data, allowPartial: false));

        var result = Assert.IsType<DownloadResult>(Assert.Single(_objects));
        Assert.Equal((TorrentState.Completed, 0L), (result.State, result.Uploaded));
        Assert.Equal([Path.Combine(data, "data.bin")], result.Files);
        Assert.Contains(_progress, u => u.StatusDescription.StartsWith("Seeding: 0 B uploaded, ratio 0.00, 0 peers", StringComparison.Ordinal));
        Assert.StartsWith("Completed in ", _progress[^1].StatusDescription, StringComparison.Ordinal);
        Assert.EndsWith(", 0 B uploaded (ratio 0.00)", _progress[^1].StatusDescription, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_same_torrent_twice_at_once_runs_once_the_same_place_attaches_and_another_is_TorrentAlreadyRunning()
    {
        var data = Folder("data", withData: true);
        var elsewhere = Folder("elsewhere", withData: true);
        var torrent = await TorrentInfo.LoadAsync(TorrentFile());
        using var cancellation = new CancellationTokenSource(TimeSpan.FromSeconds(2));

        await RunAsync(
            new TransferSettings(),
            cancellation.Token,
            new TorrentSeed(TorrentInput.ForTorrent(torrent), data, false),
            new TorrentSeed(TorrentInput.ForTorrent(torrent), data, false),
            new TorrentSeed(TorrentInput.ForTorrent(torrent), elsewhere, false));

        Assert.Equal([("TorrentAlreadyRunning", (object?)torrent)], _errors);
        Assert.Equal(2, _objects.Count);
        Assert.Equal(_objects[0], _objects[1]);
        Assert.Contains(_verbose, v => v.EndsWith("the session runs it already: waiting on that run.", StringComparison.Ordinal));
        Assert.Single(_session.Torrents);
    }

    [Fact]
    public async Task A_magnet_download_restarted_into_the_same_folder_takes_the_metadata_from_its_resume_data()
    {
        var torrent = await TorrentInfo.LoadAsync(TorrentFile());
        var destination = Folder("dl", withData: true);
        await RunAsync(new TorrentDownload(TorrentInput.ForTorrent(torrent), destination));
        var magnet = MagnetLink.Parse($"magnet:?xt=urn:btih:{torrent.Hash.Hex}");

        // No peer could give the metadata: it comes from the resume data the first run saved.
        var download = new MagnetDownload(magnet, destination);
        await RunAsync(new TransferSettings { TimeoutSec = 5 }, CancellationToken.None, download);

        Assert.Empty(_errors);
        Assert.Equal("Downloading data.bin", download.Activity);
        var result = Assert.IsType<DownloadResult>(_objects[^1]);
        Assert.Equal((TorrentState.Completed, "data.bin", 7), (result.State, result.Name, result.VerifiedPieces));
    }

    [Fact]
    public async Task A_metadata_fetch_without_peers_fails_with_DownloadStalled_naming_the_magnet_link()
    {
        // A tracker that never answers: somewhere to ask, nobody who answers.
        var magnet = MagnetLink.Parse("magnet:?xt=urn:btih:" + new string('b', 40) + "&dn=nobody&tr=udp%3A%2F%2F127.0.0.1%3A1%2Fannounce");

        await RunAsync(new TransferSettings { TimeoutSec = 1 }, CancellationToken.None, new MetadataFetch(magnet));

        Assert.Equal([("DownloadStalled", (object?)magnet)], _errors);
        Assert.Equal("Fetching metadata of nobody", _progress[0].Activity);
        Assert.Equal("Fetching metadata from 0 peers", _progress.First(u => !u.IsCompleted).StatusDescription);
    }

    [Fact]
    public async Task A_magnet_link_with_no_tracker_no_peer_and_no_Peer_fails_at_once_saying_there_is_nowhere_to_ask()
    {
        var magnet = MagnetLink.Parse("magnet:?xt=urn:btih:" + new string('c', 40) + "&dn=lonely");
        var started = System.Diagnostics.Stopwatch.StartNew();

        // The timeout would end it after 60 s; nothing is started at all.
        await RunAsync(new TransferSettings { TimeoutSec = 60 }, CancellationToken.None, new MetadataFetch(magnet), new MagnetDownload(magnet, Folder("lonely", false)));

        Assert.Equal([("NowhereToAsk", (object?)magnet), ("NowhereToAsk", (object?)magnet)], _errors);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(30), $"took {started.Elapsed}");
        Assert.Empty(_progress);
    }
}
