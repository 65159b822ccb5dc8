using System.Management.Automation;
using TorrentPS.Engine.Session;
using TorrentPS.Transfers;

namespace TorrentPS.Commands;

/// <summary>
/// Start-TorrentDownload: downloads torrents' content into -Destination from the trackers' peers and -Peer, writing
/// progress, and one <see cref="DownloadResult"/> per torrent when it ends. A magnet link given as -Path is downloaded as
/// Start-MagnetDownload does. Several torrents run side by side. Ctrl+C stops them with their progress saved: the same
/// command continues later.
/// </summary>
[Cmdlet(VerbsLifecycle.Start, "TorrentDownload", DefaultParameterSetName = PathSet, SupportsShouldProcess = true)]
[OutputType(typeof(DownloadResult))]
public sealed class StartTorrentDownloadCommand : DownloadCmdlet
{
}
