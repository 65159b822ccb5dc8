namespace TorrentPS.Engine.Peers;

/// <summary>
/// The client a peer id names, for display: Azureus style (<c>-qB4520-</c> → qBittorrent 4.5.2),
/// Shadow style (<c>S58B-----</c> → Shadow 5.8.11), Mainline (<c>M4-3-6--</c>), aria2 (<c>A2-1-36-0-</c>).
/// </summary>
internal sealed record PeerClient(string Name, string? Version)
{
    public static PeerClient Unknown { get; } = new("Unknown", null);

    private const string ShadowAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz.-";

    private static readonly Dictionary<string, string> AzureusClients = new(StringComparer.Ordinal)
    {
        ["AG"] = "Ares", ["AZ"] = "Vuze", ["BC"] = "BitComet", ["BI"] = "BiglyBT", ["BT"] = "BitTorrent", ["DE"] = "Deluge",
        ["FD"] = "Free Download Manager", ["FW"] = "FrostWire", ["KT"] = "KTorrent", ["LT"] = "libtorrent (rasterbar)",
        ["lt"] = "libTorrent (rakshasa)", ["PI"] = "PicoTorrent", ["qB"] = "qBittorrent", ["TP"] = "TorrentPS",
        ["TR"] = "Transmission", ["UT"] = "µTorrent", ["UM"] = "µTorrent Mac", ["UW"] = "µTorrent Web", ["WW"] = "WebTorrent",
        ["XL"] = "Xunlei", ["BN"] = "Baidu Netdisk", ["SD"] = "Thunder", ["RT"] = "Retriever", ["HL"] = "Halite", ["BB"] = "BitBuddy",
        ["CD"] = "Enhanced CTorrent", ["LH"] = "LH-ABC", ["ML"] = "MLDonkey", ["TT"] = "TuoTu", ["ZT"] = "ZipTorrent", ["BF"] = "BitFlu",
        ["HK"] = "Hekate", ["SZ"] = "Shareaza", ["TL"] = "Tribler", ["AR"] = "Arctic", ["TS"] = "TorrentStorm", ["GS"] = "GSTorrent",
    };

    private static readonly Dictionary<char, string> ShadowClients = new()
    {
        ['A'] = "ABC", ['O'] = "Osprey Permaseed", ['Q'] = "BTQueue", ['R'] = "Tribler", ['S'] = "Shadow", ['T'] = "BitTornado", ['U'] = "UPnP NAT Bit Torrent",
    };

    /// <summary>"Name Version", or the name alone when the version is unknown.</summary>
    public string DisplayName => Version is null ? Name : $"{Name} {Version}";

    public override string ToString() => DisplayName;

    public static PeerClient FromPeerId(PeerId peerId) => FromPeerId(peerId.AsSpan());

    public static PeerClient FromPeerId(ReadOnlySpan<byte> id)
    {
        if (id.Length != PeerId.Length)
        {
            return Unknown;
        }

        return TryAzureus(id) ?? TryAria2(id) ?? TryMainline(id) ?? TryShadow(id) ?? Unknown;
    }

    private static PeerClient? TryAzureus(ReadOnlySpan<byte> id)
    {
        if (id[0] != '-' || id[7] != '-' || !IsAlphanumeric(id[1]) || !IsAlphanumeric(id[2]))
        {
            return null;
        }

        for (var i = 3; i < 7; i++)
        {
            if (!IsAlphanumeric(id[i]))
            {
                return null;
            }
        }

        var code = $"{(char)id[1]}{(char)id[2]}";
        var name = AzureusClients.TryGetValue(code, out var known) ? known : $"Unknown ({code})";
        return new PeerClient(name, code == "TR" ? TransmissionVersion(id[3..7]) : AzureusVersion(id[3..7]));
    }

    private static string AzureusVersion(ReadOnlySpan<byte> digits)
    {
        // Each of the four characters is one part: 0-9, then A-Z for 10-35. A fourth part of 0 is left out.
        var parts = new int[4];
        for (var i = 0; i < 4; i++)
        {
            parts[i] = DigitValue(digits[i]);
        }

        return parts[3] <= 0 ? $"{parts[0]}.{parts[1]}.{parts[2]}" : $"{parts[0]}.{parts[1]}.{parts[2]}.{parts[3]}";
    }

    private static string TransmissionVersion(ReadOnlySpan<byte> digits)
    {
        // Transmission: major, two-digit minor, then 0 (release), Z or X (development), B (beta).
        var version = $"{DigitValue(digits[0])}.{(char)digits[1]}{(char)digits[2]}";
        return digits[3] switch
        {
            (byte)'0' => version,
            (byte)'B' => version + " beta",
            (byte)'Z' or (byte)'X' => version + "+",
            _ => version,
        };
    }

    private static PeerClient? TryAria2(ReadOnlySpan<byte> id)
    {
        // A2-<major>-<minor>-<patch>-: numbers of any width.
        return id.StartsWith("A2-"u8) && ReadDashedVersion(id, 3, id.Length) is { } version ? new PeerClient("aria2", version) : null;
    }

    private static PeerClient? TryMainline(ReadOnlySpan<byte> id)
    {
        // M<major>-<minor>-<patch>-- (each part one or two digits), e.g. M4-3-6-- or M7-10-3-.
        if (id[0] != 'M' || id[1] is < (byte)'0' or > (byte)'9')
        {
            return null;
        }

        return ReadDashedVersion(id, 1, 9) is { } version ? new PeerClient("BitTorrent (Mainline)", version) : null;
    }

    /// <summary>
    /// Three decimal numbers, each ended by a '-', read from <paramref name="id"/>[<paramref name="start"/>..<paramref name="end"/>)
    /// as "major.minor.patch"; null when a number is empty, holds a non-digit, or the third '-' is not in range.
    /// </summary>
    private static string? ReadDashedVersion(ReadOnlySpan<byte> id, int start, int end)
    {
        var parts = new List<string>(3);
        var partStart = start;
        for (var i = start; i < end && parts.Count < 3; i++)
        {
            if (id[i] == '-')
            {
                if (i == partStart)
                {
                    return null;
                }

                parts.Add(System.Text.Encoding.ASCII.GetString(id[partStart..i]));
                partStart = i + 1;
            }
            else if (id[i] is < (byte)'0' or > (byte)'9')
            {
                return null;
            }
        }

        return parts.Count == 3 ? string.Join('.', parts) : null;
    }

    private static PeerClient? TryShadow(ReadOnlySpan<byte> id)
    {
        // A letter, up to five version characters padded with '-', then "---".
        if (!ShadowClients.TryGetValue((char)id[0], out var name) || !id[6..9].SequenceEqual("---"u8))
        {
            return null;
        }

        var parts = new List<int>(5);
        for (var i = 1; i < 6; i++)
        {
            if (id[i] == '-')
            {
                break;
            }

            var value = ShadowAlphabet.IndexOf((char)id[i]);
            if (value < 0)
            {
                return null;
            }

            parts.Add(value);
        }

        return parts.Count == 0 ? null : new PeerClient(name, string.Join('.', parts));
    }

    private static int DigitValue(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'A' and <= (byte)'Z' => c - 'A' + 10,
        >= (byte)'a' and <= (byte)'z' => c - 'a' + 36,
        _ => 0,
    };

    private static bool IsAlphanumeric(byte c) => c is >= (byte)'0' and <= (byte)'9' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'a' and <= (byte)'z';
}
