using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Peers;
using TorrentPS.Engine.Swarm;
using TorrentPS.Engine.Trackers;
using TorrentPS.Engine.Wire;

namespace TorrentPS.Engine.Session;

/// <summary>
/// One running torrent. Its state (pieces, peers, requests, choking, trackers) is owned by one loop that reads one
/// channel and awaits nothing else: connection threads, trackers, the disk and the clock post <see cref="SwarmEvent"/>s
/// to it. See Swarm/INVARIANTS.md for what each part may touch. Start it from <see cref="TorrentSession"/>; it ends by
/// itself (completed, or failed) or when stopped, with <see cref="Completion"/> giving the result.
/// </summary>
public sealed partial class Torrent
{
    private readonly EventQueue<SwarmEvent> _events = new();
    private readonly TaskCompletionSource<DownloadResult> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stopping = new();
    private readonly TorrentOptions _options;
    private readonly TorrentIdentity _identity;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly Action<TorrentStatus>? _onStatus;
    private readonly IReadOnlyList<IReadOnlyList<string>> _trackerTiers;
    private readonly long _startedAt;
    private TorrentStatus _status;
    private TorrentState _state = TorrentState.Checking;
    private TorrentState _endState = TorrentState.Stopped;
    private Exception? _failure;
    private ITimer? _timer;
    private TorrentAnnouncer? _announcer;
    private long _stopDeadline;
    private readonly SessionLimits _sessionLimits;
    private readonly TransferLimits _transferLimits;

    internal Torrent(InfoHash infoHash, string name, TorrentInfo? info, IReadOnlyList<IReadOnlyList<string>> trackerTiers, TorrentOptions options, TorrentIdentity identity, TimeProvider? time, ILoggerFactory? loggers, Action<TorrentStatus>? onStatus, SessionLimits? limits = null)
    {
        _sessionLimits = limits ?? new SessionLimits();
        _transferLimits = new TransferLimits(
            options.UploadRateLimit > 0 ? new TokenBucket(options.UploadRateLimit, time) : null,
            _sessionLimits.Upload,
            options.DownloadRateLimit > 0 ? new TokenBucket(options.DownloadRateLimit, time) : null,
            _sessionLimits.Download);
        InfoHash = infoHash;
        Name = name;
        Info = info;
        _trackerTiers = trackerTiers;
        _options = options;
        _identity = identity;
        _time = time ?? TimeProvider.System;
        _loggers = loggers ?? NullLoggerFactory.Instance;
        _logger = _loggers.CreateLogger<Torrent>();
        _onStatus = onStatus;
        _startedAt = _time.GetTimestamp();
        _candidates = new PeerSet(_time.TimestampFrequency);
        _status = new TorrentStatus { Name = name, InfoHash = infoHash, State = TorrentState.Checking };
    }

    public InfoHash InfoHash { get; }

    /// <summary>The torrent's name (a magnet's display name until its metadata arrives).</summary>
    public string Name { get; private set; }

    /// <summary>The metainfo; null while a magnet link's metadata is being fetched.</summary>
    public TorrentInfo? Info { get; private set; }

    /// <summary>The latest status snapshot.</summary>
    public TorrentStatus Status => Volatile.Read(ref _status);

    /// <summary>Our peer id for this torrent.</summary>
    public PeerId PeerId => _identity.PeerId;

    /// <summary>Ends with the result (Completed, Stopped); faults with a typed error when the torrent failed.</summary>
    public Task<DownloadResult> Completion => _completion.Task;

    /// <summary>Stops the torrent: connections close, progress is saved, trackers hear <c>stopped</c>. Returns at once.</summary>
    public void Stop(string reason = "stopped by the user") => Post(new SwarmEvent.Stop(reason));

    /// <summary>Stops the torrent and waits for it to end.</summary>
    public async Task<DownloadResult> StopAsync(string reason = "stopped by the user")
    {
        Stop(reason);
        return await Completion.ConfigureAwait(false);
    }

    /// <summary>Adds peers to connect to.</summary>
    public void AddPeers(IEnumerable<IPEndPoint> endPoints, PeerSource source = PeerSource.Manual)
        => Post(new SwarmEvent.PeersFound(endPoints.Select(e => new TorrentPeer(e.Address, e.Port, InfoHash, source)).ToArray()));

    /// <summary>Runs <paramref name="action"/> on the loop, after everything posted before (for tests and status queries).</summary>
    public Task RunOnLoopAsync(Action action)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var posted = _events.TryPost(new SwarmEvent.Barrier(() =>
        {
            try
            {
                action();
                done.TrySetResult();
            }
            catch (Exception ex)
            {
                done.TrySetException(ex);
            }
        }));
        if (!posted)
        {
            done.TrySetException(new InvalidOperationException("The torrent has ended."));
        }

        return done.Task;
    }

    /// <summary>Posts an event to the loop; false once the loop has ended (the event is dropped).</summary>
    internal bool Post(SwarmEvent message)
    {
        if (_events.TryPost(message))
        {
            return true;
        }

        if (message is SwarmEvent.PeerMessages late)
        {
            late.Batch.Return();
        }

        return false;
    }

    /// <summary>Starts the loop on a thread of its own (the session calls it once).</summary>
    internal void Start() => ConnectionThread.Start($"TorrentPS torrent {InfoHash.Hex[..8]}", Run);

    private void Run()
    {
        try
        {
            _timer = _time.CreateTimer(static s => _ = ((Torrent)s!).Post(new SwarmEvent.Tick()), this, _options.TickInterval, _options.TickInterval);
            Begin();
            while (true)
            {
                var batch = _events.TakeAll();
                if (batch.Count == 0)
                {
                    break;
                }

                foreach (var message in batch)
                {
                    try
                    {
                        Handle(message);
                    }
                    catch (Exception ex)
                    {
                        // A defect of ours: the torrent ends with a typed error (and a logged stack), the process goes on.
                        _logger.LogError(ex, "{Torrent}: the loop failed handling {Event}", Name, message.GetType().Name);
                        Fail(ex as TorrentPSException ?? new TorrentPSException("TorrentFailed", TorrentErrorKind.NotImplemented, $"The torrent {Name} stopped on an internal error: {ex.Message}", ex));
                    }
                }

                AfterBatch();
                if (_state == TorrentState.Stopping && ReadyToEnd())
                {
                    break;
                }
            }

            // The result and the stopped announce count every byte sent, not only those counted at the last tick.
            Volatile.Write(ref _uploaded, CountUploaded());
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "{Torrent}: the loop failed", Name);
            _failure ??= new TorrentPSException("TorrentFailed", TorrentErrorKind.NotImplemented, $"The torrent {Name} stopped on an internal error: {ex.Message}", ex);
            _endState = TorrentState.Failed;
        }

        _events.Complete();
        _ = EndAsync();
    }

    private void Handle(SwarmEvent message)
    {
        switch (message)
        {
            case SwarmEvent.PeerMessages m:
                try
                {
                    OnPeerMessages(m.Link, m.Batch);
                }
                finally
                {
                    m.Batch.Return();
                }

                break;
            case SwarmEvent.PieceVerified v:
                OnPieceVerified(v.Index);
                break;
            case SwarmEvent.PieceFailed f:
                OnPieceFailed(f.Index, f.Contributors);
                break;
            case SwarmEvent.PeerConnected c:
                OnPeerConnected(c.Link);
                break;
            case SwarmEvent.PeerClosed c:
                OnPeerClosed(c.Link, c.Reason);
                break;
            case SwarmEvent.ConnectFailed f:
                OnConnectFailed(f.EndPoint, f.Reason);
                break;
            case SwarmEvent.PeersFound p:
                OnPeersFound(p.Peers);
                break;
            case SwarmEvent.Tick:
                OnTick();
                break;
            case SwarmEvent.CheckFinished c:
                OnCheckFinished(c.Verified, c.Error);
                break;
            case SwarmEvent.StorageFailed s:
                OnStorageFailed(s.Index, s.Error);
                break;
            case SwarmEvent.TrackerAnswered t:
                _trackersAnswered++;
                _logger.LogDebug("{Torrent}: {Tracker} named {Count} peers", Name, t.Url, t.PeerCount);
                break;
            case SwarmEvent.TrackerFailed t:
                _lastError = $"tracker {t.Url}: {t.Reason}";
                break;
            case SwarmEvent.Stop s:
                BeginStop(s.Reason, _picker is { IsComplete: true } ? TorrentState.Completed : TorrentState.Stopped);
                break;
            case SwarmEvent.Barrier b:
                b.Action();
                break;
        }
    }

    /// <summary>The first step: check the data on disk, or (a magnet) look for peers with the metadata.</summary>
    private void Begin()
    {
        _logger.LogInformation("{Torrent}: starting ({InfoHash})", Name, InfoHash);
        foreach (var endPoint in _options.Peers)
        {
            _candidates.Add(endPoint, PeerSource.Manual);
        }

        if (Info is null)
        {
            _metadata = new MetadataFetcher(InfoHash, (long)(MetadataRequestTimeout.TotalSeconds * _time.TimestampFrequency));
            SetState(TorrentState.FetchingMetadata);
            StartAnnouncing();
            return;
        }

        StartChecking(Info);
    }

    private void StartAnnouncing()
    {
        if (!_options.UseTrackers || _announcer is not null || _trackerTiers.Count == 0)
        {
            return;
        }

        _announcer = new TorrentAnnouncer(
            InfoHash,
            _trackerTiers,
            new AnnounceIdentity(_identity.PeerId, _identity.ListenPort, _identity.TrackerKey, _options.LocalAddress),
            _options.Trackers with { LocalAddress = _options.Trackers.LocalAddress ?? _options.LocalAddress },
            AnnounceFigures,
            (url, peers) =>
            {
                Post(new SwarmEvent.TrackerAnswered(url, peers.Count));
                Post(new SwarmEvent.PeersFound(peers.Select(p => new TorrentPeer(p.Address, p.Port, InfoHash, PeerSource.Tracker, url)).ToArray()));
            },
            (url, reason) => Post(new SwarmEvent.TrackerFailed(url, reason)),
            _time,
            _loggers.CreateLogger<TorrentAnnouncer>());
        _announcer.Start();
    }

    private void SetState(TorrentState state)
    {
        if (_state != state)
        {
            _logger.LogDebug("{Torrent}: {From} -> {To}", Name, _state, state);
            _state = state;
            PublishStatus(state);
        }
    }

    /// <summary>Ends the torrent because of an error it cannot go on from.</summary>
    private void Fail(Exception error)
    {
        _failure ??= error;
        _lastError = error.Message;
        BeginStop(error.Message, TorrentState.Failed);
    }

    /// <summary>Starts stopping: no more dials or requests, every connection closes; the loop ends when they are gone (or after a grace period).</summary>
    private void BeginStop(string reason, TorrentState endState)
    {
        if (_state is TorrentState.Stopping)
        {
            return;
        }

        _endState = endState;
        _logger.LogInformation("{Torrent}: stopping: {Reason}", Name, reason);
        SetState(TorrentState.Stopping);
        _stopDeadline = _time.GetTimestamp() + (long)(_options.StopTimeout.TotalSeconds * _time.TimestampFrequency);
        _stopping.Cancel();
        foreach (var peer in _peers.Values)
        {
            peer.Link.Close(reason);
        }
    }

    private bool ReadyToEnd() => (_peers.Count == 0 && _connecting == 0) || _time.GetTimestamp() >= _stopDeadline;

    /// <summary>After the loop: final checkpoint, trackers told, result published.</summary>
    private async Task EndAsync()
    {
        _timer?.Dispose();
        try
        {
            await SaveFinalCheckpointAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _logger.LogWarning("{Torrent}: saving progress failed: {Reason}", Name, ex.Message);
            _failure ??= ex;
            _endState = TorrentState.Failed;
        }

        if (_announcer is not null)
        {
            try
            {
                await _announcer.StopAsync(_options.StopTimeout).ConfigureAwait(false);
                await _announcer.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                _logger.LogDebug("{Torrent}: telling trackers we stopped failed: {Reason}", Name, ex.Message);
            }
        }

        var state = _endState;
        PublishStatus(state);
        _data?.Dispose();

        // Batches posted by connections that ended after the loop: give their buffers back.
        // Events posted after the loop's last batch: give batches back, let waiters go.
        foreach (var late in _events.TakeAll())
        {
            switch (late)
            {
                case SwarmEvent.PeerMessages m:
                    m.Batch.Return();
                    break;
                case SwarmEvent.Barrier b:
                    b.Action();
                    break;
            }
        }

        _logger.LogInformation("{Torrent}: {State} ({Verified}/{Count} pieces, {Downloaded} bytes down, {Uploaded} up)", Name, state, _picker?.Have.Count ?? 0, Info?.PieceCount ?? 0, _downloaded, _uploaded);
        if (state == TorrentState.Failed && _failure is not null)
        {
            _completion.TrySetException(_failure);
        }
        else
        {
            _completion.TrySetResult(CreateResult(state));
        }
    }

    private DownloadResult CreateResult(TorrentState state) => new()
    {
        Name = Name,
        InfoHash = InfoHash,
        Destination = _data?.ContentPath ?? string.Empty,
        Length = Info?.Length ?? 0,
        Downloaded = _downloaded,
        Uploaded = _uploaded,
        Elapsed = _time.GetElapsedTime(_startedAt),
        State = state,
        VerifiedPieces = _picker?.Have.Count ?? 0,
        PieceCount = Info?.PieceCount ?? 0,
        Files = _data is FileTorrentData files ? files.FilePaths : [],
        HashFailures = _hashFailures,
    };
}

/// <summary>Who a torrent is to peers and trackers: its peer id, the port we listen on, the tracker key.</summary>
public sealed record TorrentIdentity(PeerId PeerId, int ListenPort, uint TrackerKey);
