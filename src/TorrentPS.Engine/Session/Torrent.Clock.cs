using Microsoft.Extensions.Logging;
using TorrentPS.Engine.Swarm;
using TorrentPS.Engine.Trackers;
using TorrentPS.Engine.Wire;

namespace TorrentPS.Engine.Session;

/// <summary>The torrent's clock: rates, request depths and timeouts, choking rounds, keep-alives, checkpoints, status.</summary>
public sealed partial class Torrent
{
    private static readonly TimeSpan KeepAliveInterval = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan PeerSearchInterval = TimeSpan.FromSeconds(30);

    private readonly Random _random = new();
    private readonly List<ChokeCandidate> _chokeCandidates = new();
    private RateMeter? _downloadRate;
    private RateMeter? _uploadRate;
    private long _uploaded;
    private long _lastProgressAt;
    private long _lastChokeAt;
    private long _lastOptimisticAt;
    private long _lastPeerSearchAt;
    private int? _optimistic;
    private bool _chokeSoon;
    private int _trackersAnswered;
    private string? _lastError;

    private long RateWindow => 5 * _time.TimestampFrequency;

    private AnnounceFigures AnnounceFigures()
    {
        // Read from tracker tasks: the loop's counters are plain longs, read whole on 64-bit.
        var left = Info is null ? AnnounceRequest.UnknownLengthPlaceholder : Math.Max(0, Volatile.Read(ref _wantedBytes) - Volatile.Read(ref _verifiedWantedBytes));
        return new AnnounceFigures(Volatile.Read(ref _uploaded), Volatile.Read(ref _downloaded), left);
    }

    /// <summary>After each batch of events: top up pipelines that changed, send what was queued, run the choker when asked.</summary>
    private void AfterBatch()
    {
        if (_needRequests.Count > 0)
        {
            foreach (var peer in _needRequests)
            {
                FillRequests(peer);
            }

            _needRequests.Clear();
        }

        if (_chokeSoon && _state is TorrentState.Downloading or TorrentState.Seeding)
        {
            RunChoker(_time.GetTimestamp(), roundDue: false);
        }

        if (_needFlush.Count > 0)
        {
            foreach (var peer in _needFlush)
            {
                peer.Link.Flush();
            }

            _needFlush.Clear();
        }
    }

    private void OnTick()
    {
        var now = _time.GetTimestamp();
        var frequency = _time.TimestampFrequency;
        _downloadRate ??= new RateMeter(RateWindow);
        _uploadRate ??= new RateMeter(RateWindow);
        var uploaded = CountUploaded();
        foreach (var peer in _peers.Values)
        {
            peer.DownloadRate.Sample(peer.Link.DownloadedBytes, now, frequency);
            peer.UploadRate.Sample(peer.Link.UploadedBytes, now, frequency);
            var depth = RequestDepth.For(peer.DownloadRate.BytesPerSecond, peer.RequestQueueLimit, peer.Snubbed);
            if (depth > peer.Depth)
            {
                _needRequests.Add(peer);
            }

            peer.Depth = depth;
            if (_time.GetElapsedTime(peer.LastSentAt, now) > KeepAliveInterval)
            {
                peer.Link.Enqueue(new OutgoingMessage(PeerMessageType.KeepAlive));
                peer.LastSentAt = now;
                _needFlush.Add(peer);
            }
        }

        Volatile.Write(ref _uploaded, uploaded);
        if (_logger.IsEnabled(LogLevel.Trace))
        {
            foreach (var peer in _peers.Values)
            {
                _logger.LogTrace("{Torrent}: {Peer} {Rate:0.0} MB/s, depth {Depth}, {Outstanding} outstanding, {Active} pieces active ({Buffered} bytes), choking us {Choking}", Name, peer, peer.DownloadRate.BytesPerSecond / 1e6, peer.Depth, peer.Outstanding.Count, _picker?.Active.Count, _context?.Buffers.BufferedBytes, peer.PeerChoking);
            }
        }

        _downloadRate.Sample(_downloaded, now, frequency);
        _uploadRate.Sample(uploaded, now, frequency);

        switch (_state)
        {
            case TorrentState.Downloading:
                CheckRequestTimeouts(now);
                DialMore();
                SearchPeersWhenIdle(now);
                CheckStalled(now);
                break;
            case TorrentState.FetchingMetadata:
                MetadataTick(now);
                DialMore();
                SearchPeersWhenIdle(now);
                CheckStalled(now);
                break;
            case TorrentState.Seeding:
                CheckSeedingGoals(now);
                DialMore();
                break;
        }

        if (_state is TorrentState.Downloading or TorrentState.Seeding && _time.GetElapsedTime(_lastChokeAt, now) >= Choker.Round)
        {
            RunChoker(now, roundDue: true);
        }

        RequestCheckpoint(now);
        PublishStatus(_state);
    }

    /// <summary>Block bytes uploaded in this run: by connections that closed, and so far by those still open.</summary>
    private long CountUploaded()
    {
        var uploaded = _uploadedByClosed;
        foreach (var peer in _peers.Values)
        {
            uploaded += peer.Link.UploadedBytes;
        }

        return uploaded;
    }

    /// <summary>With no peer to download from, ask the trackers again (as early as they allow) every little while.</summary>
    private void SearchPeersWhenIdle(long now)
    {
        var working = false;
        foreach (var peer in _peers.Values)
        {
            working |= peer.Interesting > 0 || (_picker is null && peer.Extensions?.MetadataSize is > 0);
        }

        if (!working && _connecting == 0 && _time.GetElapsedTime(_lastPeerSearchAt, now) >= PeerSearchInterval)
        {
            _lastPeerSearchAt = now;
            _announcer?.RequestPeers();
        }
    }

    /// <summary>No byte of progress within the no-progress timeout ends the download with an error naming what was tried.</summary>
    private void CheckStalled(long now)
    {
        if (_options.NoProgressTimeout is not { } limit || _time.GetElapsedTime(_lastProgressAt == 0 ? _startedAt : _lastProgressAt, now) < limit)
        {
            return;
        }

        var trackers = _announcer?.Trackers.Select(t => t.Snapshot(InfoHash)).ToArray() ?? [];
        var tried = _candidates.All.Count(c => c.State != PeerCandidateState.Idle || c.Failures > 0 || c.LastError is not null);
        Fail(new DownloadStalledException(Name, limit, trackers.Length, trackers.Count(t => t.Status == TrackerStatusKind.Working), _candidates.Count, tried, _peers.Count, _lastError));
    }

    /// <summary>
    /// A choking round (every 10 s, or at once when a slot frees or a new peer wants one): the choker's decision applied;
    /// a newly choked peer's queued uploads are taken back (rejected with BEP 6).
    /// </summary>
    private void RunChoker(long now, bool roundDue)
    {
        _chokeSoon = false;
        _chokeCandidates.Clear();
        foreach (var peer in _peers.Values)
        {
            _chokeCandidates.Add(new ChokeCandidate(peer.Id, peer.PeerInterested, peer.Snubbed, peer.DownloadRate.BytesPerSecond, peer.UploadRate.BytesPerSecond, peer.ConnectedAt));
        }

        var rotate = _time.GetElapsedTime(_lastOptimisticAt, now) >= Choker.OptimisticRound;
        var seeding = _state == TorrentState.Seeding || _picker is { IsComplete: true };
        var decision = Choker.Decide(_chokeCandidates, seeding, _options.UploadSlots, _optimistic, rotate, now, (long)(Choker.NewPeerAge.TotalSeconds * _time.TimestampFrequency), _random);
        if (rotate)
        {
            _lastOptimisticAt = now;
        }

        if (roundDue)
        {
            _lastChokeAt = now;
        }

        _optimistic = decision.Optimistic;
        foreach (var peer in _peers.Values)
        {
            var unchoke = decision.Unchoked.Contains(peer.Id) && _picker is not null;
            if (unchoke && peer.AmChoking)
            {
                peer.AmChoking = false;
                peer.UnchokedAt = now;
                peer.Link.AmChoking = false;
                peer.Link.Enqueue(OutgoingMessage.Signal(PeerMessageType.Unchoke));
                _needFlush.Add(peer);
            }
            else if (!unchoke && !peer.AmChoking)
            {
                peer.AmChoking = true;
                peer.Link.AmChoking = true;
                peer.Link.Enqueue(OutgoingMessage.Signal(PeerMessageType.Choke));
                foreach (var upload in peer.Link.TakeUploads())
                {
                    if (peer.Link.FastExtension)
                    {
                        peer.Link.Enqueue(OutgoingMessage.Reject(upload.Index, upload.Begin, upload.Length));
                    }
                }

                _needFlush.Add(peer);
            }
        }
    }

    private void PublishStatus(TorrentState state)
    {
        var downloadRate = _downloadRate?.BytesPerSecond ?? 0;
        var left = _wantedBytes - _verifiedWantedBytes;
        var seeds = 0;
        var metadataPeers = 0;
        foreach (var peer in _peers.Values)
        {
            seeds += peer.IsSeed ? 1 : 0;
            metadataPeers += peer.Extensions?.MetadataSize is > 0 ? 1 : 0;
        }

        var status = new TorrentStatus
        {
            Name = Name,
            InfoHash = InfoHash,
            State = state,
            TotalBytes = _wantedBytes,
            VerifiedBytes = _verifiedWantedBytes,
            CheckedBytes = Volatile.Read(ref _checkedBytes),
            PieceCount = Info?.PieceCount ?? 0,
            VerifiedPieces = _picker?.Have.Count ?? 0,
            Downloaded = _downloaded,
            Uploaded = _uploaded,
            DownloadRate = downloadRate,
            UploadRate = _uploadRate?.BytesPerSecond ?? 0,
            PeersConnected = _peers.Count,
            PeersKnown = _candidates.Count,
            Seeds = seeds,
            MetadataPeers = metadataPeers,
            TimeRemaining = state == TorrentState.Downloading && downloadRate > 0 ? TimeSpan.FromSeconds(Math.Min(left / downloadRate, TimeSpan.FromDays(365).TotalSeconds)) : null,
            Elapsed = _time.GetElapsedTime(_startedAt),
            HashFailures = _hashFailures,
            TrackerCount = _announcer?.Trackers.Count ?? 0,
            TrackersWorking = _announcer?.Trackers.Count(t => t.Snapshot(InfoHash).Status == TrackerStatusKind.Working) ?? 0,
            LastError = _lastError,
            Ratio = Info is { Length: > 0 } info ? (double)_uploaded / info.Length : 0,
        };
        Volatile.Write(ref _status, status);
        try
        {
            _onStatus?.Invoke(status);
        }
        catch (Exception ex)
        {
            _logger.LogDebug("{Torrent}: the status handler failed: {Reason}", Name, ex.Message);
        }
    }
}
