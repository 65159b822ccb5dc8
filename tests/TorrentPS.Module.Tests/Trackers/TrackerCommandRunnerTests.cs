using System.Collections.Specialized;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using TorrentPS.Bridge;
using TorrentPS.Bridge.Progress;
using TorrentPS.Conversion;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Peers;
using TorrentPS.Engine.Trackers;
using TorrentPS.Trackers;

namespace TorrentPS.Module.Tests.Trackers;

public class TrackerCommandRunnerTests
{
    private const string Hash = "0123456789abcdef0123456789abcdef01234567";

    private sealed class Recorder
    {
        public List<object> Objects { get; } = [];

        public List<(string ErrorId, object? Target)> Errors { get; } = [];

        public List<string> Warnings { get; } = [];

        public List<string> Verbose { get; } = [];

        public List<ProgressUpdate> Progress { get; } = [];

        /// <summary>Activities started the way the cmdlet starts them: completed by the tracker however the call ends.</summary>
        public ProgressTracker Activities { get; } = new();

        public TrackerCommandOutput Output => new(
            o => Objects.Add(o),
            (e, t) => Errors.Add((ErrorRecordFactory.Classify(e).ErrorId, t)),
            w => Warnings.Add(w),
            v => Verbose.Add(v),
            (activity, unit) => Activities.Start(activity, 0, unit: unit),
            u =>
            {
                lock (Progress)
                {
                    Progress.Add(u!);
                }
            });

        public TrackerCommandRunner Runner => new(TrackerCommandRunner.Options(1), Output, NullLogger.Instance);
    }

    /// <summary>A UDP port that is open but never answers (a closed one is refused at once: TrackerFailed, not a timeout).</summary>
    private static (UdpClient Socket, string Url) SilentUdpTracker()
    {
        var socket = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        return (socket, $"udp://127.0.0.1:{((IPEndPoint)socket.Client.LocalEndPoint!).Port}/announce");
    }

    [Fact]
    public async Task Magnet_peers_are_emitted_and_a_silent_tracker_is_a_TrackerTimeout_error_naming_it()
    {
        var (silent, tracker) = SilentUdpTracker();
        using var socket = silent;
        var link = $"magnet:?xt=urn:btih:{Hash}&tr={Uri.EscapeDataString(tracker)}&x.pe=192.0.2.1:6889";
        var recorder = new Recorder();

        var summary = await recorder.Runner.DiscoverPeersAsync(
            [TrackerInput.ForMagnet(link)], null, CancellationToken.None);

        var peer = Assert.IsType<TorrentPeer>(Assert.Single(recorder.Objects));
        Assert.Equal((PeerSource.Magnet, "192.0.2.1:6889", Hash), (peer.Source, peer.EndPointText, peer.Hash.Hex));
        Assert.Equal([("TrackerTimeout", (object?)tracker)], recorder.Errors);
        Assert.Equal(new PeerDiscoverySummary(1, 0, 1), summary);
        Assert.Equal(
            [
                $"Asking 1 tracker in 1 tier for peers of {Hash}, after the 1 peer of the magnet link.",
                $"{tracker} failed (TrackerTimeout).",
                $"Found 1 peer of {Hash}: 0 of 1 tracker answered, 1 failed.",
            ],
            recorder.Verbose);
    }

    [Fact]
    public async Task Tracker_status_narrates_each_tracker_and_the_outcome()
    {
        var (silent, tracker) = SilentUdpTracker();
        using var socket = silent;
        var recorder = new Recorder();

        await recorder.Runner.QueryTrackersAsync([TrackerInput.ForMagnet($"magnet:?xt=urn:btih:{Hash}&dn=Named&tr={Uri.EscapeDataString(tracker)}")], null, CancellationToken.None);

        Assert.Equal($"Asking the 1 tracker in 1 tier of 'Named' ({Hash}) for their status.", recorder.Verbose[0]);
        Assert.StartsWith($"{tracker}: TimedOut: ", recorder.Verbose[1], StringComparison.Ordinal);
        Assert.Equal($"Trackers of 'Named' ({Hash}): 0 of 1 working.", recorder.Verbose[2]);
        Assert.Equal(3, recorder.Verbose.Count);
    }

    [Fact]
    public async Task A_bad_input_is_a_non_terminating_error_and_the_next_input_still_runs()
    {
        var recorder = new Recorder();
        var missing = Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}.torrent");

        await recorder.Runner.DiscoverPeersAsync(
            [TrackerInput.ForMagnet("magnet:?dn=x"), TrackerInput.ForPath(missing), TrackerInput.ForMagnet($"magnet:?xt=urn:btih:{Hash}&x.pe=192.0.2.2:2")],
            null, CancellationToken.None);

        Assert.Equal([("InvalidMagnetLink", (object?)"magnet:?dn=x"), ("PathNotFound", missing)], recorder.Errors);
        Assert.Equal("192.0.2.2:2", Assert.IsType<TorrentPeer>(Assert.Single(recorder.Objects)).EndPointText);
    }

    [Fact]
    public async Task A_torrent_without_trackers_or_peers_warns()
    {
        var recorder = new Recorder();

        await recorder.Runner.DiscoverPeersAsync(
            [TrackerInput.ForMagnet($"magnet:?xt=urn:btih:{Hash}")], null, CancellationToken.None);

        Assert.Contains("no trackers", Assert.Single(recorder.Warnings));
        Assert.Empty(recorder.Objects);
    }

    [Fact]
    public async Task Peer_discovery_writes_one_activity_per_torrent_ending_with_the_final_counts()
    {
        var (silent, tracker) = SilentUdpTracker();
        using var socket = silent;
        var named = $"magnet:?xt=urn:btih:{Hash}&dn=Named&tr={Uri.EscapeDataString(tracker)}&x.pe=192.0.2.1:6889";
        var unnamed = $"magnet:?xt=urn:btih:{Hash.Replace('0', 'f')}&tr={Uri.EscapeDataString(tracker)}";
        var recorder = new Recorder();

        await recorder.Runner.DiscoverPeersAsync([TrackerInput.ForMagnet(named), TrackerInput.ForMagnet(unnamed)], null, CancellationToken.None);

        var activities = recorder.Progress.GroupBy(u => u.ActivityId).ToArray();
        Assert.Equal(2, activities.Length);
        Assert.Equal(["Asking trackers of Named", $"Asking trackers of {Hash.Replace('0', 'f')}"], activities.Select(a => a.First().Activity));
        Assert.All(activities, a => Assert.Equal(-1, a.First().ParentActivityId));
        Assert.All(activities, a => Assert.Equal([true], a.Where(u => u.IsCompleted).Select(u => u.IsCompleted)));
        Assert.All(activities, a => Assert.True(a.Last().IsCompleted));
        Assert.Equal("0 of 1 tracker answered, 0 failed, 0 peers", activities[0].First().StatusDescription);
        Assert.Equal("0 of 1 tracker answered, 1 failed, 1 peer", activities[0].Last().StatusDescription);
        Assert.Equal("0 of 1 tracker answered, 1 failed, 0 peers", activities[1].Last().StatusDescription);
        Assert.Empty(recorder.Activities.CompleteAll()); // nothing left open
    }

    [Fact]
    public async Task The_DHT_is_asked_after_the_trackers_and_a_peer_both_name_is_written_once_with_its_first_source()
    {
        var recorder = new Recorder();
        var asked = new List<string>();

        await recorder.Runner.DiscoverPeersAsync(
            [TrackerInput.ForMagnet($"magnet:?xt=urn:btih:{Hash}&x.pe=192.0.2.2:2")],
            null,
            CancellationToken.None,
            (infoHash, _) =>
            {
                asked.Add(infoHash.Hex);
                return Task.FromResult<IReadOnlyList<TorrentPeer>>([Peer("192.0.2.2", 2, infoHash), Peer("192.0.2.3", 3, infoHash)]);
            });

        Assert.Equal([Hash], asked);
        Assert.Equal(
            [("192.0.2.2:2", PeerSource.Magnet), ("192.0.2.3:3", PeerSource.Dht)],
            recorder.Objects.Cast<TorrentPeer>().Select(p => (p.EndPointText, p.Source)));
        Assert.Contains(recorder.Verbose, v => v.Contains("The DHT named 1 new peer", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_private_torrent_is_never_looked_up_in_the_DHT()
    {
        var recorder = new Recorder();
        var info = new OrderedDictionary { ["length"] = 3, ["name"] = "p.bin", ["piece length"] = 16384, ["pieces"] = new byte[20], ["private"] = 1 };
        var torrent = TorrentInfo.Parse(BencodeObjectConverter.Encode(new OrderedDictionary { ["info"] = info }));
        var asked = 0;

        await recorder.Runner.DiscoverPeersAsync([TrackerInput.ForTorrent(torrent)], null, CancellationToken.None, (_, _) =>
        {
            asked++;
            return Task.FromResult<IReadOnlyList<TorrentPeer>>([]);
        });

        Assert.Equal(0, asked);
        Assert.Contains(recorder.Verbose, v => v.Contains("is private", StringComparison.Ordinal));
        Assert.Contains("no trackers", Assert.Single(recorder.Warnings));
    }

    [Fact]
    public async Task Asking_the_DHT_alone_skips_the_trackers_and_does_not_warn_that_there_are_none()
    {
        var recorder = new Recorder();

        await recorder.Runner.DiscoverPeersAsync(
            [TrackerInput.ForMagnet($"magnet:?xt=urn:btih:{Hash}")],
            null,
            CancellationToken.None,
            (infoHash, _) => Task.FromResult<IReadOnlyList<TorrentPeer>>([Peer("192.0.2.4", 4, infoHash)]),
            askTrackers: false);

        Assert.Empty(recorder.Warnings);
        Assert.Equal(PeerSource.Dht, Assert.IsType<TorrentPeer>(Assert.Single(recorder.Objects)).Source);
    }

    private static TorrentPeer Peer(string address, int port, InfoHash infoHash) => new(IPAddress.Parse(address), port, infoHash, PeerSource.Dht);

    [Fact]
    public async Task Known_peers_without_trackers_write_no_progress()
    {
        var recorder = new Recorder();

        await recorder.Runner.DiscoverPeersAsync([TrackerInput.ForMagnet($"magnet:?xt=urn:btih:{Hash}&x.pe=192.0.2.2:2")], null, CancellationToken.None);

        Assert.Single(recorder.Objects);
        Assert.Empty(recorder.Progress);
    }

    [Fact]
    public async Task Tracker_status_writes_one_activity_counting_every_tracker()
    {
        var (silent, tracker) = SilentUdpTracker();
        using var socket = silent;
        var recorder = new Recorder();

        await recorder.Runner.QueryTrackersAsync(
            [TrackerInput.ForMagnet($"magnet:?xt=urn:btih:{Hash}&dn=Named")], [tracker, "wss://t/announce"], CancellationToken.None);

        Assert.Single(recorder.Progress.Select(u => u.ActivityId).Distinct());
        Assert.Equal("Asking trackers of Named", recorder.Progress[0].Activity);
        Assert.Equal("0 of 2 trackers answered, 0 failed", recorder.Progress[0].StatusDescription);
        var done = recorder.Progress[^1];
        Assert.True(done.IsCompleted);
        Assert.Equal("0 of 2 trackers answered, 2 failed", done.StatusDescription);
        Assert.Single(recorder.Progress, u => u.IsCompleted);
    }

    [Fact]
    public async Task Tracker_status_is_one_object_per_tracker_with_its_error()
    {
        var (silent, tracker) = SilentUdpTracker();
        using var socket = silent;
        var recorder = new Recorder();

        await recorder.Runner.QueryTrackersAsync(
            [TrackerInput.ForMagnet($"magnet:?xt=urn:btih:{Hash}")], [tracker, "wss://t/announce"], CancellationToken.None);

        var statuses = recorder.Objects.Cast<TrackerStatus>().ToArray();
        Assert.Equal([tracker, "wss://t/announce"], statuses.Select(s => s.Url));
        Assert.Equal([TrackerStatusKind.TimedOut, TrackerStatusKind.Unsupported], statuses.Select(s => s.Status));
        Assert.All(statuses, s => Assert.False(string.IsNullOrEmpty(s.LastError)));
        Assert.Empty(recorder.Errors);
    }

    [Fact]
    public void Tracker_errors_map_to_stable_ids_and_categories()
    {
        Assert.Equal(("TrackerFailed", System.Management.Automation.ErrorCategory.ProtocolError), ErrorRecordFactory.Classify(new TrackerFailedException("udp://t:1", "x")));
        Assert.Equal(("TrackerTimeout", System.Management.Automation.ErrorCategory.OperationTimeout), ErrorRecordFactory.Classify(new TrackerTimeoutException("udp://t:1", TimeSpan.FromSeconds(1))));
        Assert.Equal(("UnsupportedTracker", System.Management.Automation.ErrorCategory.NotImplemented), ErrorRecordFactory.Classify(new UnsupportedTrackerException("ws://t", "x")));
    }
}
