using System.Net;
using TorrentPS.Engine.Wire;

namespace TorrentPS.Engine.Tests.Wire;

public sealed class ExtensionHandshakeTests
{
    [Fact]
    public void Extension_handshake_round_trips_every_field()
    {
        var original = new ExtensionHandshake(
            new Dictionary<string, byte> { ["ut_pex"] = 2, ["ut_metadata"] = 3 },
            "TorrentPS 0.1.0",
            6881,
            500,
            IPAddress.Parse("127.0.0.9"),
            31337,
            uploadOnly: true);
        var bytes = original.ToArray();
        Assert.Equal("d1:md11:ut_metadatai3e6:ut_pexi2ee13:metadata_sizei31337e1:pi6881e4:reqqi500e11:upload_onlyi1e1:v15:TorrentPS 0.1.06:yourip4:", System.Text.Encoding.Latin1.GetString(bytes[..^5]));
        var read = ExtensionHandshake.Decode(bytes);
        Assert.Equal((byte)3, read.GetMessageId(ExtensionHandshake.UtMetadata));
        Assert.Equal((byte)2, read.GetMessageId(ExtensionHandshake.UtPex));
        Assert.Equal(("TorrentPS 0.1.0", 6881, 500, 31337L, true), (read.ClientVersion, read.ListenPort!.Value, read.RequestQueueLimit!.Value, read.MetadataSize!.Value, read.UploadOnly));
        Assert.Equal(IPAddress.Parse("127.0.0.9"), read.YourIp);
    }

    [Fact]
    public void Unknown_keys_are_ignored_and_wrong_types_read_as_absent()
    {
        var read = ExtensionHandshake.Decode("d1:ei0e1:md11:ut_metadatai0e6:ut_pex3:abc5:lt_dxi7ee1:p3:abc4:reqqi-5e1:vi3e6:yourip3:abc13:metadata_size2:xxe"u8.ToArray());
        Assert.Equal(["lt_dx"], read.Extensions.Keys);
        Assert.Null(read.GetMessageId(ExtensionHandshake.UtMetadata));
        Assert.Null(read.ListenPort);
        Assert.Null(read.RequestQueueLimit);
        Assert.Null(read.ClientVersion);
        Assert.Null(read.YourIp);
        Assert.Null(read.MetadataSize);
    }

    [Fact]
    public void A_body_that_is_not_a_dictionary_is_a_protocol_error()
    {
        Assert.Throws<PeerProtocolException>(() => ExtensionHandshake.Decode("li1ee"u8.ToArray()));
        Assert.Throws<PeerProtocolException>(() => ExtensionHandshake.Decode("d1:m"u8.ToArray()));
    }

    [Fact]
    public void Our_own_extension_handshake_offers_ut_metadata_and_our_version()
    {
        var read = ExtensionHandshake.Decode(ExtensionHandshake.CreateLocal(listenPort: 51413).ToArray());
        Assert.Equal(ExtensionHandshake.LocalUtMetadataId, read.GetMessageId(ExtensionHandshake.UtMetadata));
        Assert.StartsWith("TorrentPS ", read.ClientVersion);
        Assert.Equal(51413, read.ListenPort);
    }
}
