using Microsoft.Extensions.Logging;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Swarm;
using TorrentPS.Engine.Wire;

namespace TorrentPS.Engine.Session;

/// <summary>The torrent's pieces: the check it starts with, pieces verified or failed, blame, completion, checkpoints.</summary>
public sealed partial class Torrent : IPieceEvents
{
    /// <summary>Blame that bans a peer: a piece it supplied alone counts 2, one it shared counts 1.</summary>
    private const int BanStrikes = 4;

    private readonly PieceContextHolder _pieces = new();
    private ITorrentData? _data;
    private PiecePicker? _picker;
    private PieceContext? _context;
    private long _checkedBytes;
    private long _wantedBytes;
    private long _verifiedWantedBytes;
    private int _hashFailures;
    private bool _checkpointDirty;
    private long _lastCheckpointAt;
    private Task _checkpointing = Task.CompletedTask;
    private long _seedingSince;
    private long _uploadedAtCompletion;
    private bool _fetchedMetadata;

    void IPieceEvents.PieceVerified(int index) => Post(new SwarmEvent.PieceVerified(index));

    void IPieceEvents.PieceFailed(int index, int[] contributors) => Post(new SwarmEvent.PieceFailed(index, contributors));

    void IPieceEvents.StorageFailed(int index, Exception error) => Post(new SwarmEvent.StorageFailed(index, error));

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

        var data = _data;
        var progress = new Progress(this);
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
        var wanted = _options.WantedPieces?.Invoke(info);
        if (!_options.DownloadMissing)
        {
            if (!verified.IsComplete && !_options.AllowPartial)
            {
                Fail(new Errors.TorrentPSException("IncompleteData", Errors.TorrentErrorKind.InvalidData, $"The data of '{Name}' at {_data.ContentPath} has {verified.Count} of {info.PieceCount} pieces; complete it, or allow serving part of it."));
                return;
            }

            wanted = verified.Clone();
        }
        _picker = new PiecePicker(verified, wanted);
        _context = new PieceContext(info, _data.Storage, this, _options.MaxBufferedBytes);
        for (var i = verified.NextIndex(0); i >= 0; i = verified.NextIndex(i + 1))
        {
            _context.Verified.Add(i);
        }

        for (var i = 0; i < info.PieceCount; i++)
        {
            if (_picker.Wanted[i])
            {
                var length = info.GetPieceLength(i);
                _wantedBytes += length;
                _verifiedWantedBytes += verified[i] ? length : 0;
            }
        }

        _pieces.Publish(_context);
        // Worth saving: pieces found, or metadata fetched from peers (a restart then need not fetch it again).
        _checkpointDirty = verified.Count > 0 || _fetchedMetadata;
        _logger.LogInformation("{Torrent}: {Verified} of {Count} pieces already here", Name, verified.Count, info.PieceCount);
        _lastProgressAt = _time.GetTimestamp();
        StartAnnouncing();
        AdoptPiecesForConnectedPeers();
        if (_picker.IsComplete)
        {
            OnDownloadComplete(alreadyComplete: true);
            return;
        }

        SetState(TorrentState.Downloading);
        DialMore();
    }

    private void OnPieceVerified(int index)
    {
        if (_picker is null || _context is null || _picker.Have[index])
        {
            return;
        }

        var now = _time.GetTimestamp();
        _picker.MarkVerified(index);
        _context.Verified.Add(index);
        _context.Buffers.Remove(index);
        if (_picker.Wanted[index])
        {
            _verifiedWantedBytes += Info!.GetPieceLength(index);
        }

        _checkpointDirty = true;
        _lastProgressAt = now;
        foreach (var peer in _peers.Values)
        {
            CancelRequestsFor(peer, index);
            if (peer.Has(index))
            {
                if (_picker.Wanted[index])
                {
                    peer.Interesting--;
                    UpdateInterest(peer);
                }
            }
            else
            {
                peer.Link.Enqueue(OutgoingMessage.Have(index));
                _needFlush.Add(peer);
            }
        }

        if (_picker.IsComplete && _state == TorrentState.Downloading)
        {
            OnDownloadComplete(alreadyComplete: false);
        }
    }

    /// <summary>Requests still out for blocks of a piece already verified (endgame copies) are cancelled.</summary>
    private void CancelRequestsFor(PeerState peer, int index)
    {
        var outstanding = peer.Outstanding;
        var removed = false;
        for (var i = outstanding.Count - 1; i >= 0; i--)
        {
            if (outstanding[i].Piece == index)
            {
                var block = outstanding[i];
                outstanding.RemoveAt(i);
                peer.Link.Enqueue(OutgoingMessage.Cancel(block.Piece, block.Begin, BlockLength(block)));
                removed = true;
            }
        }

        if (removed)
        {
            _needFlush.Add(peer);
            _needRequests.Add(peer);
        }
    }

    /// <summary>A piece failed its hash: its blocks are missing again, and the peers that supplied them are blamed; repeat offenders are banned.</summary>
    private void OnPieceFailed(int index, int[] contributors)
    {
        _hashFailures++;
        _lastError = $"piece {index} failed its hash check";
        _logger.LogWarning("{Torrent}: piece {Index} failed its hash check; it will be fetched again (blocks from {Peers})", Name, index, string.Join(", ", contributors.Select(DescribePeer)));
        if (_picker?.GetProgress(index) is { } progress)
        {
            progress.Suspects = contributors;
        }

        var blame = contributors.Length == 1 ? 2 : 1;
        foreach (var id in contributors)
        {
            if (!_peers.TryGetValue(id, out var peer))
            {
                continue;
            }

            peer.Strikes += blame;
            if (peer.Strikes >= BanStrikes)
            {
                var reason = $"sent data that failed the hash check of {peer.Strikes / 2}+ pieces";
                _logger.LogWarning("{Torrent}: banning peer {Peer} for this session: {Reason}", Name, peer, reason);
                if (peer.Link.IsOutgoing && _candidates.Get(peer.Link.EndPoint) is { } candidate)
                {
                    _candidates.Ban(candidate, reason);
                }

                _bannedPeerIds.Add(peer.Link.PeerId);
                _bannedAddresses.Add(peer.Link.EndPoint.Address);
                peer.Link.Close(reason);
            }
        }

        foreach (var peer in _peers.Values)
        {
            _needRequests.Add(peer);
        }
    }

    private string DescribePeer(int id) => _peers.TryGetValue(id, out var peer) ? peer.ToString() : $"#{id} (gone)";

    private void OnStorageFailed(int index, Exception error)
    {
        _logger.LogError("{Torrent}: writing piece {Index} failed: {Reason}", Name, index, error.Message);
        Fail(error);
    }

    private void OnDownloadComplete(bool alreadyComplete)
    {
        var now = _time.GetTimestamp();
        if (!alreadyComplete)
        {
            _logger.LogInformation("{Torrent}: download complete ({Bytes} bytes in {Elapsed})", Name, _wantedBytes, _time.GetElapsedTime(_startedAt));
            _announcer?.Completed();
            RequestCheckpoint(now, force: true);
        }

        foreach (var peer in _peers.Values)
        {
            UpdateInterest(peer);
        }

        var seed = _options.SeedsAfterDownload;
        if (!seed)
        {
            BeginStop(alreadyComplete ? "the data is already complete" : "the download is complete", TorrentState.Completed);
            return;
        }

        _seedingSince = now;
        _uploadedAtCompletion = _uploaded;
        SetState(TorrentState.Seeding);
        _chokeSoon = true;
        DialMore();
    }

    /// <summary>Seeding ends when the ratio or the time asked for is reached.</summary>
    private void CheckSeedingGoals(long now)
    {
        if (_state != TorrentState.Seeding || _options.SeedUntilStopped || Info is null)
        {
            return;
        }

        var ratioReached = _options.SeedRatio is { } ratio && Info.Length > 0 && (double)_uploaded / Info.Length >= ratio;
        var timeReached = _options.SeedTime is { } time && _time.GetElapsedTime(_seedingSince, now) >= time;
        if (ratioReached || timeReached)
        {
            BeginStop(ratioReached ? $"the share ratio {_options.SeedRatio:0.##} was reached" : $"seeded for {_options.SeedTime}", TorrentState.Completed);
        }
    }

    /// <summary>Saves progress off the loop when pieces were verified since the last save (every few seconds).</summary>
    private void RequestCheckpoint(long now, bool force = false)
    {
        if (_data is null || _picker is null || !_checkpointDirty || !_checkpointing.IsCompleted)
        {
            return;
        }

        if (!force && _time.GetElapsedTime(_lastCheckpointAt, now) < _options.CheckpointInterval)
        {
            return;
        }

        var data = _data;
        var snapshot = _picker.Have.Clone();
        _checkpointDirty = false;
        _lastCheckpointAt = now;
        _checkpointing = Task.Run(() =>
        {
            try
            {
                data.Checkpoint(snapshot, final: false);
            }
            catch (Exception ex)
            {
                _logger.LogWarning("{Torrent}: saving progress failed: {Reason}", Name, ex.Message);
            }
        });
    }

    private async Task SaveFinalCheckpointAsync()
    {
        if (_data is null || _picker is null)
        {
            return;
        }

        try
        {
            await _checkpointing.WaitAsync(_options.StopTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _logger.LogWarning("{Torrent}: an earlier save of progress is still running; saving again", Name);
        }

        var data = _data;
        var have = _picker.Have.Clone();
        await Task.Run(() => data.Checkpoint(have, final: true)).ConfigureAwait(false);
    }

    /// <summary>Bytes hashed by the check, reported from its thread.</summary>
    private sealed class Progress(Torrent torrent) : IProgress<long>
    {
        public void Report(long value) => Volatile.Write(ref torrent._checkedBytes, value);
    }
}
