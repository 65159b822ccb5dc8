using System.Globalization;

using TorrentPS.Engine.Text;

namespace TorrentPS.Formatting;

/// <summary>
/// Short texts for the default views (TorrentPS.Format.ps1xml calls them as <c>[TorrentPS.Formatting.ViewText]::…</c>):
/// what fits a column at 80 characters without losing what a reader needs.
/// </summary>
public static class ViewText
{
    /// <summary>A tracker as its host and port (<c>tracker.example.org:1337</c>); the whole text (escaped) when it is not a URL.</summary>
    public static string TrackerHost(string? url)
        => url is null ? string.Empty : DisplayText.Escape(Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Authority.Length > 0 ? uri.Authority : url);

    /// <summary>Extension names with their message ids, sorted: <c>ut_metadata=2, ut_pex=1</c>.</summary>
    public static string Extensions(IReadOnlyDictionary<string, byte>? extensions)
        => extensions is null ? string.Empty : string.Join(", ", extensions.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => string.Create(CultureInfo.InvariantCulture, $"{e.Key}={e.Value}")));

    /// <summary>A size in bytes, or nothing when unknown (a magnet link without <c>xl</c>).</summary>
    public static string Size(long? bytes) => bytes is { } value ? ByteSize.Format(value) : string.Empty;

    /// <summary>A duration in whole seconds (<c>1800 s</c>), or nothing when unknown.</summary>
    public static string Seconds(TimeSpan? duration)
        => duration is { } value ? string.Create(CultureInfo.InvariantCulture, $"{value.TotalSeconds:0} s") : string.Empty;
}
