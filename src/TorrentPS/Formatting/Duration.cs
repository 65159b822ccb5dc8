using System.Globalization;

namespace TorrentPS.Formatting;

/// <summary>
/// Short elapsed times for format views: <c>0.42 s</c>, <c>12.3 s</c>, <c>3:07</c>, <c>1:02:03</c> (invariant culture).
/// Called from TorrentPS.Format.ps1xml as <c>[TorrentPS.Formatting.Duration]::Format($_.Elapsed)</c>.
/// </summary>
public static class Duration
{
    public static string Format(TimeSpan elapsed)
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
}
