using System.Diagnostics;
using System.Text;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Tests.Wire;

namespace TorrentPS.Engine.Tests.Hostile;

/// <summary>
/// Every crafted torrent of the hostile-input campaign is read in time roughly linear in its size and memory a small
/// multiple of it. Each case once took from 14 s to hours, or gigabytes; the bounds here are generous (seconds, tens of
/// times the input) so only a return of the old, super-linear, behaviour fails them. Memory is counted as the bytes the
/// parse allocates on this thread, so these run alone.
/// </summary>
[Collection(nameof(AllocationMeasurements))]
public sealed class LinearParsingTests
{
    // The old code took 25 s to hours on these shapes; linear parsing takes at most about a second on a quiet machine.
    // The bound leaves room for a machine busy with parallel test runs and still fails any quadratic regression.
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);

    /// <summary>Parses <paramref name="torrent"/> (or fails to), and holds the time and the allocations to the bounds.</summary>
    private static Exception? ParseWithinBounds(byte[] torrent, long maxAllocatedBytes, out TorrentInfo? parsed)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        Exception? error = null;
        parsed = null;
        try
        {
            parsed = TorrentInfo.Parse(torrent);
        }
        catch (Exception ex)
        {
            error = ex;
        }

        clock.Stop();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(clock.Elapsed < Bound, $"{torrent.Length} bytes took {clock.Elapsed} to parse (bound {Bound})");
        Assert.True(allocated < maxAllocatedBytes, $"{torrent.Length} bytes allocated {allocated:N0} bytes to parse (bound {maxAllocatedBytes:N0})");
        return error;
    }

    [Fact]
    public void A_name_of_300000_characters_is_shortened_in_one_step()
    {
        var torrent = CraftedTorrents.LongName(300_000);

        Assert.Null(ParseWithinBounds(torrent, 20L * torrent.Length, out var parsed));

        Assert.True(Encoding.UTF8.GetByteCount(parsed!.Name) <= TorrentPathSanitizer.MaxSegmentBytes);
        Assert.StartsWith("xxxx", parsed.Name, StringComparison.Ordinal);
    }

    [Fact]
    public void A_path_100000_folders_deep_is_refused_as_InvalidTorrent_in_linear_time_and_memory()
    {
        var torrent = CraftedTorrents.DeepPath(100_000);

        var error = Assert.IsType<InvalidTorrentException>(ParseWithinBounds(torrent, 50L * torrent.Length, out _));

        Assert.Equal("InvalidTorrent", error.ErrorId);
        Assert.Contains("100000 folders deep", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_path_longer_than_the_path_limit_is_refused_as_InvalidTorrent()
    {
        var torrent = CraftedTorrents.DeepPath(100, new string('b', 200));

        var error = Assert.IsType<InvalidTorrentException>(ParseWithinBounds(torrent, 100L * torrent.Length, out _));

        Assert.Contains($"at most {TorrentInfoParser.MaxPathBytes} are supported", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Many_deep_files_within_the_limits_take_memory_linear_in_the_paths_not_in_their_prefixes()
    {
        // 2,000 files 150 folders deep: storing every path prefix as a string (the old way) allocates about
        // 2,000 × 21 × 150² bytes ≈ 950 MB; a table of (folder, name) entries allocates a small multiple of the 7 MB input.
        var torrent = CraftedTorrents.ManyDeepFiles(2_000, 150);

        Assert.Null(ParseWithinBounds(torrent, 20L * torrent.Length, out var parsed));

        Assert.Equal(2_000, parsed!.FileCount);
        Assert.Equal(150, parsed.Files[^1].PathSegments.Count);
    }

    [Fact]
    public void Twenty_thousand_paths_that_differ_only_in_case_are_numbered_in_linear_time()
    {
        var torrent = CraftedTorrents.CaseCollisions(20_000);

        Assert.Null(ParseWithinBounds(torrent, 100L * torrent.Length, out var parsed));

        Assert.Equal(20_000, parsed!.Files.Select(f => f.Path).Distinct(StringComparer.OrdinalIgnoreCase).Count());
    }

    [Fact]
    public void A_hundred_thousand_identical_paths_are_numbered_without_searching_from_one_each_time()
    {
        var torrent = CraftedTorrents.IdenticalPaths(100_000);

        Assert.Null(ParseWithinBounds(torrent, 100L * torrent.Length, out var parsed));

        Assert.Equal("same.txt", parsed!.Files[0].Path);
        Assert.Equal("same.99999.txt", parsed.Files[^1].Path);
        Assert.Equal(100_000, parsed.Files.Select(f => f.Path).Distinct(StringComparer.OrdinalIgnoreCase).Count());
    }

    [Fact]
    public void A_hundred_thousand_trackers_in_one_tier_are_deduplicated_in_linear_time()
    {
        var torrent = CraftedTorrents.ManyTrackers(100_000);

        Assert.Null(ParseWithinBounds(torrent, 30L * torrent.Length, out var parsed));

        Assert.Equal(100_000, Assert.Single(parsed!.TrackerTiers).Count);
    }

    [Fact]
    public void A_hundred_thousand_web_seeds_are_deduplicated_in_linear_time()
    {
        var torrent = CraftedTorrents.ManyWebSeeds(100_000);

        Assert.Null(ParseWithinBounds(torrent, 30L * torrent.Length, out var parsed));

        Assert.Equal(100_000, parsed!.WebSeeds.Count);
    }

    [Fact]
    public void A_torrent_of_a_million_pieces_holds_its_piece_hashes_once()
    {
        // 20 MB of piece hashes: the torrent keeps the info dictionary's bytes, and the hashes are a slice of them.
        var torrent = CraftedTorrents.ManyPieces(1_000_000);

        Assert.Null(ParseWithinBounds(torrent, (long)(1.5 * torrent.Length), out var parsed));

        Assert.Equal(1_000_000, parsed!.PieceCount);
        Assert.Equal("abababababababababababababababababababab", parsed.GetPieceHashes()[999_999]);
    }

    [Fact]
    public void A_magnet_link_with_a_hundred_thousand_trackers_is_read_in_linear_time()
    {
        var link = new StringBuilder("magnet:?xt=urn:btih:").Append('a', 40);
        for (var i = 0; i < 100_000; i++)
        {
            link.Append("&tr=http%3A%2F%2F127.0.0.1%3A").Append(i).Append("%2Fa");
        }

        var clock = Stopwatch.StartNew();
        var magnet = MagnetLink.Parse(link.ToString());

        Assert.True(clock.Elapsed < Bound, $"took {clock.Elapsed}");
        Assert.Equal(100_000, magnet.Trackers.Count);
        Assert.Equal(100_000, new MagnetLink(magnet.Hash, null, magnet.Trackers, [], [], null).Trackers.Count);
    }

    [Fact]
    public void Parsing_a_large_torrent_checks_the_cancellation_token()
    {
        var torrent = CraftedTorrents.IdenticalPaths(20_000);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => TorrentInfo.Parse(torrent, null, cancelled.Token));
    }
}
