using Microsoft.Extensions.Logging;
using TorrentPS.Engine.Metainfo;

namespace TorrentPS.Engine.Session;

/// <summary>
/// The session's state folder on disk:
/// <code>
/// &lt;state&gt;/session.lock                 held by the one process that uses the folder
/// &lt;state&gt;/session.json                 the settings (Set-TorrentSession)
/// &lt;state&gt;/torrents.json                the torrent list: each torrent's request, state, totals and progress
/// &lt;state&gt;/metainfo/&lt;hash&gt;.torrent     the metainfo of each torrent whose metadata is known
/// &lt;state&gt;/resume/&lt;hash&gt;.resume        resume data of the torrents started in the background
/// </code>
/// Every file is written atomically (write, flush, rename). A damaged list or settings file is a warning: it is kept
/// beside as <c>*.damaged</c> and the session starts without it. A folder another process holds is not used at all
/// (its torrents run there; this process neither lists nor saves them).
/// </summary>
internal sealed class SessionStore : IDisposable
{
    private const string ListFile = "torrents.json";
    private const string SettingsFile = "session.json";
    private const string LockFile = "session.lock";

    private readonly object _writeLock = new();
    private readonly ILogger _logger;
    private FileStream? _lock;

    private SessionStore(string path, FileStream? held, ILogger logger)
    {
        Path = path;
        _lock = held;
        _logger = logger;
    }

    public string Path { get; }

    /// <summary>Another process holds the folder: nothing is read or written.</summary>
    public bool InUseElsewhere => _lock is null;

    public string ResumeFolder => System.IO.Path.Combine(Path, "resume");

    public string MetainfoFolder => System.IO.Path.Combine(Path, "metainfo");

    /// <summary>Opens (creating) the folder and takes its lock; a folder in use by another process opens unused, with a warning.</summary>
    /// <exception cref="IOException">The folder cannot be made.</exception>
    /// <exception cref="UnauthorizedAccessException">The folder cannot be made.</exception>
    public static SessionStore Open(string path, ILogger logger)
    {
        var full = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(full);
        FileStream? held = null;
        try
        {
            held = new FileStream(System.IO.Path.Combine(full, LockFile), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException ex)
        {
            logger.LogWarning("The state folder {Path} is in use by another TorrentPS process ({Reason}): this session's torrents are not saved, and that process's are not listed", full, ex.Message);
        }

        return new SessionStore(full, held, logger);
    }

    /// <summary>The saved torrents; each problem found is added to <paramref name="problems"/>.</summary>
    public List<SavedTorrent> LoadTorrents(List<string> problems)
    {
        if (InUseElsewhere || ReadOrNull(ListFile, problems) is not { } content)
        {
            return [];
        }

        var before = problems.Count;
        var torrents = SavedTorrentList.Decode(content, LoadMetainfo, problems);
        if (torrents.Count == 0 && problems.Count > before)
        {
            KeepDamaged(ListFile);
        }

        return torrents;
    }

    public SessionSettings? LoadSettings(List<string> problems)
    {
        if (InUseElsewhere || ReadOrNull(SettingsFile, problems) is not { } content)
        {
            return null;
        }

        var settings = SessionSettings.FromJson(content, problems);
        if (settings is null)
        {
            KeepDamaged(SettingsFile);
        }

        return settings;
    }

    /// <summary>Writes the list (and the metainfo files it needs); serialised, so the last call's list is what stays.</summary>
    public void SaveTorrents(IReadOnlyList<SavedTorrent> torrents)
    {
        if (InUseElsewhere)
        {
            return;
        }

        lock (_writeLock)
        {
            foreach (var saved in torrents)
            {
                if (saved.Request.Torrent is { } info)
                {
                    var path = MetainfoPath(info.Hash);
                    if (!File.Exists(path))
                    {
                        AtomicFile.Write(path, TorrentFileWriter.Encode(info));
                    }
                }
            }

            AtomicFile.Write(System.IO.Path.Combine(Path, ListFile), SavedTorrentList.Encode(torrents));
        }
    }

    public void SaveSettings(SessionSettings settings)
    {
        if (InUseElsewhere)
        {
            return;
        }

        lock (_writeLock)
        {
            AtomicFile.Write(System.IO.Path.Combine(Path, SettingsFile), settings.ToJson());
        }
    }

    /// <summary>Deletes what the folder keeps of a torrent that was removed: its metainfo and its resume data.</summary>
    public void Forget(InfoHash infoHash)
    {
        if (InUseElsewhere)
        {
            return;
        }

        TryDelete(MetainfoPath(infoHash));
        TryDelete(System.IO.Path.Combine(ResumeFolder, infoHash.Hex + ".resume"));
    }

    public void Dispose()
    {
        _lock?.Dispose();
        _lock = null;
    }

    private string MetainfoPath(InfoHash infoHash) => System.IO.Path.Combine(MetainfoFolder, infoHash.Hex + ".torrent");

    private TorrentInfo? LoadMetainfo(InfoHash infoHash, string? sourcePath)
    {
        var path = MetainfoPath(infoHash);
        try
        {
            return File.Exists(path) ? TorrentInfo.Parse(File.ReadAllBytes(path), sourcePath) : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or Errors.TorrentPSException)
        {
            _logger.LogWarning("The saved metainfo {Path} cannot be read: {Reason}", path, ex.Message);
            return null;
        }
    }

    private byte[]? ReadOrNull(string name, List<string> problems)
    {
        var path = System.IO.Path.Combine(Path, name);
        try
        {
            return File.Exists(path) ? File.ReadAllBytes(path) : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            problems.Add($"{path} cannot be read ({ex.Message})");
            return null;
        }
    }

    private void KeepDamaged(string name)
    {
        var path = System.IO.Path.Combine(Path, name);
        try
        {
            File.Copy(path, path + ".damaged", overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _logger.LogDebug("Keeping a copy of the damaged {Path} failed: {Reason}", path, ex.Message);
        }
    }

    private void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _logger.LogDebug("Deleting {Path} failed: {Reason}", path, ex.Message);
        }
    }
}
