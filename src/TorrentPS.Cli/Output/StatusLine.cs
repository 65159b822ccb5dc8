using System.Globalization;
using TorrentPS.Engine.Session;
using TorrentPS.Engine.Swarm;
using TorrentPS.Engine.Text;

namespace TorrentPS.Cli.Output;

/// <summary>
/// A torrent's progress as one line on stderr, rewritten in place (only when stderr is a terminal, so logs and
/// scripts never see it): state, percent, bytes, rate, peers, time left. At most four updates a second.
/// </summary>
internal sealed class StatusLine(TextWriter stderr)
{
    private static int _visible;
    private long _lastWrite;

    /// <summary>Shows the torrent's status snapshots until it ends (read from its feed, off the torrent's loop).</summary>
    public async Task ShowAsync(Torrent torrent)
    {
        await foreach (var status in torrent.WatchStatusAsync().ConfigureAwait(false))
        {
            Update(status);
        }
    }

    public void Update(TorrentStatus status)
    {
        var now = Environment.TickCount64;
        if (now - _lastWrite < 250)
        {
            return;
        }

        _lastWrite = now;
        lock (stderr)
        {
            stderr.Write("\r" + Format(status) + "\u001b[K");
            stderr.Flush();
            Volatile.Write(ref _visible, 1);
        }
    }

    /// <summary>Ends the line so what follows starts on a fresh one.</summary>
    public static void ClearCurrent(TextWriter stderr)
    {
        if (Interlocked.Exchange(ref _visible, 0) == 1)
        {
            stderr.Write("\r\u001b[K");
        }
    }

    public static string Format(TorrentStatus status)
    {
        var text = status.State switch
        {
            TorrentState.Checking => $"checking {Size(status.CheckedBytes)} of {Size(status.Length)}",
            TorrentState.FetchingMetadata => $"fetching metadata from {Count(status.MetadataPeers, "peer")} ({status.PeersConnected} connected, {status.PeersKnown} known)",
            TorrentState.Seeding => $"seeding: {Size(status.Uploaded)} up at {Size((long)status.UploadRate)}/s, ratio {status.Ratio.ToString("0.00", CultureInfo.InvariantCulture)}, {Count(status.PeersConnected, "peer")}",
            _ => $"{status.PercentComplete.ToString("0.0", CultureInfo.InvariantCulture)}% {Size(status.VerifiedBytes)} of {Size(status.TotalBytes)} at {Size((long)status.DownloadRate)}/s, {Count(status.PeersConnected, "peer")} ({Count(status.Seeds, "seed")}){Left(status.TimeRemainingSpan)}",
        };

        // The name may be a magnet link's dn, which its author chose: escaped as all untrusted text.
        return $"{Shorten(DisplayText.Escape(status.Name))}: {text}";
    }

    /// <summary><c>1 peer</c>, <c>2 peers</c>.</summary>
    private static string Count(int count, string noun) => Units.Count(count, noun);

    private static string Left(TimeSpan? remaining) => remaining is { } left ? $", {(int)left.TotalHours}:{left.Minutes:00}:{left.Seconds:00} left" : string.Empty;

    private static string Shorten(string name) => name.Length <= 32 ? name : string.Concat(name.AsSpan(0, 31), "…");

    internal static string Size(long bytes) => Units.Bytes(bytes);
}
