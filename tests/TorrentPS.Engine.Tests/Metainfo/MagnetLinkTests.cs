using TorrentPS.Engine.Metainfo;

namespace TorrentPS.Engine.Tests.Metainfo;

public class MagnetLinkTests
{
    private const string Hex = "ad42ce8109f54c99613ce38f9b4d87e70f24a165";

    [Fact]
    public void Parses_the_parts_of_a_challenge_style_link()
    {
        var magnet = MagnetLink.Parse($"magnet:?xt=urn:btih:{Hex}&dn=magnet1.gif&tr=http%3A%2F%2F127.0.0.1%3A6969%2Fannounce");
        Assert.Equal(Hex, magnet.Hash.Hex);
        Assert.Equal("magnet1.gif", magnet.DisplayName);
        Assert.Equal(["http://127.0.0.1:6969/announce"], magnet.Trackers);
        Assert.Empty(magnet.PeerAddresses);
        Assert.Empty(magnet.WebSeeds);
        Assert.Null(magnet.ExactLength);
    }

    [Fact]
    public void Reads_every_tracker_in_order_including_unescaped_ones_without_duplicates()
    {
        var magnet = MagnetLink.Parse(
            $"magnet:?xt=urn:btih:{Hex}&tr=http://127.0.0.1:6969/announce&tr=udp%3A%2F%2F127.0.0.2%3A80&tr=http://127.0.0.1:6969/announce" +
            "&tr=http%3A%2F%2F127.0.0.3%2Fa%3Fkey%3D1%26x%3D2&tr=&tr.1=udp://127.0.0.4:1");
        Assert.Equal(
            ["http://127.0.0.1:6969/announce", "udp://127.0.0.2:80", "http://127.0.0.3/a?key=1&x=2", "udp://127.0.0.4:1"],
            magnet.Trackers);
    }

    [Fact]
    public void Reads_base32_hashes_peers_web_seeds_and_length()
    {
        var hash = InfoHash.Parse(Hex);
        var magnet = MagnetLink.Parse(
            $"MAGNET:?XT=urn:BTIH:{hash.ToBase32().ToLowerInvariant()}&xl=12345&x.pe=127.0.0.5:6881&x.pe=%5B%3A%3A1%5D%3A6882" +
            "&ws=http%3A%2F%2F127.0.0.1%3A8080%2Fseed&dn=a+b%20c&unknown=ignored&noequals");
        Assert.Equal(hash, magnet.Hash);
        Assert.Equal(12345, magnet.ExactLength);
        Assert.Equal(["127.0.0.5:6881", "[::1]:6882"], magnet.PeerAddresses);
        Assert.Equal(["http://127.0.0.1:8080/seed"], magnet.WebSeeds);
        Assert.Equal("a b c", magnet.DisplayName);
    }

    [Fact]
    public void Takes_the_first_btih_when_a_link_has_several_exact_topics()
    {
        var other = "0123456789abcdef0123456789abcdef01234567";
        var magnet = MagnetLink.Parse($"magnet:?xt=urn:btmh:1220{new string('0', 64)}&xt=urn:btih:{Hex}&xt=urn:btih:{other}");
        Assert.Equal(Hex, magnet.Hash.Hex);
    }

    [Theory]
    [InlineData("http://127.0.0.1/x", "does not start with 'magnet:?'")]
    [InlineData("magnet:?dn=x&tr=http://127.0.0.1/", "no 'xt=urn:btih:' info hash")]
    [InlineData("magnet:?xt=urn:sha1:ABCDEFGH", "no 'xt=urn:btih:' info hash")]
    [InlineData("magnet:?xt=urn:btih:", "'' is not an info hash")]
    [InlineData("magnet:?xt=urn:btih:1234", "'1234' is not an info hash")]
    [InlineData("magnet:?xt=urn:btih:zd42ce8109f54c99613ce38f9b4d87e70f24a165", "is not an info hash")]
    [InlineData("", "does not start with 'magnet:?'")]
    public void Missing_or_malformed_exact_topics_are_clear_errors(string link, string message)
    {
        var error = Assert.Throws<InvalidMagnetLinkException>(() => MagnetLink.Parse(link));
        Assert.Equal("InvalidMagnetLink", error.ErrorId);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Equal(link, error.Link);
        Assert.False(MagnetLink.TryParse(link, out _));
    }

    [Fact]
    public void A_v2_only_link_is_not_supported_yet()
    {
        var error = Assert.Throws<UnsupportedTorrentException>(() => MagnetLink.Parse($"magnet:?xt=urn:btmh:1220{new string('a', 64)}"));
        Assert.Contains("v2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Renders_with_a_hex_hash_and_escaped_parts()
    {
        var magnet = new MagnetLink(InfoHash.Parse(Hex), "a b&c", ["http://127.0.0.1:1/a?x=1&y=2"], ["127.0.0.1:6881"], ["http://127.0.0.1:2/ws"], 42);
        Assert.Equal(
            $"magnet:?xt=urn:btih:{Hex}&dn=a%20b%26c&xl=42&tr=http%3A%2F%2F127.0.0.1%3A1%2Fa%3Fx%3D1%26y%3D2&ws=http%3A%2F%2F127.0.0.1%3A2%2Fws&x.pe=127.0.0.1%3A6881",
            magnet.Uri);
        Assert.Equal(magnet.Uri, magnet.ToString());
    }

    [Fact]
    public void The_constructor_normalises_like_parse()
    {
        var magnet = new MagnetLink(InfoHash.Parse(Hex), "", ["http://127.0.0.1/a", "", "http://127.0.0.1/a"], [""], [""], null);
        Assert.Null(magnet.DisplayName);
        Assert.Equal(["http://127.0.0.1/a"], magnet.Trackers);
        Assert.Empty(magnet.PeerAddresses);
        Assert.Empty(magnet.WebSeeds);
        Assert.Throws<ArgumentOutOfRangeException>(() => new MagnetLink(InfoHash.Parse(Hex), null, [], [], [], -1));
    }

    [Fact]
    public void Parse_of_render_gives_the_same_link_for_generated_links()
    {
        var random = new Random(17);
        const string alphabet = "abcXYZ019 -_.~!*'();:@&=+$,/?#[]%\"<>\\^`{|}éü日本\u0001";
        string Text(int max) => new(Enumerable.Range(0, random.Next(1, max)).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());
        for (var i = 0; i < 500; i++)
        {
            var bytes = new byte[20];
            random.NextBytes(bytes);
            var magnet = new MagnetLink(
                new InfoHash(bytes),
                random.Next(3) == 0 ? null : Text(20),
                Enumerable.Range(0, random.Next(4)).Select(_ => "http://127.0.0.1/" + Text(15)).ToArray(),
                Enumerable.Range(0, random.Next(3)).Select(n => $"127.0.0.{n + 1}:{random.Next(1, 65536)}").ToArray(),
                Enumerable.Range(0, random.Next(3)).Select(_ => "http://127.0.0.1:8080/" + Text(10)).ToArray(),
                random.Next(2) == 0 ? null : random.NextInt64(0, long.MaxValue));
            var parsed = MagnetLink.Parse(magnet.Uri);
            Assert.True(magnet.Equals(parsed), $"link {i}: {magnet.Uri}");
            Assert.Equal(magnet.GetHashCode(), parsed.GetHashCode());
        }
    }

    [Fact]
    public void Links_that_differ_are_not_equal()
    {
        var a = new MagnetLink(InfoHash.Parse(Hex), "x", ["http://127.0.0.1/a"], [], [], null);
        Assert.NotEqual(a, new MagnetLink(InfoHash.Parse(Hex), "y", ["http://127.0.0.1/a"], [], [], null));
        Assert.NotEqual(a, new MagnetLink(InfoHash.Parse(Hex), "x", ["http://127.0.0.1/b"], [], [], null));
        Assert.NotEqual(a, new MagnetLink(InfoHash.Parse(Hex), "x", ["http://127.0.0.1/a"], [], [], 1));
        Assert.Equal(a, new MagnetLink(InfoHash.Parse(Hex), "x", ["http://127.0.0.1/a"], [], [], null));
    }

    [Fact]
    public void Peer_end_points_are_the_ip_literals_with_a_port()
    {
        var magnet = MagnetLink.Parse(
            $"magnet:?xt=urn:btih:{Hex}&x.pe=127.0.0.5:6881&x.pe=%5B%3A%3A1%5D%3A6882&x.pe=peer.example:6883&x.pe=127.0.0.6&x.pe=%5B%3A%3A1%5D&x.pe=127.0.0.7:0&x.pe=127.0.0.8:99999");
        Assert.Equal(7, magnet.PeerAddresses.Count);
        Assert.Equal(["127.0.0.5:6881", "[::1]:6882"], magnet.PeerEndPoints.Select(e => e.ToString()));
    }
}
