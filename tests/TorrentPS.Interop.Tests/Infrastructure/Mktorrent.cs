namespace TorrentPS.Interop.Tests.Infrastructure;

/// <summary>What to ask mktorrent for; the defaults make a public torrent with one tracker on loopback.</summary>
public sealed record MktorrentOptions
{
    /// <summary>BEP 12 tiers; each inner list is one tier (mktorrent: one <c>-a</c> per tier, URLs joined by commas).</summary>
    public IReadOnlyList<IReadOnlyList<string>> TrackerTiers { get; init; } = [["http://127.0.0.1:6969/announce"]];

    /// <summary>Piece length as a power of two (mktorrent accepts 15..28: 32 KiB .. 256 MiB).</summary>
    public int PieceLengthExponent { get; init; } = 15;

    public bool Private { get; init; }

    public IReadOnlyList<string> WebSeeds { get; init; } = [];

    public string? Comment { get; init; }

    /// <summary>The torrent's name, when it should differ from the content's file or folder name.</summary>
    public string? Name { get; init; }
}

/// <summary>Creates .torrent files with the real mktorrent, the reference maker for golden torrents.</summary>
public static class Mktorrent
{
    /// <summary>Makes <paramref name="torrentPath"/> from the file or folder at <paramref name="contentPath"/>.</summary>
    public static async Task CreateAsync(string contentPath, string torrentPath, MktorrentOptions? options = null)
    {
        options ??= new MktorrentOptions();
        var arguments = new List<string>();
        foreach (var tier in options.TrackerTiers)
        {
            arguments.Add("-a");
            arguments.Add(string.Join(',', tier));
        }

        arguments.Add("-l");
        arguments.Add(options.PieceLengthExponent.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (options.Private)
        {
            arguments.Add("-p");
        }

        foreach (var webSeed in options.WebSeeds)
        {
            arguments.Add("-w");
            arguments.Add(webSeed);
        }

        if (options.Comment is not null)
        {
            arguments.Add("-c");
            arguments.Add(options.Comment);
        }

        if (options.Name is not null)
        {
            arguments.Add("-n");
            arguments.Add(options.Name);
        }

        arguments.Add("-o");
        arguments.Add(torrentPath);
        arguments.Add(contentPath);
        await ExternalProcess.RunAsync("mktorrent", arguments, TimeSpan.FromSeconds(30));
    }
}
