using System.Globalization;
using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Session;
using TorrentPS.Engine.Swarm;
using TorrentPS.Torrents;

namespace TorrentPS.Transfers;

/// <summary>
/// Save-TorrentPiece: pieces of one torrent, each verified into its file (<paramref name="files"/>: piece index → file), in
/// one run of the torrent; writes each file's FileInfo. A magnet link's metadata is fetched first.
/// </summary>
internal sealed class PieceDownload(TorrentInput input, IReadOnlyDictionary<int, string> files) : Transfer
{
    private TorrentInfo? _torrent;

    public override object Target => input.Target;

    public override string Name => _torrent?.Name ?? (input.Magnet is { } magnet ? MagnetNames.Of(magnet) : string.Empty);

    public override string Activity => files.Count == 1
        ? string.Create(CultureInfo.InvariantCulture, $"Downloading piece {files.Keys.Single()} of {Name}")
        : string.Create(CultureInfo.InvariantCulture, $"Downloading {files.Count} pieces of {Name}");

    public override long Length => _torrent is null ? 0 : files.Keys.Sum(_torrent.GetPieceLength);

    public override string? Where => files.Count == 1 ? files.Values.Single() : Path.GetDirectoryName(files.Values.First());

    /// <exception cref="TorrentPSException"><c>PieceIndexOutOfRange</c>: the torrent has fewer pieces.</exception>
    public override async Task PrepareAsync(TransferContext context, CancellationToken cancellationToken)
    {
        if (input.Magnet is not null)
        {
            return;
        }

        var torrent = await input.LoadAsync(cancellationToken).ConfigureAwait(false);
        foreach (var index in files.Keys)
        {
            if (index < 0 || index >= torrent.PieceCount)
            {
                throw new TorrentPSException(
                    "PieceIndexOutOfRange",
                    TorrentErrorKind.InvalidArgument,
                    string.Create(CultureInfo.InvariantCulture, $"'{torrent.Name}' has pieces 0 to {torrent.PieceCount - 1}; there is no piece {index}."));
            }
        }

        _torrent = torrent;
    }

    public override Torrent Start(TransferContext context)
    {
        var options = context.Settings.Apply(TorrentOptions.Pieces(files));
        return input.Magnet is { } magnet
            ? context.Session.Start(magnet, options, context.Loggers)
            : context.Session.Start(_torrent!, options, context.Loggers);
    }

    /// <summary>The files written, in index order, when every piece arrived.</summary>
    public override object? Output(DownloadResult result, Torrent torrent)
        => result.State == TorrentState.Completed ? files.OrderBy(f => f.Key).Select(f => new FileInfo(f.Value)).ToArray() : null;
}
