using Microsoft.Extensions.Logging;
using TorrentPS.Engine.Bencode;
using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Peers;
using TorrentPS.Engine.Swarm;
using TorrentPS.Engine.Text;
using TorrentPS.Engine.Trackers;

namespace TorrentPS.Engine.Session;

/// <summary>
/// The torrent's phases: checking the data on disk (or fetching a magnet's metadata first), downloading, seeding, and
/// stopping: what starts and ends each, and the result at the end. The loop's own state; the parts it starts and stops
/// are in TorrentRun.cs.
/// </summary>
internal sealed partial class TorrentRun
{
    private static readonly TimeSpan PeerSearchInterval = TimeSpan.FromSeconds(30);

    private TorrentState _state = TorrentState.Checking;
    private TorrentState _endState = TorrentState.Stopped;
    private Exception? _failure;
    private readonly SessionTicker.Slot _ticks = new();
    private TorrentAnnouncer? _announcer;
    private long _stopDeadline;
    private long _lastPeerSearchAt;
    private ITorrentData? _data;
    private TorrentCheckpoints? _checkpoints;
    private PiecePicker? _picker;
    private bool _fetchedMetadata;

    /// <summary>The first step: check the data on disk, or (a magnet) look for peers with the metadata.</summary>
    private void Begin()
    {
        _logger.LogInformation("{Torrent}: starting ({InfoHash})", Name, InfoHash);
        foreach (var endPoint in _options.Peers)
        {
            _roster.Add(endPoint, PeerSource.Manual);
        }

        StartDiscovery();
        if (Info is null)
        {
            _metadata.StartFetching();
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

    /// <summary>What the trackers hear (read from tracker tasks: the parts' counters are read whole).</summary>
    private AnnounceFigures AnnounceFigures()
    {
        var left = Info is null ? AnnounceRequest.UnknownLengthPlaceholder : Math.Max(0, _ledger.WantedBytes - _ledger.VerifiedWantedBytes);
        return new AnnounceFigures(_statusBuilder.Uploaded, _requests.Downloaded, left);
    }

    /// <summary>With no peer of use, ask the trackers again (as early as they allow) every little while.</summary>
    private void SearchPeersWhenIdle(long now)
    {
        if (_roster.IsIdle(fetchingMetadata: _metadata.IsFetching) && _time.GetElapsedTime(_lastPeerSearchAt, now) >= PeerSearchInterval)
        {
            _lastPeerSearchAt = now;
            _announcer?.RequestPeers();
            RequestDiscoveryPeers();
        }
    }

    /// <summary>No byte of progress within the no-progress timeout ends the download with an error naming what was tried.</summary>
    private void FailWhenStalled(long now)
    {
        if (!_watchdog.IsStalled(now, _options.NoProgressTimeout))
        {
            return;
        }

        var trackers = _announcer?.Trackers.Select(t => t.Snapshot(InfoHash)).ToArray() ?? [];
        Fail(new DownloadStalledException(Name, _options.NoProgressTimeout!.Value, trackers.Length, trackers.Count(t => t.Status == TrackerStatusKind.Working), _roster.KnownCount, _roster.TriedCount, _roster.ConnectedCount, _statusBuilder.LastError));
    }

    private void StartChecking(TorrentInfo info)
    {
        SetState(TorrentState.Checking);
        try
        {
            _data = _options.Data(info);
        }
        catch (Exception ex)
        {
            Fail(ex);
            return;
        }

        _checkpoints = new TorrentCheckpoints(_data, _logger, Name);
        var data = _data;
        var progress = (IProgress<long>)_ledger;
        var token = _stopping.Token;
        _ = Task.Run(async () =>
        {
            try
            {
                var verified = await data.CheckAsync(progress, token).ConfigureAwait(false);
                Post(new SwarmEvent.CheckFinished(verified, null));
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                Post(new SwarmEvent.CheckFinished(null, null));
            }
            catch (Exception ex)
            {
                Post(new SwarmEvent.CheckFinished(null, ex));
            }
        });
    }

    private void OnCheckFinished(Bitfield? verified, Exception? error)
    {
        if (_state is TorrentState.Stopping)
        {
            return;
        }

        if (error is not null)
        {
            Fail(error);
            return;
        }

        if (verified is null || Info is null || _data is null)
        {
            return;
        }

        var info = Info;
        // The pieces to fetch: the options' (one piece, none), else the data's (the files chosen, PlanFor), else all.
        var wanted = _options.WantedPieces?.Invoke(info);
        if (!_options.DownloadMissing)
        {
            if (!verified.IsComplete && !_options.AllowPartial)
            {
                Fail(new TorrentPSException("IncompleteData", TorrentErrorKind.InvalidData, $"The data of '{Name}' at {_data.ContentPath} has {verified.Count} of {info.PieceCount} pieces; complete it, or allow serving part of it."));
                return;
            }

            wanted = verified.Clone();
        }

        _picker = new PiecePicker(verified, PlanFor(info, wanted), _options.Sequential);
        var context = new PieceContext(info, _data.Storage, new PieceEvents(this), _options.MaxBufferedBytes);

        // Worth saving: pieces found, or metadata fetched from peers (a restart then need not fetch it again).
        _ledger.Begin(_picker, context, verified, worthSaving: verified.Count > 0 || _fetchedMetadata);
        _requests.Begin(_picker, context);
        SizeSequentialWindow();
        _pieces.Publish(context);
        _logger.LogInformation("{Torrent}: {Verified} of {Count} pieces already here", Name, verified.Count, info.PieceCount);
        StartAnnouncing();
        _wake.Clear();
        _availability.Adopt(_picker, _wake);
        foreach (var peer in _wake)
        {
            _requests.Wake(peer);
        }

        if (_picker.IsComplete)
        {
            OnDownloadComplete(alreadyComplete: true);
        }
        else
        {
            SetState(TorrentState.Downloading);
            DialMore();
        }

        ApplyQueuedSelectionChanges();
    }

    /// <summary>The metadata arrived and matched: the torrent is known; check the disk and download with the same connections.</summary>
    private void OnMetadataComplete(byte[] rawInfo)
    {
        TorrentInfo info;
        try
        {
            info = TorrentInfo.FromInfoDictionary(rawInfo, _trackerTiers);
        }
        catch (Exception ex) when (ex is BencodeException or InvalidTorrentException or UnsupportedTorrentException)
        {
            Fail(ex);
            return;
        }

        _logger.LogInformation("{Torrent}: metadata received ({Size} bytes): {Name}, {Length} in {Pieces} pieces", Name, rawInfo.Length, info.Name, Units.Bytes(info.Length), info.PieceCount);
        _metadata.StopFetching();
        _fetchedMetadata = true;
        Info = info;
        Name = info.Name;
        _connector.Info = info;
        if (info.IsPrivate)
        {
            // BEP 27: a private torrent's peers come from its trackers only.
            _pex = null;
            _connector.PeerExchange = false;
            StopDiscoveryForPrivate();
        }

        foreach (var peer in _roster.Connected)
        {
            peer.Link.SetPieceCount(info.PieceCount);
        }

        StartChecking(info);
    }

    private void OnDownloadComplete(bool alreadyComplete)
    {
        var now = _time.GetTimestamp();
        if (!alreadyComplete)
        {
            _logger.LogInformation("{Torrent}: download complete ({Bytes} in {Elapsed})", Name, Units.Bytes(_ledger.WantedBytes), Units.Duration(_time.GetElapsedTime(_startedAt, now)));
            _announcer?.Completed();
            SaveProgressWhenDue(now, force: true);
        }

        _availability.UpdateInterestAll();
        if (!_options.SeedsAfterDownload)
        {
            BeginStop(alreadyComplete ? "the data is already complete" : "the download is complete", TorrentState.Completed);
            return;
        }

        _goal.Begin(now);
        SetState(TorrentState.Seeding);
        foreach (var peer in _roster.Connected)
        {
            CloseIfRedundant(peer);
        }

        _choker.RequestRound();
        DialMore();
    }

    /// <summary>Saves progress off the loop when the ledger says a save is due (and none is running).</summary>
    private void SaveProgressWhenDue(long now, bool force = false)
    {
        if (_checkpoints is { Busy: false } checkpoints && _ledger.TakeCheckpoint(now, force) is { } verified)
        {
            checkpoints.Save(verified);
        }
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

    private void PublishStatus(TorrentState state) => _feed.Publish(_statusBuilder.Build(Name, state, Info, _announcer));

    /// <summary>Ends the torrent because of an error it cannot go on from.</summary>
    private void Fail(Exception error)
    {
        _failure ??= error;
        NoteError(error.Message);
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
        _roster.CloseAll(reason);
    }

    private bool ReadyToEnd() => _roster.IsEmpty || _time.GetTimestamp() >= _stopDeadline;

    /// <summary>After the loop: final checkpoint, trackers told, result published.</summary>
    private async Task EndAsync()
    {
        _ticker.Remove(this);
        await EndSelectionChangesAsync().ConfigureAwait(false);
        try
        {
            if (_checkpoints is not null && _ledger.Snapshot() is { } verified)
            {
                await _checkpoints.SaveFinalAsync(verified, _options.StopTimeout).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            _logger.LogWarning("{Torrent}: saving progress failed: {Reason}", Name, ex.Message);
            _failure ??= ex;
            _endState = TorrentState.Failed;
        }

        await EndDiscoveryAsync().ConfigureAwait(false);
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
        _feed.Complete();
        _data?.Dispose();

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
                case SwarmEvent.ChangeSelection c:
                    c.Done.TrySetException(NotRunning());
                    break;
                case SwarmEvent.SelectionChanged c:
                    Complete(c.Waiters, c.Selection, c.Error);
                    break;
            }
        }

        _logger.LogInformation("{Torrent}: {State} ({Verified}/{Count} pieces, {Downloaded} bytes down of which {Wasted} wasted, {Uploaded} bytes up)", Name, state, _ledger.VerifiedPieces, Info?.PieceCount ?? 0, _requests.Downloaded, _requests.Wasted, _statusBuilder.Uploaded);
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
        Hash = InfoHash,
        Destination = _data?.ContentPath ?? string.Empty,
        Length = Info?.Length ?? 0,
        Downloaded = _requests.Downloaded,
        Uploaded = _statusBuilder.Uploaded,
        ElapsedSpan = _time.GetElapsedTime(_startedAt),
        State = state,
        VerifiedPieces = _ledger.VerifiedPieces,
        PieceCount = Info?.PieceCount ?? 0,
        Files = _data is FileTorrentData files ? files.FilePaths : [],
        HashFailures = _ledger.HashFailures,
    };

    /// <summary>
    /// What the thread that completes a piece tells the loop: posted, never handled on that thread. Posted quietly: the
    /// only caller is a connection's reading thread inside <see cref="PieceAssembler.Deliver"/>, and the block that
    /// completed the piece is in the batch that thread posts (and wakes the loop with) when the receive is handled, so
    /// the loop wakes once per receive instead of twice (issue 20: the loop woke 2,560 times per GiB, each wake-up
    /// taking a core from the reading thread).
    /// </summary>
    private sealed class PieceEvents(TorrentRun torrent) : IPieceEvents
    {
        public void PieceVerified(int index) => torrent.PostQuietly(new SwarmEvent.PieceVerified(index));

        public void PieceFailed(int index, int[] contributors) => torrent.PostQuietly(new SwarmEvent.PieceFailed(index, contributors));

        public void StorageFailed(int index, Exception error) => torrent.PostQuietly(new SwarmEvent.StorageFailed(index, error));
    }
}
