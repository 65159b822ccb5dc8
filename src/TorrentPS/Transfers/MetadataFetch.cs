using TorrentPS.Engine.Errors;
using System.Globalization;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Session;
using TorrentPS.Engine.Swarm;
using TorrentPS.Formatting;

namespace TorrentPS.Transfers;

/// <summary>Get-TorrentInfo -MagnetLink: only a magnet link's metadata, from peers; writes the <see cref="TorrentInfo"/>.</summary>
internal sealed class MetadataFetch(MagnetLink magnet) : Transfer
{
    public override object Target => magnet;

    public override string Name => MagnetNames.Of(magnet);

    public override string Activity => $"Fetching metadata of {Name}";

    public override long Length => 0;

    public override string? Where => null;

    /// <exception cref="TorrentPSException"><c>NowhereToAsk</c>: the link names no tracker and no peer, and no -Peer was given.</exception>
    public override Task PrepareAsync(TransferContext context, CancellationToken cancellationToken)
        => MagnetSources.NowhereToAsk(magnet, context.Settings.Peers) is { } nowhere ? throw nowhere : Task.CompletedTask;

    public override Torrent Start(TransferContext context)
        => context.Session.Start(magnet, context.Settings.Apply(TorrentOptions.MetadataOnly()), context.Loggers);

    public override string Summary(DownloadResult result) => result.State == TorrentState.Completed
        ? string.Create(CultureInfo.InvariantCulture, $"Metadata received: {ByteSize.Format(result.Length)} in {result.PieceCount} pieces")
        : base.Summary(result);

    public override object? Output(DownloadResult result, Torrent torrent) => result.State == TorrentState.Completed ? torrent.Info : null;
}
