using System.Text;
using TorrentPS.Engine.Wire;
using TorrentPS.Interop.Tests.Infrastructure;

namespace TorrentPS.Interop.Tests.Wire;

public sealed class Aria2HandshakeTests(Aria2SeederFixture fixture) : IClassFixture<Aria2SeederFixture>
{
    [Fact]
    public async Task Handshake_with_aria2_names_it_and_reads_its_extension_handshake()
    {
        var result = await new PeerHandshaker().HandshakeAsync(fixture.SeederPeer, new HandshakeOptions { LocalAddress = Loopback.NextAddress() }.WithTimeout(TimeSpan.FromSeconds(10)));
        Assert.StartsWith("A2-1-36-0-", Encoding.Latin1.GetString(result.PeerId.AsSpan()));
        Assert.Equal("aria2 1.36.0", result.Client);
        Assert.True(result.SupportsExtensionProtocol);
        Assert.True(result.SupportsFastExtension);
        Assert.False(result.SupportsDht); // DHT is off in the seeder's configuration
        Assert.NotNull(result.MetadataExtensionId);
        Assert.Equal(fixture.Torrent.Info.GetRawInfo().Length, result.MetadataSize);
        Assert.Equal("aria2/1.36.0", result.ClientVersion);
    }
}
