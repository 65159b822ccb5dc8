using System.Globalization;

namespace TorrentPS.Formatting;

/// <summary>Counts in messages: <c>1 tracker</c>, <c>3 trackers</c>; durations as the views show them: <c>1 s</c>, <c>2.50 s</c>, <c>30:00</c>.</summary>
internal static class Counted
{
    public static string Of(long count, string noun)
        => string.Create(CultureInfo.InvariantCulture, $"{count} {noun}{(count == 1 ? "" : "s")}");

    /// <summary>A duration as the views show it (<see cref="Duration"/>), a whole number of seconds without decimals (<c>15 s</c>).</summary>
    public static string Seconds(TimeSpan duration)
        => duration.Ticks % TimeSpan.TicksPerSecond == 0 && duration < TimeSpan.FromMinutes(1)
            ? string.Create(CultureInfo.InvariantCulture, $"{(long)duration.TotalSeconds} s")
            : Duration.Format(duration);
}
