using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Session;
using TorrentPS.Engine.Storage;
using TorrentPS.Torrents;

namespace TorrentPS.Transfers;

/// <summary>Start-TorrentDownload: a torrent's content into a folder (the single file or the top folder is made inside it).</summary>
internal sealed class TorrentDownload(TorrentInput input, string destination) : Transfer
{
    private TorrentInfo? _torrent;

    public override object Target => input.Target;

    public override string Name => _torrent?.Name ?? string.Empty;

    public override string Activity => $"Downloading {Name}";

    public override long Length => _torrent?.Length ?? 0;

    public override string? Where => destination;

    /// <summary>Reads the torrent, and finds a destination that cannot be written before any peer is asked for anything.</summary>
    public override async Task PrepareAsync(TransferContext context, CancellationToken cancellationToken)
    {
        _torrent = await input.LoadAsync(cancellationToken).ConfigureAwait(false);

        // Files the torrent does not have are said before any peer is asked for anything.
        context.Settings.Files.Resolve(_torrent);
        ContentLocation.EnsureWritable(destination);
    }

    public override TransferRequest Request(TransferContext context) => TransferRequest.Download(_torrent!, destination);

    /// <summary>The result, with what binds it to Test-Torrent and Start-TorrentSeed: the .torrent file and the folder.</summary>
    public override object? Output(DownloadResult result, Torrent torrent) => result with { SourcePath = _torrent?.SourcePath, DataPath = destination };
}
