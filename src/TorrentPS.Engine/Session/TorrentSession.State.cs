using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TorrentPS.Engine.Swarm;

namespace TorrentPS.Engine.Session;

/// <summary>
/// The session's saved state (<see cref="SessionStore"/> has the folder's layout): opened on request, never by itself
/// (a session without a state folder keeps nothing), read once (the saved torrents come back Stopped, Completed or
/// Failed, nothing starts), and written again after every change, off the caller's thread, one write at a time.
/// </summary>
public sealed partial class TorrentSession
{
    private SessionStore? _store;
    private ILogger _stateLogger = NullLogger.Instance;
    private int _saveQueued;

    /// <summary>The state folder in use; null when the session keeps no state.</summary>
    public string? StatePath => _store?.Path;

    /// <summary>Another process holds <see cref="StatePath"/>: this session's torrents are not saved there.</summary>
    public bool StateInUseElsewhere => _store?.InUseElsewhere ?? false;

    /// <summary>The settings in force (listen end point, limits), as <c>Set-TorrentSession</c> changes them.</summary>
    public SessionSettings Settings => new()
    {
        Listen = ListenSettings,
        MaxConnections = Limits.MaxConnections,
        MaxConnectionsPerTorrent = MaxConnectionsPerTorrent,
        UploadRateLimit = Math.Max(0, Limits.Upload.BytesPerSecond),
        DownloadRateLimit = Math.Max(0, Limits.Download.BytesPerSecond),
        Dht = _discoverySettings.Dht,
        DhtBootstrapNodes = _discoverySettings.DhtBootstrapNodes,
        LocalDiscovery = _discoverySettings.LocalDiscovery,
        LocalDiscoveryPort = _discoverySettings.LocalDiscoveryPort,
    };

    /// <summary>The DHT and local discovery part of the settings (the rest lives in the limits and the listen settings).</summary>
    private SessionSettings _discoverySettings = new();

    /// <summary>
    /// Uses <paramref name="path"/> as the state folder (made when missing): reads the saved settings and torrents (each
    /// listed, none started) and saves every change from now on. Once per session; a second call with the same folder does
    /// nothing. Returns the problems found (a damaged list or entry): warnings, the rest is read.
    /// </summary>
    /// <exception cref="InvalidOperationException">The session already uses another state folder.</exception>
    /// <exception cref="IOException">The folder cannot be made.</exception>
    /// <exception cref="UnauthorizedAccessException">The folder cannot be made.</exception>
    public IReadOnlyList<string> OpenState(string path, ILoggerFactory? loggers = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        var problems = new List<string>();
        lock (_gate)
        {
            if (_store is not null)
            {
                return string.Equals(_store.Path, full, StringComparison.Ordinal)
                    ? []
                    : throw new InvalidOperationException($"The session keeps its state in {_store.Path} already.");
            }

            _stateLogger = (loggers ?? NullLoggerFactory.Instance).CreateLogger<TorrentSession>();
            _store = SessionStore.Open(full, _stateLogger);
        }

        if (_store.LoadSettings(problems) is { } settings)
        {
            Apply(settings, save: false);
        }

        var saved = _store.LoadTorrents(problems);
        lock (_gate)
        {
            foreach (var entry in saved)
            {
                if (_torrents.ContainsKey(entry.Request.InfoHash))
                {
                    continue;
                }

                var state = entry.State is TorrentState.Completed or TorrentState.Failed ? entry.State : TorrentState.Stopped;
                var info = entry.Request.Torrent;
                var status = new TorrentStatus
                {
                    Name = entry.Request.Name,
                    Hash = entry.Request.InfoHash,
                    State = state,
                    Length = info?.Length ?? 0,
                    PieceCount = info?.PieceCount ?? 0,
                    TotalBytes = entry.TotalBytes,
                    VerifiedBytes = entry.VerifiedBytes,
                    LastError = entry.Error,
                };
                var torrent = new Torrent(this, entry.Request, state, entry.AddedAt, status);
                torrent.RestoreTotals(entry.Downloaded, entry.Uploaded, entry.Error);
                _torrents[entry.Request.InfoHash] = torrent;
            }
        }

        foreach (var problem in problems)
        {
            _stateLogger.LogWarning("State folder {Path}: {Problem}", full, problem);
        }

        return problems;
    }

    /// <summary>
    /// Moves the session to another state folder: the current list is saved where it is, the torrents held are let go
    /// (they stay saved there), and the new folder's torrents are listed. Only while no torrent runs. Returns the
    /// problems found in the new folder.
    /// </summary>
    /// <exception cref="Errors.TorrentPSException"><c>TorrentsRunning</c>: a torrent runs.</exception>
    public IReadOnlyList<string> MoveState(string path, ILoggerFactory? loggers = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        SessionStore? old;
        lock (_gate)
        {
            if (_store is not null && string.Equals(_store.Path, Path.GetFullPath(path), StringComparison.Ordinal))
            {
                return [];
            }

            if (_torrents.Values.Any(t => t.IsRunning) || !_runs.IsEmpty)
            {
                throw new Errors.TorrentPSException("TorrentsRunning", Errors.TorrentErrorKind.ResourceUnavailable, "Torrents are running: suspend or stop them before the session keeps its state elsewhere.");
            }

            old = _store;
        }

        SaveNow();
        lock (_gate)
        {
            _store = null;
            _torrents.Clear();
        }

        old?.Dispose();
        return OpenState(path, loggers);
    }

    /// <summary>
    /// Applies <paramref name="settings"/>: the limits at once (running torrents included), then the listen end point per
    /// <see cref="ChangeListenAsync"/> (refused while torrents run: the limits stay applied); saved in the state folder.
    /// </summary>
    /// <exception cref="Errors.TorrentPSException"><c>TorrentsRunning</c> or <c>ListenFailed</c> for a new listen end point.</exception>
    public async Task ApplyAsync(SessionSettings settings, ILoggerFactory? loggers = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var before = _discoverySettings;
        Apply(settings with { Listen = ListenSettings }, save: true);
        if (!Equals(settings.Listen, ListenSettings))
        {
            await ChangeListenAsync(settings.Listen, loggers).ConfigureAwait(false);
            Apply(settings, save: true);
        }
        else if (before.Dht != settings.Dht || before.LocalDiscovery != settings.LocalDiscovery || before.LocalDiscoveryPort != settings.LocalDiscoveryPort
            || !(before.DhtBootstrapNodes ?? ["(default)"]).SequenceEqual(settings.DhtBootstrapNodes ?? ["(default)"]))
        {
            await RestartDiscoveryAsync(loggers).ConfigureAwait(false);
        }
    }

    /// <summary>Where the session listens, its limits, its torrents and their rates and totals, now.</summary>
    public SessionStatus GetStatus()
    {
        var torrents = Torrents;
        double down = 0, up = 0;
        long downloaded = 0, uploaded = 0;
        var running = 0;
        foreach (var torrent in torrents)
        {
            var status = torrent.Status;
            down += status.DownloadRate;
            up += status.UploadRate;
            downloaded += torrent.Downloaded;
            uploaded += torrent.Uploaded;
            running += torrent.IsRunning ? 1 : 0;
        }

        return new SessionStatus
        {
            ListenIPEndPoint = ListenEndPoint,
            ListenSettings = ListenSettings,
            StatePath = StatePath,
            StateInUseElsewhere = StateInUseElsewhere,
            TorrentCount = torrents.Count,
            RunningCount = running,
            Connections = Limits.Connections,
            MaxConnections = Limits.MaxConnections,
            MaxConnectionsPerTorrent = MaxConnectionsPerTorrent,
            DownloadRate = down,
            UploadRate = up,
            DownloadRateLimit = Math.Max(0, Limits.Download.BytesPerSecond),
            UploadRateLimit = Math.Max(0, Limits.Upload.BytesPerSecond),
            Dht = DhtStatus,
            DhtEnabled = _discoverySettings.Dht,
            DhtBootstrapNodes = _discoverySettings.DhtBootstrapNodes,
            LocalDiscovery = LocalDiscoveryRunning,
            Downloaded = downloaded,
            Uploaded = uploaded,
        };
    }

    /// <summary>Saves the torrent list soon, on the thread pool (calls while a save is queued make one save).</summary>
    internal void SaveSoon()
    {
        if (_store is null || Interlocked.Exchange(ref _saveQueued, 1) == 1)
        {
            return;
        }

        ThreadPool.UnsafeQueueUserWorkItem(static session =>
        {
            Volatile.Write(ref session._saveQueued, 0);
            session.SaveNow();
        }, this, preferLocal: false);
    }

    /// <summary>Saves the torrent list now; a failure is a warning (the next save tries again).</summary>
    internal void SaveNow()
    {
        if (_store is not { } store)
        {
            return;
        }

        try
        {
            store.SaveTorrents(Torrents.Where(t => t.Request.IsKept).Select(t => t.ToSaved()).ToArray());
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _stateLogger.LogWarning("Saving the torrent list in {Path} failed: {Reason}", store.Path, ex.Message);
        }
    }

    /// <summary>The folder of resume data of the torrents started in the background; null without a state folder.</summary>
    private string? StateResumeFolder => _store is { InUseElsewhere: false } store ? store.ResumeFolder : null;

    private void Apply(SessionSettings settings, bool save)
    {
        lock (_listenLock)
        {
            if (_binding is null)
            {
                _listen = settings.Listen;
            }
        }

        Limits.MaxConnections = Math.Max(1, settings.MaxConnections);
        MaxConnectionsPerTorrent = settings.MaxConnectionsPerTorrent;
        Limits.Upload.BytesPerSecond = Math.Max(0, settings.UploadRateLimit);
        Limits.Download.BytesPerSecond = Math.Max(0, settings.DownloadRateLimit);
        _discoverySettings = new SessionSettings
        {
            Dht = settings.Dht,
            DhtBootstrapNodes = settings.DhtBootstrapNodes?.ToArray(),
            LocalDiscovery = settings.LocalDiscovery,
            LocalDiscoveryPort = settings.LocalDiscoveryPort,
        };
        if (save && _store is { } store)
        {
            try
            {
                store.SaveSettings(Settings);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                _stateLogger.LogWarning("Saving the session settings in {Path} failed: {Reason}", store.Path, ex.Message);
            }
        }
    }

    private void CloseState()
    {
        SessionStore? store;
        lock (_gate)
        {
            store = _store;
        }

        store?.Dispose();
    }
}
