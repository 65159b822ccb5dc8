using TorrentPS.Bridge.Progress;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Session;
using TorrentPS.Engine.Swarm;
using TorrentPS.Module.Tests.Support;
using TorrentPS.Transfers;

namespace TorrentPS.Module.Tests.Transfers;

public class TorrentProgressTests
{
    private const long MiB = 1024 * 1024;
    private static readonly InfoHash Hash = InfoHash.Parse(new string('a', 40));

    private readonly ManualTimeProvider _time = new();
    private readonly List<ProgressUpdate> _updates = [];

    private TorrentProgress Create()
    {
        var tracker = new ProgressTracker(_time);
        return new TorrentProgress("Downloading ubuntu.iso", "ubuntu.iso", (activity, total, parent) => tracker.Start(activity, total, parent), u =>
        {
            if (u is not null)
            {
                _updates.Add(u);
            }
        });
    }

    private static TorrentStatus Status(TorrentState state) => new() { Name = "ubuntu.iso", Hash = Hash, State = state };

    private ProgressUpdate Last(int activityId) => _updates.Last(u => u.ActivityId == activityId);

    private void Tick() => _time.Advance(TimeSpan.FromMilliseconds(250));

    [Fact]
    public void Checking_shows_a_child_activity_of_bytes_hashed_which_completes_when_the_download_starts()
    {
        var progress = Create();
        progress.Report(Status(TorrentState.Checking) with { Length = 100 * MiB, CheckedBytes = 0 });
        Tick();
        progress.Report(Status(TorrentState.Checking) with { Length = 100 * MiB, CheckedBytes = 40 * MiB, CheckRate = 10 * MiB, TimeRemainingSpan = TimeSpan.FromSeconds(6) });

        var child = _updates.Last(u => u.ActivityId != progress.ActivityId);
        Assert.Equal(("Checking ubuntu.iso", progress.ActivityId, 40), (child.Activity, child.ParentActivityId, child.PercentComplete));
        Assert.Equal(("40.0 MiB of 100 MiB at 10.0 MiB/s", 6), (child.StatusDescription, child.SecondsRemaining));
        Assert.Equal(("Downloading ubuntu.iso", "Checking the data already on disk"), (Last(progress.ActivityId).Activity, Last(progress.ActivityId).StatusDescription));

        Tick();
        progress.Report(Status(TorrentState.Downloading) with { TotalBytes = 100 * MiB, VerifiedBytes = 60 * MiB });

        var ended = _updates.Single(u => u.ActivityId == child.ActivityId && u.IsCompleted);
        Assert.Equal("Checked", ended.StatusDescription);
        Assert.True(_updates.IndexOf(ended) < _updates.FindLastIndex(u => u.ActivityId == progress.ActivityId));
    }

    [Fact]
    public void A_magnet_link_first_says_how_many_peers_it_fetches_metadata_from()
    {
        var progress = Create();
        progress.Report(Status(TorrentState.FetchingMetadata) with { MetadataPeers = 3, PeersConnected = 4, PeersKnown = 9 });

        var update = Last(progress.ActivityId);
        Assert.Equal(("Fetching metadata from 3 peers", -1), (update.StatusDescription, update.PercentComplete));
        Assert.Equal("4 peers connected of 9 known", update.CurrentOperation);
    }

    [Fact]
    public void Downloading_reports_percent_bytes_rate_peers_and_the_engines_time_remaining()
    {
        var progress = Create();
        progress.Report(Status(TorrentState.Downloading) with
        {
            TotalBytes = 100 * MiB,
            VerifiedBytes = 25 * MiB,
            DownloadRate = 5 * MiB,
            PeersConnected = 7,
            PeersKnown = 30,
            Seeds = 2,
            TimeRemainingSpan = TimeSpan.FromSeconds(14.2),
        });

        var update = Last(progress.ActivityId);
        Assert.Equal((25, 15), (update.PercentComplete, update.SecondsRemaining));
        Assert.Equal("25.0 MiB of 100 MiB at 5.00 MiB/s, 7 peers (2 seeds)", update.StatusDescription);
        Assert.Equal("7 peers connected of 30 known", update.CurrentOperation);
    }

    [Fact]
    public void Without_peers_the_last_error_says_why_nothing_happens()
    {
        var progress = Create();
        progress.Report(Status(TorrentState.Downloading) with { TotalBytes = 100 * MiB, PeersKnown = 1, LastError = "tracker udp://127.0.0.1:1: timed out" });

        var update = Last(progress.ActivityId);
        Assert.Equal(("0 B of 100 MiB, 0 peers", -1), (update.StatusDescription, update.SecondsRemaining));
        Assert.Equal("0 peers connected of 1 known; last error: tracker udp://127.0.0.1:1: timed out", update.CurrentOperation);
    }

    [Fact]
    public void Seeding_towards_a_goal_shows_the_engines_progress_and_time_left()
    {
        var progress = Create();
        progress.Report(Status(TorrentState.Seeding) with { Uploaded = 50 * MiB, UploadRate = 10 * MiB, Ratio = 0.5, PeersConnected = 1, SeedGoalPercent = 25, TimeRemainingSpan = TimeSpan.FromSeconds(14.2) });

        var update = Last(progress.ActivityId);
        Assert.Equal("Seeding: 50.0 MiB uploaded at 10.0 MiB/s, ratio 0.50, 1 peer", update.StatusDescription);
        Assert.Equal((25, 15), (update.PercentComplete, update.SecondsRemaining));
    }

    [Fact]
    public void Seeding_until_stopped_has_no_percent_and_no_time_left()
    {
        var progress = Create();
        progress.Report(Status(TorrentState.Seeding) with { Uploaded = 3 * MiB, Ratio = 0.03 });

        var update = Last(progress.ActivityId);
        Assert.Equal(("Seeding: 3.00 MiB uploaded, ratio 0.03, 0 peers", -1, -1), (update.StatusDescription, update.PercentComplete, update.SecondsRemaining));
    }

    [Fact]
    public void Each_activity_writes_at_most_four_updates_a_second()
    {
        var progress = Create();
        for (var i = 0; i < 40; i++)
        {
            progress.Report(Status(TorrentState.Downloading) with { TotalBytes = 100 * MiB, VerifiedBytes = i * MiB });
            _time.Advance(TimeSpan.FromMilliseconds(50));
        }

        // 40 reports over 2 s: the first, then one per 250 ms.
        Assert.InRange(_updates.Count, 8, 9);
    }

    [Fact]
    public void A_new_phase_is_shown_even_within_the_throttle_so_a_short_seed_is_seen_seeding()
    {
        var progress = Create();
        progress.Report(Status(TorrentState.Downloading) with { TotalBytes = 100 * MiB, VerifiedBytes = 99 * MiB });
        _time.Advance(TimeSpan.FromMilliseconds(10));

        progress.Report(Status(TorrentState.Seeding) with { TotalBytes = 100 * MiB, VerifiedBytes = 100 * MiB });
        progress.Report(Status(TorrentState.Seeding) with { TotalBytes = 100 * MiB, VerifiedBytes = 100 * MiB, Uploaded = 5 });

        Assert.Equal(2, _updates.Count);
        Assert.StartsWith("Seeding: 0 B uploaded", _updates[^1].StatusDescription, StringComparison.Ordinal);
    }

    [Fact]
    public void The_end_is_one_Completed_record_with_the_outcome_and_the_final_snapshot_adds_nothing()
    {
        var progress = Create();
        progress.Report(Status(TorrentState.Checking));
        progress.Complete(new DownloadResult
        {
            Name = "ubuntu.iso",
            Hash = Hash,
            Destination = "/dl/ubuntu.iso",
            State = TorrentState.Completed,
            Length = 100 * MiB,
            Downloaded = 40 * MiB,
            Uploaded = 10 * MiB,
            ElapsedSpan = TimeSpan.FromSeconds(4),
        });
        progress.Report(Status(TorrentState.Completed));

        Assert.Equal(2, _updates.Count(u => u.IsCompleted));
        var end = _updates[^1];
        Assert.True(end.IsCompleted);
        Assert.Equal(progress.ActivityId, end.ActivityId);
        Assert.Equal("Completed: 40.0 MiB downloaded in 4.00 s at 10.0 MiB/s, 10.0 MiB uploaded (ratio 0.10)", end.StatusDescription);
    }

    [Fact]
    public void Stopped_runs_seeds_and_failures_say_so()
    {
        DownloadResult Result(TorrentState state, long downloaded, long uploaded) => new()
        {
            Name = "x", Hash = Hash, Destination = "/x", State = state, Length = 100, Downloaded = downloaded, Uploaded = uploaded,
            ElapsedSpan = TimeSpan.FromSeconds(70), VerifiedPieces = 12, PieceCount = 40,
        };

        Assert.Equal("Stopped with 12 of 40 pieces", TorrentProgress.Summary(Result(TorrentState.Stopped, 10, 0)));
        Assert.Equal("Completed in 1:10, 250 B uploaded (ratio 2.50)", TorrentProgress.Summary(Result(TorrentState.Completed, 0, 250), seed: true));
        Assert.Equal("Completed in 1:10, 0 B uploaded (ratio 0.00)", TorrentProgress.Summary(Result(TorrentState.Completed, 0, 0), seed: true));
        Assert.Equal("Completed: 0 B downloaded in 1:10 at 0 B/s", TorrentProgress.Summary(Result(TorrentState.Completed, 0, 0)));

        var progress = Create();
        progress.Fail(new TimeoutException("no progress for 30 seconds"));
        Assert.Equal("Failed: no progress for 30 seconds", Assert.Single(_updates, u => u.IsCompleted).StatusDescription);
    }
}
