using System.Globalization;

namespace TorrentPS.Formatting;

/// <summary>
/// Human-readable sizes and rates in binary units (KiB = 1024 bytes), for format views and progress:
/// three significant digits, invariant culture (<c>512 B</c>, <c>1.50 KiB</c>, <c>12.3 MiB</c>, <c>700 MiB</c>).
/// Called from TorrentPS.Format.ps1xml as <c>[TorrentPS.Formatting.ByteSize]::Format($_.Length)</c>.
/// </summary>
public static class ByteSize
{
    private static readonly string[] Units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];

    public static string Format(long bytes)
    {
        if (bytes < 0)
        {
            return "-" + Format(bytes == long.MinValue ? long.MaxValue : -bytes);
        }

        if (bytes < 1024)
        {
            return bytes.ToString(CultureInfo.InvariantCulture) + " B";
        }

        double value = bytes;
        var unit = 0;
        while (value >= 1024 && unit < Units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        // Rounding can carry into the next unit (1023.99 KiB shows as 1.00 MiB, not 1024 KiB).
        if (Math.Round(value, value < 10 ? 2 : value < 100 ? 1 : 0) >= 1024 && unit < Units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        var format = value < 10 ? "0.00" : value < 100 ? "0.0" : "0";
        return value.ToString(format, CultureInfo.InvariantCulture) + " " + Units[unit];
    }

    /// <summary>A transfer rate: <c>1.20 MiB/s</c>.</summary>
    public static string FormatRate(double bytesPerSecond)
        => Format(double.IsFinite(bytesPerSecond) && bytesPerSecond > 0 ? (long)Math.Round(bytesPerSecond) : 0) + "/s";
}
