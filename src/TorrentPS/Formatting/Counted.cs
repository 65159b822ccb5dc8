using System.Globalization;

namespace TorrentPS.Formatting;

/// <summary>Counts in messages: <c>1 tracker</c>, <c>3 trackers</c>, <c>1 second</c>, <c>2.5 seconds</c>.</summary>
internal static class Counted
{
    public static string Of(long count, string noun)
        => string.Create(CultureInfo.InvariantCulture, $"{count} {noun}{(count == 1 ? "" : "s")}");

    public static string Seconds(TimeSpan duration)
        => duration.TotalSeconds == 1 ? "1 second" : string.Create(CultureInfo.InvariantCulture, $"{duration.TotalSeconds:0.###} seconds");
}
