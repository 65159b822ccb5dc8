using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Session;
using TorrentPS.Storage;

namespace TorrentPS.Transfers;

/// <summary>Start-TorrentSeed: the data already in a folder, checked, then offered to peers until a goal or Ctrl+C.</summary>
internal sealed class TorrentSeed(TorrentCheckInput input, string dataFolder, bool allowPartial) : Transfer
{
    private TorrentInfo? _torrent;

    public override object Target => input.Target;

    public override string Name => _torrent?.Name ?? string.Empty;

    public override string Activity => $"Seeding {Name}";

    public override long Length => _torrent?.Length ?? 0;

    public override string? Where => dataFolder;

    public override async Task PrepareAsync(TransferContext context, CancellationToken cancellationToken)
        => _torrent = await input.LoadAsync(cancellationToken).ConfigureAwait(false);

    public override string Summary(DownloadResult result) => TorrentProgress.Summary(result, seed: true);

    public override TransferRequest Request(TransferContext context) => TransferRequest.Seed(_torrent!, dataFolder, allowPartial);
}
