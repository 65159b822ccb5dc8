using System.Text;
using TorrentPS.Engine.Wire;
using TorrentPS.Interop.Tests.Infrastructure;

namespace TorrentPS.Interop.Tests.Wire;

public sealed class TransmissionHandshakeTests(TransmissionSeederFixture fixture) : IClassFixture<TransmissionSeederFixture>
{
    [Fact]
    public async Task Handshake_with_transmission_names_it_and_reads_its_extension_handshake()
    {
        var result = await new PeerHandshaker().HandshakeAsync(fixture.SeederPeer, new HandshakeOptions { LocalAddress = Loopback.NextAddress() }.WithTimeout(TimeSpan.FromSeconds(10)));
        Assert.StartsWith("-TR3000-", Encoding.Latin1.GetString(result.PeerId.AsSpan()));
        Assert.Equal("Transmission 3.00", result.Client);
        Assert.True(result.SupportsExtensionProtocol);
        Assert.True(result.SupportsFastExtension);
        Assert.False(result.SupportsDht); // DHT is off in the seeder's configuration
        Assert.NotNull(result.MetadataExtensionId);
        Assert.Equal(fixture.Torrent.Info.GetRawInfo().Length, result.MetadataSize);
        Assert.Equal("Transmission 3.00", result.ClientVersion);
        Assert.True(result.RequestQueueLimit > 0);
    }
}
