using TorrentPS.Engine.Wire;

namespace TorrentPS.Engine.Tests.Extensions;

public sealed class LocalExtensionHandshakeTests
{
    [Fact]
    public void Our_handshake_does_not_advertise_ut_pex_unless_asked()
    {
        var read = ExtensionHandshake.Decode(ExtensionHandshake.CreateLocal(listenPort: 6881).ToArray());

        Assert.Null(read.GetMessageId(ExtensionHandshake.UtPex));
        Assert.Equal(ExtensionHandshake.LocalUtMetadataId, read.GetMessageId(ExtensionHandshake.UtMetadata));
    }

    [Fact]
    public void Our_handshake_advertises_ut_pex_under_its_own_id_when_the_loop_handles_it()
    {
        var read = ExtensionHandshake.Decode(ExtensionHandshake.CreateLocal(listenPort: 6881, peerExchange: true).ToArray());

        Assert.Equal(ExtensionHandshake.LocalUtPexId, read.GetMessageId(ExtensionHandshake.UtPex));
        Assert.Equal(ExtensionHandshake.LocalUtMetadataId, read.GetMessageId(ExtensionHandshake.UtMetadata));
        Assert.NotEqual(ExtensionHandshake.LocalUtPexId, ExtensionHandshake.LocalUtMetadataId);
    }
}
