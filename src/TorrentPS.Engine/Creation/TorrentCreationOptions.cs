namespace TorrentPS.Engine.Creation;

/// <summary>What a new torrent says besides its content (<see cref="TorrentCreator"/>).</summary>
public sealed record TorrentCreationOptions
{
    /// <summary><c>created by</c> when none is given: <c>TorrentPS &lt;version&gt;</c>.</summary>
    public static string DefaultCreatedBy { get; } = $"TorrentPS {typeof(TorrentCreationOptions).Assembly.GetName().Version?.ToString(3) ?? "0.1.0"}";

    /// <summary>BEP 12 tiers of tracker URLs: the first tracker becomes <c>announce</c>, and with more than one tracker every tier goes to <c>announce-list</c>.</summary>
    public IReadOnlyList<IReadOnlyList<string>> TrackerTiers { get; init; } = [];

    /// <summary>BEP 19 web seeds (<c>url-list</c>).</summary>
    public IReadOnlyList<string> WebSeeds { get; init; } = [];

    /// <summary>BEP 27: peers only from the trackers (<c>private</c> 1 in the info dictionary, so it changes the info hash).</summary>
    public bool IsPrivate { get; init; }

    public string? Comment { get; init; }

    /// <summary><c>source</c> in the info dictionary (some private trackers ask for their name there; it changes the info hash).</summary>
    public string? Source { get; init; }

    /// <summary><c>created by</c>; null or empty writes none.</summary>
    public string? CreatedBy { get; init; } = DefaultCreatedBy;

    /// <summary><c>creation date</c>: null for the moment the torrent is made (unless <see cref="NoCreationDate"/>).</summary>
    internal DateTimeOffset? CreationDate { get; init; }

    /// <summary>Write no <c>creation date</c> (two runs over the same files then make the same bytes).</summary>
    public bool NoCreationDate { get; init; }

    /// <summary>The piece length: a power of two from 16 KiB to 256 MiB, or null for <see cref="PieceLengthRule.Automatic"/>.</summary>
    public long? PieceLength { get; init; }

    public TorrentVersion Version { get; init; } = TorrentVersion.V1;

    /// <summary>Wildcard patterns of files and folders to leave out of a folder (see <see cref="ExcludePatterns"/>).</summary>
    public IReadOnlyList<string> Exclude { get; init; } = [];

    /// <summary>
    /// The .torrent file the torrent is going to be written to, when the caller writes one: left out of the content when
    /// it lies inside the folder being shared (a torrent cannot hold itself, nor the earlier version it replaces).
    /// </summary>
    public string? OutputPath { get; init; }
}
