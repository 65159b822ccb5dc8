using System.Buffers;
using TorrentPS.Engine.Extensions;
using TorrentPS.Engine.Wire;

namespace TorrentPS.Engine.Tests.Wire;

public sealed class UtMetadataMessageTests
{
    private static readonly byte[] Metadata = Enumerable.Range(0, 40_000).Select(i => (byte)(i * 31)).ToArray();

    [Fact]
    public void A_request_round_trips()
    {
        var buffer = new ArrayBufferWriter<byte>();
        UtMetadataMessage.WriteRequest(buffer, 2);
        Assert.Equal("d8:msg_typei0e5:piecei2ee", System.Text.Encoding.ASCII.GetString(buffer.WrittenSpan));
        var message = UtMetadataMessage.Decode(buffer.WrittenMemory.ToArray(), Metadata.Length);
        Assert.Equal((UtMetadataMessageType.Request, 2), (message.Type, message.Piece));
    }

    [Fact]
    public void A_reject_round_trips()
    {
        var buffer = new ArrayBufferWriter<byte>();
        UtMetadataMessage.WriteReject(buffer, 0);
        Assert.Equal(UtMetadataMessageType.Reject, UtMetadataMessage.Decode(buffer.WrittenMemory.ToArray()).Type);
    }

    [Theory]
    [InlineData(0, 16384)]
    [InlineData(1, 16384)]
    [InlineData(2, 40_000 - 32768)]
    public void Data_round_trips_with_its_piece_of_the_metadata(int piece, int length)
    {
        var buffer = new ArrayBufferWriter<byte>();
        UtMetadataMessage.WriteData(buffer, piece, Metadata);
        var message = UtMetadataMessage.Decode(buffer.WrittenMemory.ToArray(), Metadata.Length);
        Assert.Equal((UtMetadataMessageType.Data, piece, (long)Metadata.Length), (message.Type, message.Piece, message.TotalSize));
        Assert.Equal(length, message.Data.Length);
        Assert.True(message.Data.Span.SequenceEqual(Metadata.AsSpan(piece * 16384, length)));
    }

    [Fact]
    public void Data_of_the_wrong_length_is_a_protocol_error()
    {
        var body = "d8:msg_typei1e5:piecei0e10:total_sizei40000eexyz"u8.ToArray();
        Assert.Throws<PeerProtocolException>(() => UtMetadataMessage.Decode(body));
    }

    [Theory]
    [InlineData("d8:msg_typei5e5:piecei0ee")]
    [InlineData("d8:msg_typei0ee")]
    [InlineData("d8:msg_typei0e5:piecei-1ee")]
    [InlineData("d8:msg_typei0e5:piecei3ee")]
    [InlineData("d8:msg_typei1e5:piecei0e10:total_sizei99999999999ee")]
    [InlineData("li1ee")]
    [InlineData("d8:msg_type")]
    public void Malformed_messages_are_protocol_errors(string body)
        => Assert.Throws<PeerProtocolException>(() => UtMetadataMessage.Decode(System.Text.Encoding.ASCII.GetBytes(body), Metadata.Length));

    [Fact]
    public void A_total_size_other_than_the_handshake_said_is_a_protocol_error()
    {
        var buffer = new ArrayBufferWriter<byte>();
        UtMetadataMessage.WriteData(buffer, 0, Metadata);
        Assert.Throws<PeerProtocolException>(() => UtMetadataMessage.Decode(buffer.WrittenMemory.ToArray(), Metadata.Length + 1));
    }
}
