using System.Security.Cryptography;
using TorrentPS.Engine.Metainfo;

namespace TorrentPS.Engine.Tests.Metainfo;

public class InfoHashTests
{
    private const string Hex = "d69f91e6b2ae4c542468d1073a71d4ea13879a7f";

    [Fact]
    public void Parses_hex_in_either_case_and_shows_lowercase()
    {
        Assert.Equal(Hex, InfoHash.Parse(Hex).Hex);
        Assert.Equal(Hex, InfoHash.Parse(Hex.ToUpperInvariant()).Hex);
        Assert.Equal(Hex, InfoHash.Parse(Hex).ToString());
    }

    [Fact]
    public void Base32_round_trips_with_hex()
    {
        var hash = InfoHash.Parse(Hex);
        var base32 = hash.ToBase32();
        Assert.Equal(32, base32.Length);
        Assert.Matches("^[A-Z2-7]{32}$", base32);
        Assert.Equal(hash, InfoHash.Parse(base32));
        Assert.Equal(hash, InfoHash.Parse(base32.ToLowerInvariant()));
    }

    [Fact]
    public void Base32_matches_rfc_4648()
    {
        // 20 bytes of 0x00 → 32 'A'; 0xFF → 32 '7'.
        Assert.Equal(new string('A', 32), new InfoHash(new byte[20]).ToBase32());
        Assert.Equal(new string('7', 32), new InfoHash(Enumerable.Repeat((byte)0xFF, 20).ToArray()).ToBase32());
        Assert.Equal(Convert.FromHexString("0000000000000000000000000000000000000001"), InfoHash.Parse("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB").ToArray());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("d69f91e6b2ae4c542468d1073a71d4ea13879a7")]
    [InlineData("d69f91e6b2ae4c542468d1073a71d4ea13879a7f0")]
    [InlineData("g69f91e6b2ae4c542468d1073a71d4ea13879a7f")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA1")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public void Refuses_what_is_not_an_info_hash(string? text)
    {
        Assert.False(InfoHash.TryParse(text, out _));
        if (text is not null)
        {
            Assert.Throws<FormatException>(() => InfoHash.Parse(text));
        }
    }

    [Fact]
    public void Compute_is_the_sha1_of_the_bytes()
    {
        var bytes = "d4:name1:xe"u8.ToArray();
        Assert.Equal(SHA1.HashData(bytes), InfoHash.Compute(bytes).ToArray());
    }

    [Fact]
    public void Equality_is_by_value_and_the_bytes_cannot_be_changed_from_outside()
    {
        var bytes = Convert.FromHexString(Hex);
        var hash = new InfoHash(bytes);
        bytes[0] ^= 0xFF;
        hash.ToArray()[1] ^= 0xFF;
        Assert.Equal(Hex, hash.Hex);
        Assert.True(hash == InfoHash.Parse(Hex));
        Assert.False(hash != InfoHash.Parse(Hex));
        Assert.Equal(hash.GetHashCode(), InfoHash.Parse(Hex).GetHashCode());
        Assert.Throws<ArgumentException>(() => new InfoHash(new byte[19]));
    }
}
