using System.Globalization;
using TorrentPS.Engine.Session;

namespace TorrentPS.Cli.Output;

/// <summary>
/// A torrent's progress as one line on stderr, rewritten in place (only when stderr is a terminal, so logs and
/// scripts never see it): state, percent, bytes, rate, peers, time left. At most four updates a second.
/// </summary>
internal sealed class StatusLine(TextWriter stderr)
{
    private static int _visible;
    private long _lastWrite;

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
            TorrentState.Checking => $"checking {Size(status.CheckedBytes)} of {Size(status.TotalBytes)}",
            TorrentState.FetchingMetadata => $"fetching metadata from {status.MetadataPeers} peers ({status.PeersConnected} connected, {status.PeersKnown} known)",
            TorrentState.Seeding => $"seeding: {Size(status.Uploaded)} up at {Size((long)status.UploadRate)}/s, ratio {status.Ratio.ToString("0.00", CultureInfo.InvariantCulture)}, {status.PeersConnected} peers",
            _ => $"{status.PercentComplete.ToString("0.0", CultureInfo.InvariantCulture)}% {Size(status.VerifiedBytes)} of {Size(status.TotalBytes)} at {Size((long)status.DownloadRate)}/s, {status.PeersConnected} peers ({status.Seeds} seeds){Left(status.TimeRemaining)}",
        };
        return $"{Shorten(status.Name)}: {text}";
    }

    private static string Left(TimeSpan? remaining) => remaining is { } left ? $", {(int)left.TotalHours}:{left.Minutes:00}:{left.Seconds:00} left" : string.Empty;

    private static string Shorten(string name) => name.Length <= 32 ? name : string.Concat(name.AsSpan(0, 31), "…");

    internal static string Size(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double value = bytes;
        var unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return unit == 0 ? $"{bytes} B" : $"{value.ToString("0.0", CultureInfo.InvariantCulture)} {units[unit]}";
    }
}
