using System.Text;
using TorrentPS.Engine.Peers;
using TorrentPS.Engine.Wire;
using TorrentPS.Interop.Tests.Infrastructure;

namespace TorrentPS.Interop.Tests.Wire;

/// <summary>
/// A handshake with a reference client seeding a test torrent: its peer id and client name are right and its extension
/// handshake is read. One derived class per client states what that client says about itself.
/// </summary>
public abstract class ReferenceClientHandshakeTests<TSeeder>(SeederFixture<TSeeder> fixture)
    where TSeeder : class, ISeeder
{
    protected abstract string PeerIdPrefix { get; }

    protected abstract string ClientName { get; }

    protected abstract string ClientVersion { get; }

    /// <summary>Whether the client sends <c>reqq</c> in its extension handshake (aria2 does not).</summary>
    protected abstract bool SendsRequestQueueLimit { get; }

    [Fact]
    public async Task Handshake_names_the_client_and_reads_its_extension_handshake()
    {
        var result = await new PeerHandshaker().HandshakeAsync(fixture.SeederPeer, new HandshakeOptions { LocalAddress = Loopback.NextAddress() }.WithTimeout(TimeSpan.FromSeconds(10)));
        Assert.StartsWith(PeerIdPrefix, Encoding.Latin1.GetString(result.Id.AsSpan()));
        Assert.Equal(ClientName, result.Client);
        Assert.True(result.SupportsExtensionProtocol);
        Assert.True(result.SupportsFastExtension);
        Assert.False(result.SupportsDht); // DHT is off in the seeder's configuration
        Assert.NotNull(result.MetadataExtensionId);
        Assert.Equal(fixture.Torrent.Info.GetRawInfo().Length, result.MetadataSize);
        Assert.Equal(ClientVersion, result.ClientVersion);
        Assert.Equal(SendsRequestQueueLimit, result.RequestQueueLimit > 0);
    }
}

public sealed class Aria2HandshakeTests(Aria2SeederFixture fixture)
    : ReferenceClientHandshakeTests<Aria2Seeder>(fixture), IClassFixture<Aria2SeederFixture>
{
    protected override string PeerIdPrefix => "A2-1-36-0-";

    protected override string ClientName => "aria2 1.36.0";

    protected override string ClientVersion => "aria2/1.36.0";

    protected override bool SendsRequestQueueLimit => false;
}

public sealed class TransmissionHandshakeTests(TransmissionSeederFixture fixture)
    : ReferenceClientHandshakeTests<TransmissionSeeder>(fixture), IClassFixture<TransmissionSeederFixture>
{
    protected override string PeerIdPrefix => "-TR3000-";

    protected override string ClientName => "Transmission 3.00";

    protected override string ClientVersion => "Transmission 3.00";

    protected override bool SendsRequestQueueLimit => true;
}
