using System.Globalization;
using TorrentPS.Bridge.Progress;
using TorrentPS.Engine.Creation;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Formatting;

namespace TorrentPS.Creation;

/// <summary>
/// New-Torrent's progress: the creator's reports (from its hashing threads) become throttled updates of one activity,
/// <c>Creating a torrent of &lt;name&gt;</c>, with the bytes hashed of all the files' bytes, the rate and the time
/// remaining; it ends with a Completed update naming the pieces. Thread-safe.
/// </summary>
internal sealed class TorrentCreationProgressReporter(TransferProgress progress, Action<ProgressUpdate?> write) : IProgress<TorrentCreationProgress>
{
    /// <summary>The activity text for content called <paramref name="name"/>.</summary>
    public static string ActivityFor(string name) => $"Creating a torrent of {name}";

    public int ActivityId => progress.ActivityId;

    public void Report(TorrentCreationProgress value)
        => write(progress.Report(new ProgressSnapshot(value.BytesHashed, value.TotalBytes) { RatePerSecond = value.BytesPerSecond, SecondsRemaining = ProgressSnapshot.Seconds(value.TimeRemaining) }));

    /// <summary>Ends the activity: <c>12 pieces of 256 KiB hashed</c>.</summary>
    public void Complete(TorrentInfo torrent) => write(progress.Complete(Summary(torrent)));

    public static string Summary(TorrentInfo torrent)
        => string.Format(CultureInfo.InvariantCulture, "{0} pieces of {1} hashed", torrent.PieceCount, ByteSize.Format(torrent.PieceLength));
}
