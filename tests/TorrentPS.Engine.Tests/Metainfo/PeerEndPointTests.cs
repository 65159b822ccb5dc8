using System.Net;
using TorrentPS.Engine.Metainfo;

namespace TorrentPS.Engine.Tests.Metainfo;

public class PeerEndPointTests
{
    [Theory]
    [InlineData("127.0.0.5:6881", "127.0.0.5:6881")]
    [InlineData(" 127.0.0.5:1 ", "127.0.0.5:1")]
    [InlineData("[::1]:6882", "[::1]:6882")]
    [InlineData("[::ffff:127.0.0.9]:7000", "127.0.0.9:7000")]
    [InlineData("127.0.0.5:65535", "127.0.0.5:65535")]
    public void TryParse_reads_ip_literals_with_a_port(string text, string expected)
    {
        Assert.True(PeerEndPoint.TryParse(text, out var endPoint));
        Assert.Equal(expected, endPoint.ToString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("127.0.0.5")]
    [InlineData("127.0.0.5:")]
    [InlineData("127.0.0.5:0")]
    [InlineData("127.0.0.5:65536")]
    [InlineData("127.0.0.5:+80")]
    [InlineData("::1:6881")]
    [InlineData("[::1]")]
    [InlineData("[::1:6881")]
    [InlineData(":6881")]
    [InlineData("peer.invalid:6881")]
    public void TryParse_refuses_what_is_not_an_ip_literal_with_a_port(string? text)
        => Assert.False(PeerEndPoint.TryParse(text, out _));

    [Fact]
    public async Task ResolveAsync_takes_an_ip_literal_without_asking_a_resolver()
        => Assert.Equal(new IPEndPoint(IPAddress.Parse("127.0.0.7"), 51413), await PeerEndPoint.ResolveAsync("127.0.0.7:51413"));

    [Fact]
    public async Task ResolveAsync_resolves_localhost()
    {
        var endPoint = await PeerEndPoint.ResolveAsync("localhost:6881");
        Assert.True(IPAddress.IsLoopback(endPoint.Address), $"{endPoint.Address} is not a loopback address");
        Assert.Equal(6881, endPoint.Port);
    }

    [Theory]
    [InlineData("no-port")]
    [InlineData("127.0.0.5:0")]
    [InlineData("[::1]")]
    public async Task ResolveAsync_refuses_an_address_without_a_usable_port(string text)
        => await Assert.ThrowsAsync<FormatException>(() => PeerEndPoint.ResolveAsync(text));
}
