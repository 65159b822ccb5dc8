using System.Management.Automation;
using TorrentPS.Bridge;
using TorrentPS.Engine.Errors;

namespace TorrentPS.Creation;

/// <summary>New-Torrent's ErrorRecords: the stable id and category of every error, and what to do next for the ones a user can fix.</summary>
internal static class TorrentCreationErrors
{
    public static ErrorRecord Create(Exception exception, object? target)
    {
        var record = ErrorRecordFactory.Create(exception, target);
        if (RecommendedAction(exception) is { } action)
        {
            record.ErrorDetails = new ErrorDetails(record.ErrorDetails?.Message ?? exception.Message) { RecommendedAction = action };
        }

        return record;
    }

    /// <summary>What a user can do about <paramref name="exception"/>; null when there is nothing to suggest.</summary>
    public static string? RecommendedAction(Exception exception) => (exception as TorrentPSException)?.ErrorId switch
    {
        "FileExists" => "Use -Force to replace the file, or choose another -Destination.",
        "EmptyContent" => "Share a file or folder that holds data: empty folders cannot be in a torrent, and a torrent of empty files has nothing to share.",
        "ContentChanged" => "Make the torrent again once nothing writes to the files any more.",
        "InvalidPieceLength" => "Give a power of two from 16KB to 256MB (16KB, 1MB, 4MB ...), or leave -PieceLength out to have it chosen from the content's size.",
        _ => null,
    };
}
