using System.Globalization;
using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Session;
using TorrentPS.Engine.Swarm;
using TorrentPS.Storage;

namespace TorrentPS.Transfers;

/// <summary>Save-TorrentPiece: one piece, verified, into a file; writes the file's FileInfo.</summary>
internal sealed class PieceDownload(TorrentCheckInput input, int index, string file) : Transfer
{
    private TorrentInfo? _torrent;

    public override object Target => input.Target;

    public override string Name => _torrent?.Name ?? string.Empty;

    public override string Activity => string.Create(CultureInfo.InvariantCulture, $"Downloading piece {index} of {Name}");

    public override long Length => _torrent is null ? 0 : _torrent.GetPieceLength(index);

    public override string? Where => file;

    /// <exception cref="TorrentPSException"><c>PieceIndexOutOfRange</c>: the torrent has fewer pieces.</exception>
    public override async Task PrepareAsync(TransferContext context, CancellationToken cancellationToken)
    {
        var torrent = await input.LoadAsync(cancellationToken).ConfigureAwait(false);
        if (index < 0 || index >= torrent.PieceCount)
        {
            throw new TorrentPSException(
                "PieceIndexOutOfRange",
                TorrentErrorKind.InvalidArgument,
                string.Create(CultureInfo.InvariantCulture, $"'{torrent.Name}' has pieces 0 to {torrent.PieceCount - 1}; there is no piece {index}."));
        }

        _torrent = torrent;
    }

    public override TransferRequest Request(TransferContext context) => TransferRequest.Pieces(_torrent!, new Dictionary<int, string> { [index] = file });

    public override object? Output(DownloadResult result, Torrent torrent) => result.State == TorrentState.Completed ? new FileInfo(file) : null;
}
