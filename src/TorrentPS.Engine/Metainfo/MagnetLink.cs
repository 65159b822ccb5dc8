using System.Globalization;
using System.Text;

namespace TorrentPS.Engine.Metainfo;

/// <summary>
/// A BEP 9 magnet link: <c>xt=urn:btih:</c> (40 hex or 32 base32), <c>dn</c>, every <c>tr</c>,
/// <c>x.pe</c> peer addresses, <c>ws</c> web seeds and <c>xl</c> exact length.
/// </summary>
public sealed class MagnetLink : IEquatable<MagnetLink>
{
    /// <summary>
    /// A magnet link from its parts, normalised the way <see cref="Parse"/> reads them back: an empty
    /// display name becomes null, empty list items are dropped, and so are repeated trackers.
    /// </summary>
    public MagnetLink(InfoHash infoHash, string? displayName, IReadOnlyList<string> trackers, IReadOnlyList<string> peerAddresses, IReadOnlyList<string> webSeeds, long? exactLength)
    {
        ArgumentNullException.ThrowIfNull(infoHash);
        ArgumentNullException.ThrowIfNull(trackers);
        ArgumentNullException.ThrowIfNull(peerAddresses);
        ArgumentNullException.ThrowIfNull(webSeeds);
        if (exactLength < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(exactLength), exactLength, "The exact length cannot be negative.");
        }

        Hash = infoHash;
        DisplayName = string.IsNullOrEmpty(displayName) ? null : displayName;
        Trackers = NonEmpty(trackers, distinct: true);
        PeerAddresses = NonEmpty(peerAddresses, distinct: false);
        WebSeeds = NonEmpty(webSeeds, distinct: false);
        ExactLength = exactLength;
    }

    /// <summary>The info hash as 40 lowercase hex digits: what <c>-InfoHash</c> takes, and text in <c>ConvertTo-Json</c>.</summary>
    public string InfoHash => Hash.Hex;

    /// <summary>The info hash, typed.</summary>
    internal InfoHash Hash { get; }

    public string? DisplayName { get; }

    /// <summary>Tracker URLs (<c>tr</c>), percent-decoded, in link order, without duplicates.</summary>
    public IReadOnlyList<string> Trackers { get; }

    /// <summary>Peer addresses (<c>x.pe</c>) as <c>host:port</c>.</summary>
    public IReadOnlyList<string> PeerAddresses { get; }

    /// <summary>
    /// The <see cref="PeerAddresses"/> that are IP literals with a port (<c>1.2.3.4:6881</c>, <c>[::1]:6881</c>),
    /// ready to dial; host names and entries without a usable port are left out.
    /// </summary>
    internal IReadOnlyList<System.Net.IPEndPoint> PeerEndPoints
    {
        get
        {
            var endPoints = new List<System.Net.IPEndPoint>(PeerAddresses.Count);
            foreach (var address in PeerAddresses)
            {
                if (PeerEndPoint.TryParse(address, out var endPoint))
                {
                    endPoints.Add(endPoint);
                }
            }

            return endPoints;
        }
    }

    public IReadOnlyList<string> WebSeeds { get; }

    public long? ExactLength { get; }

    /// <summary>The link rendered with a hex info hash and every part percent-encoded.</summary>
    public string Uri => ToString();

    public static MagnetLink Parse(string link)
    {
        ArgumentNullException.ThrowIfNull(link);
        var text = link.Trim();
        if (!text.StartsWith("magnet:?", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidMagnetLinkException(link, "it does not start with 'magnet:?'");
        }

        InfoHash? infoHash = null;
        var sawV2 = false;
        string? displayName = null;
        long? exactLength = null;
        var trackers = new List<string>();
        var seenTrackers = new HashSet<string>(StringComparer.Ordinal);
        var peers = new List<string>();
        var webSeeds = new List<string>();
        foreach (var part in text["magnet:?".Length..].Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=');
            if (eq <= 0)
            {
                continue;
            }

            var key = NormaliseKey(part[..eq]);
            var value = Decode(part[(eq + 1)..], plusIsSpace: key == "dn");
            switch (key)
            {
                case "xt":
                    if (value.StartsWith("urn:btih:", StringComparison.OrdinalIgnoreCase))
                    {
                        var hash = value["urn:btih:".Length..];
                        if (!Metainfo.InfoHash.TryParse(hash, out var parsed))
                        {
                            throw new InvalidMagnetLinkException(link, $"'{Text.DisplayText.Escape(hash, 64)}' is not an info hash (expected 40 hex digits or 32 base32 characters)");
                        }

                        infoHash ??= parsed;
                    }
                    else if (value.StartsWith("urn:btmh:", StringComparison.OrdinalIgnoreCase))
                    {
                        sawV2 = true;
                    }

                    break;
                case "dn":
                    displayName ??= value;
                    break;
                case "tr":
                    if (value.Length > 0 && seenTrackers.Add(value))
                    {
                        trackers.Add(value);
                    }

                    break;
                case "x.pe":
                    if (value.Length > 0)
                    {
                        peers.Add(value);
                    }

                    break;
                case "ws":
                    if (value.Length > 0)
                    {
                        webSeeds.Add(value);
                    }

                    break;
                case "xl":
                    if (long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var xl))
                    {
                        exactLength = xl;
                    }

                    break;
            }
        }

        if (infoHash is null)
        {
            if (sawV2)
            {
                throw new UnsupportedTorrentException("The magnet link names only a BitTorrent v2 hash (urn:btmh); only v1 (urn:btih) is supported yet.");
            }

            throw new InvalidMagnetLinkException(link, "it has no 'xt=urn:btih:' info hash");
        }

        return new MagnetLink(infoHash, displayName, trackers, peers, webSeeds, exactLength);
    }

    public static bool TryParse(string? link, out MagnetLink magnet)
    {
        magnet = null!;
        if (link is null)
        {
            return false;
        }

        try
        {
            magnet = Parse(link);
            return true;
        }
        catch (Errors.TorrentPSException)
        {
            return false;
        }
    }

    public override string ToString()
    {
        var builder = new StringBuilder("magnet:?xt=urn:btih:").Append(Hash.Hex);
        if (!string.IsNullOrEmpty(DisplayName))
        {
            builder.Append("&dn=").Append(System.Uri.EscapeDataString(DisplayName));
        }

        if (ExactLength is { } xl)
        {
            builder.Append("&xl=").Append(xl.ToString(CultureInfo.InvariantCulture));
        }

        foreach (var tracker in Trackers)
        {
            builder.Append("&tr=").Append(System.Uri.EscapeDataString(tracker));
        }

        foreach (var webSeed in WebSeeds)
        {
            builder.Append("&ws=").Append(System.Uri.EscapeDataString(webSeed));
        }

        foreach (var peer in PeerAddresses)
        {
            builder.Append("&x.pe=").Append(System.Uri.EscapeDataString(peer));
        }

        return builder.ToString();
    }

    public bool Equals(MagnetLink? other)
        => other is not null
           && Hash.Equals(other.Hash)
           && string.Equals(DisplayName, other.DisplayName, StringComparison.Ordinal)
           && ExactLength == other.ExactLength
           && Trackers.SequenceEqual(other.Trackers, StringComparer.Ordinal)
           && PeerAddresses.SequenceEqual(other.PeerAddresses, StringComparer.Ordinal)
           && WebSeeds.SequenceEqual(other.WebSeeds, StringComparer.Ordinal);

    public override bool Equals(object? obj) => obj is MagnetLink other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(Hash, DisplayName, ExactLength, Trackers.Count, PeerAddresses.Count, WebSeeds.Count);

    private static string[] NonEmpty(IReadOnlyList<string> items, bool distinct)
    {
        var result = new List<string>(items.Count);
        var seen = distinct ? new HashSet<string>(StringComparer.Ordinal) : null;
        foreach (var item in items)
        {
            if (!string.IsNullOrEmpty(item) && (seen is null || seen.Add(item)))
            {
                result.Add(item);
            }
        }

        return result.ToArray();
    }

    /// <summary>Lower-cases a key and drops a numbered suffix seen in the wild (<c>tr.1</c>, <c>xt.2</c>); <c>x.pe</c> stays.</summary>
    private static string NormaliseKey(string key)
    {
        key = key.ToLowerInvariant();
        var dot = key.IndexOf('.');
        if (dot > 0 && key.Length > dot + 1 && key.AsSpan(dot + 1).IndexOfAnyExceptInRange('0', '9') < 0)
        {
            return key[..dot];
        }

        return key;
    }

    private static string Decode(string value, bool plusIsSpace)
    {
        if (plusIsSpace)
        {
            value = value.Replace('+', ' ');
        }

        try
        {
            return System.Uri.UnescapeDataString(value);
        }
        catch (UriFormatException)
        {
            return value;
        }
    }
}
