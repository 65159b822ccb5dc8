using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Session;
using TorrentPS.Engine.Storage;

namespace TorrentPS.Transfers;

/// <summary>
/// Start-MagnetDownload, and Start-TorrentDownload given a magnet link: a magnet link's content into a folder. The
/// metadata comes from peers, or (the session looks) from the resume data of an earlier run into the same folder, and
/// then it is not fetched again.
/// </summary>
internal sealed class MagnetDownload(MagnetLink magnet, string destination) : Transfer
{
    private TorrentInfo? _known;

    public override object Target => magnet;

    public override string Name => _known?.Name ?? MagnetNames.Of(magnet);

    public override string Activity => $"Downloading {Name}";

    public override long Length => _known?.Length ?? magnet.ExactLength ?? 0;

    public override string? Where => destination;

    /// <summary>Finds a destination that cannot be written before any peer is asked for anything.</summary>
    public override Task PrepareAsync(TransferContext context, CancellationToken cancellationToken)
    {
        ContentLocation.EnsureWritable(destination);
        return Task.CompletedTask;
    }

    /// <summary>The metadata, when the session had it already (resume data of an earlier run): the name and length are known.</summary>
    public override void Started(Torrent torrent) => _known = torrent.Info;

    /// <summary>The download of the files asked for (resolved when the metadata arrives, or at once when the session has it from an earlier run).</summary>
    public override TransferRequest Request(TransferContext context) => TransferRequest.Download(magnet, destination);

    public override object? Output(DownloadResult result, Torrent torrent) => result with { DataPath = destination };
}
