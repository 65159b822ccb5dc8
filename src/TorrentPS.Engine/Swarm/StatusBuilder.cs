using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Rates;
using TorrentPS.Engine.Trackers;

namespace TorrentPS.Engine.Swarm;

/// <summary>
/// The torrent's status snapshots: the transfer rates (one estimator, sampled on the loop's clock), the bytes uploaded,
/// the most recent error, and the figures of the other parts put together as an immutable <see cref="TorrentStatus"/>.
/// Owned by the loop.
/// </summary>
internal sealed class StatusBuilder
{
    private readonly InfoHash _infoHash;
    private readonly PieceLedger _ledger;
    private readonly RequestScheduler _requests;
    private readonly PeerRoster _roster;
    private readonly SeedingGoal _goal;
    private readonly TimeProvider _time;
    private readonly long _startedAt;
    private readonly RateMeter _download;
    private readonly RateMeter _upload;
    private readonly RateMeter _check;
    private long _uploaded;

    public StatusBuilder(InfoHash infoHash, PieceLedger ledger, RequestScheduler requests, PeerRoster roster, SeedingGoal goal, TimeProvider time, long startedAt)
    {
        _infoHash = infoHash;
        _ledger = ledger;
        _requests = requests;
        _roster = roster;
        _goal = goal;
        _time = time;
        _startedAt = startedAt;
        _download = new RateMeter(RateWindow);
        _upload = new RateMeter(RateWindow);
        _check = new RateMeter(RateWindow);
    }

    /// <summary>Block bytes sent in this run, as of the last tick (read whole from any thread).</summary>
    public long Uploaded => Volatile.Read(ref _uploaded);

    /// <summary>What went wrong most recently (a tracker, a peer, a piece), for a user wondering why nothing happens.</summary>
    public string? LastError { get; private set; }

    private long RateWindow => 5 * _time.TimestampFrequency;

    public void NoteError(string error) => LastError = error;

    /// <summary>The clock: the counters sampled for the rates.</summary>
    public void Sample(long now)
    {
        var uploaded = _roster.CountUploaded();
        Volatile.Write(ref _uploaded, uploaded);
        _download.Sample(_requests.Downloaded, now, _time.TimestampFrequency);
        _upload.Sample(uploaded, now, _time.TimestampFrequency);
        _check.Sample(_ledger.CheckedBytes, now, _time.TimestampFrequency);
    }

    /// <summary>Every byte sent counted (the torrent ended: the result and the stopped announce say all of it).</summary>
    public void CountFinalUpload() => Volatile.Write(ref _uploaded, _roster.CountUploaded());

    public TorrentStatus Build(string name, TorrentState state, TorrentInfo? info, TorrentAnnouncer? announcer)
    {
        var now = _time.GetTimestamp();
        var downloadRate = _download.BytesPerSecond;
        var uploadRate = _upload.BytesPerSecond;
        var uploaded = Uploaded;
        var length = info?.Length ?? 0;
        var left = _ledger.WantedBytes - _ledger.VerifiedWantedBytes;
        var metadataPeers = 0;
        foreach (var peer in _roster.Connected)
        {
            metadataPeers += peer.Extensions?.MetadataSize is > 0 ? 1 : 0;
        }

        TimeSpan? remaining = null;
        double? goalPercent = null;
        var checkRate = state == TorrentState.Checking ? _check.BytesPerSecond : 0;
        if (state == TorrentState.Checking && checkRate > 0 && length > 0)
        {
            remaining = TimeSpan.FromSeconds(Math.Max(0, length - _ledger.CheckedBytes) / checkRate);
        }
        else if (state == TorrentState.Downloading && downloadRate > 0)
        {
            remaining = TimeSpan.FromSeconds(Math.Min(left / downloadRate, TimeSpan.FromDays(365).TotalSeconds));
        }
        else if (state == TorrentState.Seeding && _goal.HasGoal)
        {
            var (done, goalLeft) = _goal.Progress(now, uploaded, length, uploadRate);
            goalPercent = done * 100;
            remaining = goalLeft;
        }

        var trackersWorking = 0;
        if (announcer is not null)
        {
            foreach (var tracker in announcer.Trackers)
            {
                trackersWorking += tracker.Snapshot(_infoHash).Status == TrackerStatusKind.Working ? 1 : 0;
            }
        }

        return new TorrentStatus
        {
            Name = name,
            Hash = _infoHash,
            State = state,
            Length = length,
            TotalBytes = _ledger.WantedBytes,
            VerifiedBytes = _ledger.VerifiedWantedBytes,
            CheckedBytes = _ledger.CheckedBytes,
            CheckRate = checkRate,
            PieceCount = info?.PieceCount ?? 0,
            VerifiedPieces = _ledger.VerifiedPieces,
            Downloaded = _requests.Downloaded,
            Uploaded = uploaded,
            DownloadRate = downloadRate,
            UploadRate = uploadRate,
            PeersConnected = _roster.ConnectedCount,
            PeersKnown = _roster.KnownCount,
            PeersFound = _roster.Found,
            Seeds = _roster.CountSeeds(),
            MetadataPeers = metadataPeers,
            TimeRemainingSpan = remaining,
            SeedGoalPercent = goalPercent,
            SeedingTimeSpan = _goal.Seeded(now),
            ElapsedSpan = _time.GetElapsedTime(_startedAt, now),
            HashFailures = _ledger.HashFailures,
            TrackerCount = announcer?.Trackers.Count ?? 0,
            TrackersWorking = trackersWorking,
            LastError = LastError,
            Ratio = length > 0 ? (double)uploaded / length : 0,
        };
    }
}
