using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Extensions;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Peers;
using TorrentPS.Engine.Swarm;
using TorrentPS.Engine.Trackers;
using TorrentPS.Engine.Wire;

namespace TorrentPS.Engine.Session;

/// <summary>
/// One run of a torrent: the loop that owns its state, not the logic. It reads one channel and awaits nothing else
/// (connection threads, trackers, the disk and the session's clock post <see cref="SwarmEvent"/>s to it), dispatches
/// each event to the parts that decide (in Swarm/: the roster, what peers have, the request scheduler, the piece ledger,
/// the choker, the metadata exchange, the status), and moves the torrent through its phases (TorrentRun.Lifecycle.cs).
/// INVARIANTS.md beside this file says who may touch what. The session starts runs; a <see cref="Torrent"/> (what a user
/// keeps) has at most one at a time, and a paused or stopped torrent has none. A run ends by itself (completed, or
/// failed) or when stopped, with <see cref="Completion"/> giving the result.
/// </summary>
internal sealed partial class TorrentRun
{
    private readonly EventQueue<SwarmEvent> _events = new();
    private readonly TaskCompletionSource<DownloadResult> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stopping = new();
    private readonly TorrentOptions _options;
    private readonly TorrentIdentity _identity;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly IReadOnlyList<IReadOnlyList<string>> _trackerTiers;
    private readonly long _startedAt;
    private readonly PieceContextHolder _pieces = new();
    private readonly StatusFeed _feed;
    private readonly List<PeerState> _wake = new();
    private readonly SessionTicker _ticker;

    // The parts; each owns its state (Swarm/).
    private readonly PeerOutbox _outbox = new();
    private readonly PeerConnector _connector;
    private readonly PeerRoster _roster;
    private readonly PeerAvailability _availability;
    private readonly RequestScheduler _requests;
    private readonly PieceLedger _ledger;
    private readonly Choker _choker;
    private readonly MetadataExchange _metadata;
    private readonly SeedingGoal _goal;
    private readonly ProgressWatchdog _watchdog;
    private readonly StatusBuilder _statusBuilder;
    private readonly List<PexOutgoing> _pexDue = new();
    private readonly List<PexPeer> _pexCandidates = new();
    private PeerExchange? _pex;

    internal TorrentRun(InfoHash infoHash, string name, TorrentInfo? info, IReadOnlyList<IReadOnlyList<string>> trackerTiers, TorrentOptions options, TorrentIdentity identity, TimeProvider? time, ILoggerFactory? loggers, SessionLimits? limits = null, SessionTicker? ticker = null, SessionDiscovery? discovery = null)
    {
        _discovery = discovery;
        InfoHash = infoHash;
        Name = name;
        Info = info;
        _trackerTiers = trackerTiers;
        _options = options;
        _identity = identity;
        _time = time ?? TimeProvider.System;
        _loggers = loggers ?? NullLoggerFactory.Instance;
        _logger = _loggers.CreateLogger<TorrentRun>();
        _startedAt = _time.GetTimestamp();
        _ticker = ticker ?? new SessionTicker(_time);
        _feed = new StatusFeed(new TorrentStatus { Name = name, Hash = infoHash, State = info is null ? TorrentState.FetchingMetadata : TorrentState.Checking, Length = info?.Length ?? 0, PieceCount = info?.PieceCount ?? 0 });

        var sessionLimits = limits ?? new SessionLimits();
        var transferLimits = new TransferLimits(
            options.UploadRateLimit > 0 ? new TokenBucket(options.UploadRateLimit, time) : null,
            sessionLimits.Upload,
            options.DownloadRateLimit > 0 ? new TokenBucket(options.DownloadRateLimit, time) : null,
            sessionLimits.Download);
        var swarmLogger = _loggers.CreateLogger<TorrentRun>();
        _connector = new PeerConnector(
            infoHash,
            new ConnectorSettings(identity.PeerId, identity.ListenPort, options.LocalAddress, options.ConnectTimeout, options.HandshakeTimeout, options.MessageTimeout, FastExtension: !options.ExtensionProtocolOnly),
            _pieces,
            Post,
            PostQuietly,
            _loggers,
            transferLimits,
            _stopping.Token) { Info = info };
        if (options.UsePeerExchange && !options.ExtensionProtocolOnly && info is not { IsPrivate: true })
        {
            _pex = new PeerExchange(_time);
            _connector.PeerExchange = true;
            if (identity.ListenPort > 0)
            {
                _pex.AddOwnEndPoint(new IPEndPoint(options.LocalAddress ?? IPAddress.Loopback, identity.ListenPort));
            }
        }

        _watchdog = new ProgressWatchdog(_time, _startedAt);
        _roster = new PeerRoster(
            new RosterSettings(options.MaxConnections, options.MaxHalfOpen, identity.PeerId, IsOwnEndPoint) { IdleTimeout = options.IdlePeerTimeout, TrialPeriod = options.PeerTrialPeriod },
            _connector,
            sessionLimits,
            _outbox,
            NoteError,
            _time,
            swarmLogger,
            name);
        _availability = new PeerAvailability(_outbox, _roster);
        _requests = new RequestScheduler(_roster, _outbox, _watchdog, options.RequestTimeout, options.MaxBufferedBytes, _time, swarmLogger, name);
        _ledger = new PieceLedger(_roster, _watchdog, options.CheckpointInterval, NoteError, _time, swarmLogger, name);
        _choker = new Choker(_roster, _outbox, options.UploadSlots, _time);
        _metadata = new MetadataExchange(infoHash, _roster, _outbox, NoteError, _time, swarmLogger, name);
        _goal = new SeedingGoal(options.SeedRatio, options.SeedTime, _time);
        _statusBuilder = new StatusBuilder(infoHash, _ledger, _requests, _roster, _goal, _time, _startedAt);
    }

    public InfoHash InfoHash { get; }

    /// <summary>The torrent's name (a magnet's display name until its metadata arrives).</summary>
    public string Name { get; private set; }

    /// <summary>The metainfo; null while a magnet link's metadata is being fetched.</summary>
    public TorrentInfo? Info { get; private set; }

    /// <summary>The latest status snapshot.</summary>
    public TorrentStatus Status => _feed.Latest;

    /// <summary>Our peer id for this torrent.</summary>
    public PeerId PeerId => _identity.PeerId;

    /// <summary>Ends with the result (Completed, Stopped); faults with a typed error when the torrent failed.</summary>
    public Task<DownloadResult> Completion => _completion.Task;

    /// <summary>
    /// The latest status at once, then each newer snapshot as the loop makes it (a few a second, and at every change of
    /// state), ending after the last one. A slow reader skips snapshots; none of its code runs on the loop's thread.
    /// </summary>
    public IAsyncEnumerable<TorrentStatus> WatchStatusAsync(CancellationToken cancellationToken = default) => _feed.WatchAsync(cancellationToken);

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

    /// <summary>This run's place on the session's clock.</summary>
    internal SessionTicker.Slot Ticks => _ticks;

    /// <summary>The session's clock: a tick is due.</summary>
    internal void PostTick() => Post(new SwarmEvent.Tick());

    /// <summary>What connection threads see of the torrent's pieces.</summary>
    internal PieceContextHolder Pieces => _pieces;

    /// <summary>Runs <paramref name="action"/> on the loop, after everything posted before (tests wait on it).</summary>
    internal Task RunOnLoopAsync(Action action)
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
    internal bool Post(SwarmEvent message) => Post(message, wake: true);

    /// <summary>Posts an event the loop takes with the next one posted (<see cref="EventQueue{T}.TryPostQuietly"/>).</summary>
    internal bool PostQuietly(SwarmEvent message) => Post(message, wake: false);

    private bool Post(SwarmEvent message, bool wake)
    {
        if (wake ? _events.TryPost(message) : _events.TryPostQuietly(message))
        {
            return true;
        }

        if (message is SwarmEvent.PeerMessages late)
        {
            late.Batch.Return();
        }

        return false;
    }

    /// <summary>
    /// Takes a peer that dialled our listener and asked for this torrent (on the connection's own thread, which becomes
    /// its reading thread). The loop decides whether to keep it.
    /// </summary>
    internal void AdoptIncoming(PeerWire wire)
    {
        if (_events.IsCompleted || _stopping.IsCancellationRequested)
        {
            wire.Dispose();
            return;
        }

        _connector.Adopt(wire);
    }

    /// <summary>A connection made elsewhere joins the torrent (simulated peers in tests use it; real ones post it themselves).</summary>
    internal void AdoptLink(IPeerLink link) => Post(new SwarmEvent.PeerConnected(link));

    /// <summary>Options for an incoming connection's handshake (the session's listener asks).</summary>
    internal HandshakeOptions? IncomingHandshakeOptions()
        => _state is TorrentState.Stopping || _stopping.IsCancellationRequested ? null : _connector.HandshakeOptions;

    /// <summary>Starts the loop on a thread of its own (the session calls it once).</summary>
    internal void Start() => ConnectionThread.Start($"TorrentPS torrent {InfoHash.Hex[..8]}", Run);

    private void Run()
    {
        try
        {
            _ticker.Add(this);
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
            _statusBuilder.CountFinalUpload();
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

    /// <summary>After each batch of events: the sequential window follows the peers' depths, pipelines that changed are topped up, the choker runs when asked, what was queued is sent.</summary>
    private void AfterBatch()
    {
        SizeSequentialWindow();
        _requests.FillPending(downloading: _state == TorrentState.Downloading);
        if (_state is TorrentState.Downloading or TorrentState.Seeding)
        {
            _choker.Run(_time.GetTimestamp(), Seeding, canServe: _picker is not null);
        }

        _outbox.FlushAll();
        _ticks.Idle = IsIdle;
    }

    private void OnTick()
    {
        _ticks.Handled();
        var now = _time.GetTimestamp();
        _roster.Tick(now);
        _requests.Tick(now, downloading: _state == TorrentState.Downloading);
        _statusBuilder.Sample(now);
        switch (_state)
        {
            case TorrentState.Downloading:
                DialMore();
                SearchPeersWhenIdle(now);
                FailWhenStalled(now);
                break;
            case TorrentState.FetchingMetadata:
                _metadata.Tick(now);
                DialMore();
                SearchPeersWhenIdle(now);
                FailWhenStalled(now);
                break;
            case TorrentState.Seeding:
                if (_goal.Reached(now, _statusBuilder.Uploaded, Info?.Length ?? 0) is { } reason && !_options.SeedUntilStopped)
                {
                    BeginStop(reason, TorrentState.Completed);
                }
                else
                {
                    DialMore();
                }

                break;
        }

        if (_state is TorrentState.Downloading or TorrentState.FetchingMetadata or TorrentState.Seeding)
        {
            TickDiscovery(now);
        }

        ExchangePeers();
        SaveProgressWhenDue(now);
        PublishStatus(_state);
    }

    /// <summary>Peer exchange's messages due now (at most one a minute to each peer that takes them), with each peer's seed flag brought up to date.</summary>
    private void ExchangePeers()
    {
        if (_pex is null || _state is TorrentState.Stopping)
        {
            return;
        }

        foreach (var peer in _roster.Connected)
        {
            _pex.SeedChanged(peer.Id, peer.IsSeed);
        }

        _pexDue.Clear();
        _pex.TakeDue(_pexDue);
        foreach (var message in _pexDue)
        {
            if (_roster.TryGet(message.PeerId, out var peer))
            {
                _outbox.Send(peer, OutgoingMessage.Extended(message.ExtendedId, message.Body));
            }
        }
    }

    /// <summary>
    /// Nothing to do between ticks but wait: seeding, no dial in progress, and no connected peer interested in our data
    /// (peers that are seeds themselves, or want nothing, only need keep-alives). The session's clock then ticks this run
    /// less often (<see cref="SessionTicker"/>); a peer that becomes interested, or any other event, wakes it at once.
    /// </summary>
    private bool IsIdle
    {
        get
        {
            if (_state != TorrentState.Seeding || _roster.Connecting > 0)
            {
                return false;
            }

            foreach (var peer in _roster.Connected)
            {
                if (peer.PeerInterested)
                {
                    return false;
                }
            }

            return true;
        }
    }

    private bool Seeding => _state == TorrentState.Seeding || _ledger.IsComplete;

    private void DialMore()
    {
        if (_state is TorrentState.Downloading or TorrentState.FetchingMetadata or TorrentState.Seeding)
        {
            _roster.DialMore();
        }
    }

    private void NoteError(string error) => _statusBuilder.NoteError(error);

    private bool IsOwnEndPoint(IPEndPoint endPoint)
        => _identity.ListenPort > 0 && endPoint.Port == _identity.ListenPort && (IPAddress.IsLoopback(endPoint.Address) ? _options.LocalAddress is null || endPoint.Address.Equals(_options.LocalAddress) : TorrentSession.IsLocalAddress(endPoint.Address));
}

/// <summary>Who a torrent is to peers and trackers: its peer id, the port we listen on, the tracker key.</summary>
internal sealed record TorrentIdentity(PeerId PeerId, int ListenPort, uint TrackerKey);
