using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Storage;
using TorrentPS.Engine.Swarm;

namespace TorrentPS.Engine.Session;

/// <summary>
/// A torrent's files on disk: pieces written and read through a <see cref="PieceStore"/>, the check through
/// <see cref="ExistingData"/>, checkpoints as resume data (the info dictionary included, so a magnet download restarted
/// needs no second metadata fetch).
/// </summary>
public sealed class FileTorrentData : ITorrentData
{
    private readonly TorrentInfo _torrent;
    private readonly ContentLocation _location;
    private readonly PieceStore _store;
    private readonly ILogger _logger;

    public FileTorrentData(TorrentInfo torrent, ContentLocation location, ILoggerFactory? loggers = null, bool readOnly = false)
    {
        _torrent = torrent;
        _location = location;
        loggers ??= NullLoggerFactory.Instance;
        _logger = loggers.CreateLogger<FileTorrentData>();
        _store = new PieceStore(FileLayout.For(torrent), location, new PieceStoreOptions { ReadOnly = readOnly }, loggers.CreateLogger<PieceStore>());
        var paths = new List<string>();
        for (var i = 0; i < torrent.Files.Count; i++)
        {
            if (location.GetFilePath(i) is { } path)
            {
                paths.Add(path);
            }
        }

        FilePaths = paths;
    }

    public IPieceStorage Storage => _store;

    public string ContentPath => _location.ContentPath;

    public ContentLocation Location => _location;

    /// <summary>The full paths of the torrent's files (padding excluded).</summary>
    public IReadOnlyList<string> FilePaths { get; }

    public Task<Bitfield> CheckAsync(IProgress<long>? progress, CancellationToken cancellationToken)
        => ExistingData.CheckAsync(_torrent, _location, progress is null ? null : new BytesProgress(progress), _logger, cancellationToken);

    public void Checkpoint(Bitfield verified, bool final)
    {
        if (verified.IsComplete && !_store.IsReadOnly)
        {
            // Zero-length files hold no piece, so no write ever creates them: a complete torrent has them too.
            _store.CreateEmptyFiles();
        }

        _store.Flush();
        new ResumeData(_torrent.InfoHash, verified, _store.GetFileStamps(), _torrent.GetRawInfo(), _torrent.TrackerTiers).Save(_location.ResumePath);
    }

    public void Dispose() => _store.Dispose();

    private sealed class BytesProgress(IProgress<long> bytes) : IProgress<VerificationProgress>
    {
        public void Report(VerificationProgress value) => bytes.Report(value.BytesChecked);
    }
}
