using Microsoft.Extensions.Logging;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Session;
using TorrentPS.Engine.Storage;

namespace TorrentPS.Transfers;

/// <summary>
/// Start-MagnetDownload, and Start-TorrentDownload given a magnet link: a magnet link's content into a folder. The
/// metadata comes from peers, or from the resume data of an earlier run into the same folder (then it is not fetched again).
/// </summary>
internal sealed class MagnetDownload(MagnetLink magnet, string destination) : Transfer
{
    private TorrentInfo? _known;

    public override object Target => magnet;

    public override string Name => _known?.Name ?? MagnetNames.Of(magnet);

    public override string Activity => $"Downloading {Name}";

    public override long Length => _known?.Length ?? magnet.ExactLength ?? 0;

    public override string? Where => destination;

    /// <summary>Finds a destination that cannot be written before any peer is asked for anything, then the resume data.</summary>
    public override Task PrepareAsync(TransferContext context, CancellationToken cancellationToken)
    {
        ContentLocation.EnsureWritable(destination);
        var resume = ContentLocation.GetDefaultResumePathInFolder(destination, magnet.InfoHash);
        _known = MagnetResume.TryLoad(magnet, resume, context.Loggers.CreateLogger<MagnetDownload>());

        // With the metadata known from an earlier run, files it does not have are said at once (else when it arrives).
        if (_known is not null)
        {
            context.Settings.Files.Resolve(_known);
        }

        // Without metadata from an earlier run, a link that names nobody to ask could only wait for its timeout.
        return _known is null && MagnetSources.NowhereToAsk(magnet, context.Settings.Peers) is { } nowhere ? throw nowhere : Task.CompletedTask;
    }

    public override Torrent Start(TransferContext context)
        => context.Session.Start(magnet, context.Settings.Apply(TorrentOptions.InFolder(destination, context.Loggers, context.Settings.Files)), context.Loggers, _known);

    public override object? Output(DownloadResult result, Torrent torrent) => result with { DataPath = destination };
}
