using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Swarm;
using TorrentPS.Session;

namespace TorrentPS.Module.Tests.Session;

/// <summary>Which torrents -Name, -InfoHash and -State choose, and what is reported as not found.</summary>
public sealed class TorrentSelectionTests
{
    private static TorrentSelection.NamePattern Literal(string name) => new(name, n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase), false);

    private static TorrentSelection.NamePattern Prefix(string prefix) => new(prefix + "*", n => n.StartsWith(prefix, StringComparison.OrdinalIgnoreCase), true);

    [Fact]
    public async Task Nothing_given_chooses_every_torrent_and_names_states_and_hashes_narrow_it()
    {
        await using var torrents = new SessionTorrents();
        var seed = await torrents.SeedAsync("alpha.bin");
        var stuck = await torrents.StuckDownloadAsync("beta.bin");
        var all = torrents.Session.Torrents;

        Assert.Equal([seed, stuck], TorrentSelection.Select(all, null, null, null).Torrents);
        Assert.Equal([seed], TorrentSelection.Select(all, [Prefix("al")], null, null).Torrents);
        Assert.Equal([stuck], TorrentSelection.Select(all, null, null, [TorrentState.Downloading]).Torrents);
        Assert.Equal([stuck], TorrentSelection.Select(all, null, [stuck.Hash], null).Torrents);
        Assert.Empty(TorrentSelection.Select(all, [Prefix("al")], null, [TorrentState.Downloading]).Torrents);
    }

    [Fact]
    public async Task A_literal_name_or_an_info_hash_not_held_is_TorrentNotFound_and_a_wildcard_is_not()
    {
        await using var torrents = new SessionTorrents();
        await torrents.SeedAsync("alpha.bin");
        var unknown = InfoHash.Parse(new string('c', 40));

        var (chosen, notFound) = TorrentSelection.Select(torrents.Session.Torrents, [Literal("nope.bin"), Prefix("zz")], [unknown], null);

        Assert.Empty(chosen);
        Assert.Equal(["nope.bin", unknown.Hex], notFound.Select(n => n.Target));
        Assert.All(notFound, n => Assert.Equal("TorrentNotFound", n.Error.ErrorId));
    }

    [Fact]
    public void Info_hashes_are_read_in_hex_or_base32_and_anything_else_is_InvalidInfoHash()
    {
        var hex = new string('a', 40);

        Assert.Equal(InfoHash.Parse(hex), Assert.Single(TorrentSelection.ParseInfoHashes([hex.ToUpperInvariant()])));
        Assert.Equal("InvalidInfoHash", Assert.Throws<Engine.Errors.TorrentPSException>(() => TorrentSelection.ParseInfoHashes(["xyz"])).ErrorId);
    }
}
