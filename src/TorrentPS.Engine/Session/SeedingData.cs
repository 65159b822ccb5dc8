using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Storage;
using TorrentPS.Engine.Swarm;

namespace TorrentPS.Engine.Session;

/// <summary>
/// Data already on disk, to seed (<c>Start-TorrentSeed</c>): the torrent's files opened read-only and checked first.
/// Complete data is seeded whole. Incomplete data fails the torrent with <c>IncompleteData</c> before any peer is
/// contacted, unless <c>allowPartial</c> is set, in which case the pieces found are what the torrent wants (and so
/// has), and only they are offered. Saving resume data is best effort: a read-only folder does not stop a seed.
/// </summary>
public sealed class SeedingData : ITorrentData
{
    private readonly TorrentInfo _torrent;
    private readonly FileTorrentData _files;
    private readonly bool _allowPartial;
    private readonly ILogger _logger;

    public SeedingData(TorrentInfo torrent, ContentLocation location, bool allowPartial, ILoggerFactory? loggers = null)
    {
        _torrent = torrent;
        _allowPartial = allowPartial;
        loggers ??= NullLoggerFactory.Instance;
        _logger = loggers.CreateLogger<SeedingData>();
        _files = new FileTorrentData(torrent, location, loggers, readOnly: true);
    }

    public IPieceStorage Storage => _files.Storage;

    public string ContentPath => _files.ContentPath;

    /// <summary>The full paths of the torrent's files (padding excluded).</summary>
    public IReadOnlyList<string> FilePaths => _files.FilePaths;

    /// <summary>The pieces the check found valid; null until it has run.</summary>
    public Bitfield? Found { get; private set; }

    /// <exception cref="TorrentPSException"><c>IncompleteData</c>: pieces are missing or damaged (and partial seeding is not allowed), or none is valid.</exception>
    public async Task<Bitfield> CheckAsync(IProgress<long>? progress, CancellationToken cancellationToken)
    {
        var found = await _files.CheckAsync(progress, cancellationToken).ConfigureAwait(false);
        if (!found.IsComplete && (!_allowPartial || found.IsEmpty))
        {
            throw Incomplete(found);
        }

        Found = found;
        return found;
    }

    public void Checkpoint(Bitfield verified, bool final)
    {
        try
        {
            _files.Checkpoint(verified, final);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or TorrentPSException)
        {
            _logger.LogDebug("{Name}: resume data not saved beside the seeded data ({Reason}); the next seed hashes it again", _torrent.Name, ex.Message);
        }
    }

    public void Dispose() => _files.Dispose();

    private TorrentPSException Incomplete(Bitfield found)
    {
        var missing = found.Length - found.Count;
        var message = found.IsEmpty
            ? $"Nothing of '{_torrent.Name}' is at '{ContentPath}': none of its {found.Length} pieces is there and valid."
            : $"The data of '{_torrent.Name}' at '{ContentPath}' is incomplete: {found.Count} of {found.Length} pieces are valid, {missing} missing or damaged.";
        return new TorrentPSException("IncompleteData", TorrentErrorKind.InvalidData, message);
    }
}
