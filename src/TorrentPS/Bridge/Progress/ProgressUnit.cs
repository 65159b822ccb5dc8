using System.Globalization;
using TorrentPS.Formatting;

namespace TorrentPS.Bridge.Progress;

/// <summary>
/// What a <see cref="TransferProgress"/> counts: bytes (<c>12.3 MiB</c>, <c>1.20 MiB/s</c>) or items such as trackers
/// or peers (<c>12 peers</c>, <c>3.5 peers/s</c>).
/// </summary>
public sealed class ProgressUnit
{
    private ProgressUnit(string? plural)
    {
        Plural = plural;
    }

    /// <summary>Bytes, shown in binary units.</summary>
    public static ProgressUnit Bytes { get; } = new(null);

    /// <summary>The plural name of the items counted (<c>peers</c>); null for bytes.</summary>
    public string? Plural { get; }

    public bool IsBytes => Plural is null;

    /// <summary>Items called <paramref name="plural"/> (<c>"peers"</c>).</summary>
    public static ProgressUnit Items(string plural)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(plural);
        return new ProgressUnit(plural);
    }

    /// <summary>An amount: <c>12.3 MiB</c> or <c>12 peers</c>.</summary>
    public string FormatAmount(long amount)
        => Plural is null ? ByteSize.Format(amount) : amount.ToString(CultureInfo.InvariantCulture) + " " + Plural;

    /// <summary>A rate: <c>1.20 MiB/s</c> or <c>3.5 peers/s</c>.</summary>
    public string FormatRate(double perSecond)
    {
        if (Plural is null)
        {
            return ByteSize.FormatRate(perSecond);
        }

        var value = double.IsFinite(perSecond) && perSecond > 0 ? perSecond : 0;
        return value.ToString(value < 10 ? "0.0" : "0", CultureInfo.InvariantCulture) + " " + Plural + "/s";
    }

    public override string ToString() => Plural ?? "bytes";
}
