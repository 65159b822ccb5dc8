using System.Management.Automation;
using TorrentPS.Bridge;
using TorrentPS.Engine.Errors;

namespace TorrentPS.Transfers;

/// <summary>The ErrorRecords of the transfer cmdlets: the stable id and category of every error, and what to do next for the ones a user can fix.</summary>
internal static class TransferErrors
{
    public static ErrorRecord Create(Exception exception, object? target)
    {
        var record = ErrorRecordFactory.Create(exception, target);
        if (RecommendedAction(exception) is { } action)
        {
            record.ErrorDetails = new ErrorDetails(exception.Message) { RecommendedAction = action };
        }

        return record;
    }

    /// <summary>What a user can do about <paramref name="exception"/>; null when there is nothing to suggest.</summary>
    public static string? RecommendedAction(Exception exception) => (exception as TorrentPSException)?.ErrorId switch
    {
        "IncompleteData" => "Check the data with Test-Torrent -Detailed; -DataPath names the folder that holds the torrent's file or top folder. -AllowPartial seeds the pieces that are valid.",
        "DownloadStalled" => "Name peers with -Peer, check the trackers with Get-TorrentTracker, or raise -TimeoutSec (0 waits until stopped).",
        "PieceIndexOutOfRange" => "Use an -Index from 0 to the torrent's PieceCount - 1 (Get-TorrentInfo shows PieceCount).",
        "TorrentAlreadyRunning" => "Wait for the other command running this torrent to end, or stop it.",
        "FileExists" => "Use -Force to replace the file, or choose another -Path.",
        "ListenFailed" => "Choose another -ListenPort.",
        "StorageFailed" => "Choose a -Destination on a disk you can write to (not a read-only file system or a folder that went away), then run the same command again.",
        "StorageAccessDenied" => "Choose a -Destination you may write to, or give yourself write permission there.",
        "DiskFull" => "Free space on the disk (or choose another -Destination), then run the same command again: it continues where it stopped.",
        "PathIsFile" => "A file stands where a folder must be: move it away, or choose another -Destination.",
        "DataPathNotFound" => "-DataPath names the folder that holds the torrent's single file or its top folder; check the path.",
        "NowhereToAsk" => "Give a peer with -Peer <ip:port>, or use a magnet link with a tracker (tr=).",
        "FileNotInTorrent" or "NoFileSelected" => "List the torrent's files with (Get-TorrentInfo <torrent>).Files: -File takes their Path ('/' between folders), wildcards allowed.",
        "MagnetLinkNotSupported" => "Fetch the metadata first: Get-TorrentInfo -MagnetLink <link> | <this command>.",
        _ => null,
    };
}
