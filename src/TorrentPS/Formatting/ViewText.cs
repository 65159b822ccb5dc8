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

    /// <summary>A duration given in seconds (as the output types carry durations) in whole seconds (<c>1800 s</c>), or nothing when unknown.</summary>
    public static string Seconds(double? seconds)
        => seconds is { } value ? string.Create(CultureInfo.InvariantCulture, $"{value:0} s") : string.Empty;

    /// <summary>A duration given in seconds as a short duration (<c>0.15 s</c>, <c>3:07</c>), as <see cref="Formatting.Duration"/> writes it.</summary>
    public static string Elapsed(double seconds) => Formatting.Duration.Format(TimeSpan.FromSeconds(seconds));

    /// <summary>A torrent's state in at most 11 characters (<c>FetchingMetadata</c> shows as <c>Metadata</c>).</summary>
    public static string State(TorrentPS.Engine.Swarm.TorrentState state)
        => state == TorrentPS.Engine.Swarm.TorrentState.FetchingMetadata ? "Metadata" : state.ToString();

    /// <summary>A percentage with one decimal: <c>42.0%</c>.</summary>
    public static string Percent(double percent) => string.Create(CultureInfo.InvariantCulture, $"{Math.Clamp(percent, 0, 100):0.0}%");

    /// <summary>Time left, given in seconds, as a short duration (<c>3:07</c>), or nothing when unknown.</summary>
    public static string TimeLeft(double? seconds) => seconds is { } value ? Formatting.Duration.Format(TimeSpan.FromSeconds(value)) : string.Empty;
}
