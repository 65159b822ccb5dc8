using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Session;
using TorrentPS.Storage;
using TorrentPS.Torrents;

namespace TorrentPS.Transfers;

/// <summary>Start-TorrentSeed: the data already in a folder, checked, then offered to peers until a goal or Ctrl+C.</summary>
internal sealed class TorrentSeed(TorrentInput input, string dataFolder, bool allowPartial) : Transfer
{
    private TorrentInfo? _torrent;

    public override object Target => input.Target;

    public override string Name => _torrent?.Name ?? string.Empty;

    public override string Activity => $"Seeding {Name}";

    public override long Length => _torrent?.Length ?? 0;

    public override string? Where => dataFolder;

    /// <summary>Reads the torrent; a data folder that does not exist is an error before anything starts.</summary>
    public override async Task PrepareAsync(TransferContext context, CancellationToken cancellationToken)
    {
        _torrent = await input.LoadAsync(cancellationToken).ConfigureAwait(false);
        DataFolderCheck.ThrowIfMissing(dataFolder);
    }

    public override string Summary(DownloadResult result) => TorrentProgress.Summary(result, seed: true);

    public override Torrent Start(TransferContext context)
        => context.Session.Start(_torrent!, context.Settings.Apply(TorrentOptions.SeedFrom(dataFolder, allowPartial, context.Loggers)), context.Loggers);

    public override object? Output(DownloadResult result, Torrent torrent) => result with { SourcePath = _torrent?.SourcePath, DataPath = dataFolder };
}
