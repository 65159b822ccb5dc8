using Microsoft.Extensions.Logging;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Session;
using TorrentPS.Engine.Storage;

namespace TorrentPS.Transfers;

/// <summary>
/// Start-MagnetDownload: a magnet link's content into a folder. The metadata comes from peers, or from the resume data
/// of an earlier run into the same folder (then it is not fetched again).
/// </summary>
internal sealed class MagnetDownload(MagnetLink magnet, string destination) : Transfer
{
    private TorrentInfo? _known;

    public override object Target => magnet;

    public override string Name => _known?.Name ?? MagnetNames.Of(magnet);

    public override string Activity => $"Downloading {Name}";

    public override long Length => _known?.Length ?? magnet.ExactLength ?? 0;

    public override string? Where => destination;

    public override Task PrepareAsync(TransferContext context, CancellationToken cancellationToken)
    {
        var resume = ContentLocation.GetDefaultResumePathInFolder(destination, magnet.InfoHash);
        _known = MagnetResume.TryLoad(magnet, resume, context.Loggers.CreateLogger<MagnetDownload>());
        return Task.CompletedTask;
    }

    public override Torrent Start(TransferContext context)
        => context.Session.Start(magnet, context.Settings.Apply(TorrentOptions.InFolder(destination, context.Loggers)), context.Loggers, _known);
}
