using System.Globalization;

namespace TorrentPS.Engine.Text;

/// <summary>
/// Sizes, rates and durations as people read them, the same wherever TorrentPS shows one (log lines, progress,
/// format views, the CLI's status line): binary units with three significant digits (<c>512 B</c>, <c>1.50 KiB</c>,
/// <c>12.3 MiB</c>, <c>700 MiB</c>), rates per second, short durations (<c>0.42 s</c>, <c>12.3 s</c>, <c>3:07</c>,
/// <c>1:02:03</c>). Invariant culture.
/// </summary>
public static class Units
{
    private static readonly string[] ByteUnits = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];

    public static string Bytes(long bytes)
    {
        if (bytes < 0)
        {
            return "-" + Bytes(bytes == long.MinValue ? long.MaxValue : -bytes);
        }

        if (bytes < 1024)
        {
            return bytes.ToString(CultureInfo.InvariantCulture) + " B";
        }

        double value = bytes;
        var unit = 0;
        while (value >= 1024 && unit < ByteUnits.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        // Rounding can carry into the next unit (1023.99 KiB shows as 1.00 MiB, not 1024 KiB).
        if (Math.Round(value, value < 10 ? 2 : value < 100 ? 1 : 0) >= 1024 && unit < ByteUnits.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        var format = value < 10 ? "0.00" : value < 100 ? "0.0" : "0";
        return value.ToString(format, CultureInfo.InvariantCulture) + " " + ByteUnits[unit];
    }

    /// <summary>A transfer rate: <c>1.20 MiB/s</c>.</summary>
    internal static string Rate(double bytesPerSecond)
        => Bytes(double.IsFinite(bytesPerSecond) && bytesPerSecond > 0 ? (long)Math.Round(bytesPerSecond) : 0) + "/s";

    internal static string Duration(TimeSpan elapsed)
    {
        if (elapsed < TimeSpan.Zero)
        {
            elapsed = TimeSpan.Zero;
        }

        if (elapsed.TotalSeconds < 10)
        {
            return elapsed.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture) + " s";
        }

        if (elapsed.TotalSeconds < 60)
        {
            return elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s";
        }

        return elapsed.TotalHours < 1
            ? elapsed.ToString(@"m\:ss", CultureInfo.InvariantCulture)
            : ((int)elapsed.TotalHours).ToString(CultureInfo.InvariantCulture) + elapsed.ToString(@"\:mm\:ss", CultureInfo.InvariantCulture);
    }

    /// <summary>A count and its noun, singular or plural: <c>1 peer</c>, <c>3 peers</c>.</summary>
    public static string Count(long count, string noun, string? plural = null)
        => count.ToString(CultureInfo.InvariantCulture) + " " + (count == 1 ? noun : plural ?? noun + "s");
}
