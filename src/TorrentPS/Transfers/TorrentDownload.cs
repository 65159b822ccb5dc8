using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Session;
using TorrentPS.Storage;

namespace TorrentPS.Transfers;

/// <summary>Start-TorrentDownload: a torrent's content into a folder (the single file or the top folder is made inside it).</summary>
internal sealed class TorrentDownload(TorrentCheckInput input, string destination) : Transfer
{
    private TorrentInfo? _torrent;

    public override object Target => input.Target;

    public override string Name => _torrent?.Name ?? string.Empty;

    public override string Activity => $"Downloading {Name}";

    public override long Length => _torrent?.Length ?? 0;

    public override string? Where => destination;

    public override async Task PrepareAsync(TransferContext context, CancellationToken cancellationToken)
        => _torrent = await input.LoadAsync(cancellationToken).ConfigureAwait(false);

    public override TransferRequest Request(TransferContext context) => TransferRequest.Download(_torrent!, destination);
}
