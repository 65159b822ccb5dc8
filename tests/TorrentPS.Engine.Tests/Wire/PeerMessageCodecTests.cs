using System.Buffers.Binary;
using TorrentPS.Engine.Wire;

namespace TorrentPS.Engine.Tests.Wire;

public sealed class PeerMessageCodecTests
{
    private static readonly PeerMessageLimits Limits = PeerMessageLimits.Permissive;

    private static PeerMessage RoundTrip(byte[] buffer, int written, int expectedLength, PeerMessageLimits? limits = null)
    {
        Assert.Equal(expectedLength, written);
        Assert.True(PeerMessageDecoder.TryDecode(buffer.AsMemory(0, written), limits ?? Limits, out var message, out var consumed));
        Assert.Equal(written, consumed);
        // Every shorter prefix is "not yet", never an error or a wrong message.
        for (var i = 0; i < written; i++)
        {
            Assert.False(PeerMessageDecoder.TryDecode(buffer.AsMemory(0, i), limits ?? Limits, out _, out _));
        }

        return message;
    }

    [Fact]
    public void Keep_alive_round_trips_as_four_zero_bytes()
    {
        var buffer = new byte[8];
        var message = RoundTrip(buffer, PeerMessageEncoder.WriteKeepAlive(buffer), 4);
        Assert.Equal(PeerMessageType.KeepAlive, message.Type);
        Assert.Equal(new byte[4], buffer[..4]);
    }

    [Theory]
    [InlineData((int)PeerMessageType.Choke)]
    [InlineData((int)PeerMessageType.Unchoke)]
    [InlineData((int)PeerMessageType.Interested)]
    [InlineData((int)PeerMessageType.NotInterested)]
    [InlineData((int)PeerMessageType.HaveAll)]
    [InlineData((int)PeerMessageType.HaveNone)]
    public void Messages_without_a_body_round_trip(int code)
    {
        // The enum is internal: a public theory takes its number and casts back.
        var type = (PeerMessageType)code;
        var buffer = new byte[8];
        var written = type switch
        {
            PeerMessageType.Choke => PeerMessageEncoder.WriteChoke(buffer),
            PeerMessageType.Unchoke => PeerMessageEncoder.WriteUnchoke(buffer),
            PeerMessageType.Interested => PeerMessageEncoder.WriteInterested(buffer),
            PeerMessageType.NotInterested => PeerMessageEncoder.WriteNotInterested(buffer),
            PeerMessageType.HaveAll => PeerMessageEncoder.WriteHaveAll(buffer),
            _ => PeerMessageEncoder.WriteHaveNone(buffer),
        };
        var message = RoundTrip(buffer, written, 5);
        Assert.Equal(type, message.Type);
        Assert.Equal([0, 0, 0, 1, (byte)type], buffer[..5]);
    }

    [Theory]
    [InlineData((int)PeerMessageType.Have)]
    [InlineData((int)PeerMessageType.Suggest)]
    [InlineData((int)PeerMessageType.AllowedFast)]
    public void Messages_naming_a_piece_round_trip(int code)
    {
        // The enum is internal: a public theory takes its number and casts back.
        var type = (PeerMessageType)code;
        var buffer = new byte[16];
        var written = type switch
        {
            PeerMessageType.Have => PeerMessageEncoder.WriteHave(buffer, 123_456),
            PeerMessageType.Suggest => PeerMessageEncoder.WriteSuggest(buffer, 123_456),
            _ => PeerMessageEncoder.WriteAllowedFast(buffer, 123_456),
        };
        var message = RoundTrip(buffer, written, 9);
        Assert.Equal(type, message.Type);
        Assert.Equal(123_456, message.Index);
    }

    [Theory]
    [InlineData((int)PeerMessageType.Request)]
    [InlineData((int)PeerMessageType.Cancel)]
    [InlineData((int)PeerMessageType.RejectRequest)]
    public void Messages_naming_a_block_round_trip(int code)
    {
        // The enum is internal: a public theory takes its number and casts back.
        var type = (PeerMessageType)code;
        var buffer = new byte[32];
        var written = type switch
        {
            PeerMessageType.Request => PeerMessageEncoder.WriteRequest(buffer, 7, 32768, 16384),
            PeerMessageType.Cancel => PeerMessageEncoder.WriteCancel(buffer, 7, 32768, 16384),
            _ => PeerMessageEncoder.WriteRejectRequest(buffer, 7, 32768, 16384),
        };
        var message = RoundTrip(buffer, written, 17);
        Assert.Equal((type, 7, 32768, 16384), (message.Type, message.Index, message.Begin, message.Length));
    }

    [Fact]
    public void Piece_round_trips_with_its_block()
    {
        var block = Enumerable.Range(0, 16384).Select(i => (byte)i).ToArray();
        var buffer = new byte[16384 + 13];
        var message = RoundTrip(buffer, PeerMessageEncoder.WritePiece(buffer, 3, 16384, block), 16384 + 13);
        Assert.Equal((PeerMessageType.Piece, 3, 16384, 16384), (message.Type, message.Index, message.Begin, message.Length));
        Assert.True(message.Payload.Span.SequenceEqual(block));
    }

    [Fact]
    public void Bitfield_round_trips_and_matches_the_piece_count()
    {
        var bits = new byte[] { 0b1010_1010, 0b1100_0000 };
        var buffer = new byte[16];
        var limits = Limits with { PieceCount = 10 };
        var message = RoundTrip(buffer, PeerMessageEncoder.WriteBitfield(buffer, bits), 7, limits);
        Assert.Equal(PeerMessageType.Bitfield, message.Type);
        Assert.True(message.Payload.Span.SequenceEqual(bits));
    }

    [Fact]
    public void Port_round_trips()
    {
        var buffer = new byte[8];
        var message = RoundTrip(buffer, PeerMessageEncoder.WritePort(buffer, 6881), 7);
        Assert.Equal((PeerMessageType.Port, (ushort)6881), (message.Type, message.Port));
    }

    [Fact]
    public void Extended_round_trips_with_its_id_and_body()
    {
        var body = "d1:md11:ut_metadatai3eee"u8.ToArray();
        var buffer = new byte[64];
        var message = RoundTrip(buffer, PeerMessageEncoder.WriteExtended(buffer, 3, body), 6 + body.Length);
        Assert.Equal((PeerMessageType.Extended, (byte)3), (message.Type, message.ExtendedId));
        Assert.True(message.Payload.Span.SequenceEqual(body));
    }

    [Fact]
    public void Several_frames_in_one_buffer_decode_one_by_one()
    {
        var buffer = new byte[64];
        var n = PeerMessageEncoder.WriteUnchoke(buffer);
        n += PeerMessageEncoder.WriteHave(buffer.AsSpan(n), 9);
        n += PeerMessageEncoder.WriteKeepAlive(buffer.AsSpan(n));
        var memory = buffer.AsMemory(0, n);
        var types = new List<PeerMessageType>();
        while (PeerMessageDecoder.TryDecode(memory, Limits, out var message, out var consumed))
        {
            types.Add(message.Type);
            memory = memory[consumed..];
        }

        Assert.Equal([PeerMessageType.Unchoke, PeerMessageType.Have, PeerMessageType.KeepAlive], types);
        Assert.True(memory.IsEmpty);
    }

    [Fact]
    public void A_4_GiB_length_prefix_is_rejected_from_its_four_bytes()
    {
        byte[] prefix = [0xFF, 0xFF, 0xFF, 0xFF];
        var ex = Assert.Throws<PeerProtocolException>(() => PeerMessageDecoder.TryDecode(prefix, Limits, out _, out _));
        Assert.Contains("4294967295", ex.Message);
        Assert.Equal("PeerProtocolError", ex.ErrorId);
    }

    [Theory]
    [InlineData((int)PeerMessageType.Choke, 2)]
    [InlineData((int)PeerMessageType.Have, 6)]
    [InlineData((int)PeerMessageType.Request, 14)]
    [InlineData((int)PeerMessageType.Port, 5)]
    [InlineData((int)PeerMessageType.Piece, 9 + 16384 + 1)]
    [InlineData((int)PeerMessageType.Piece, 8)]
    [InlineData((int)PeerMessageType.Extended, 1)]
    public void A_length_its_type_does_not_allow_is_rejected_from_the_header(int code, int length)
    {
        // The enum is internal: a public theory takes its number and casts back.
        var type = (PeerMessageType)code;
        var header = new byte[5];
        BinaryPrimitives.WriteInt32BigEndian(header, length);
        header[4] = (byte)type;
        Assert.Throws<PeerProtocolException>(() => PeerMessageDecoder.TryDecode(header, Limits, out _, out _));
    }

    [Fact]
    public void A_request_for_more_than_16_KiB_is_refused()
    {
        var buffer = new byte[17];
        BinaryPrimitives.WriteInt32BigEndian(buffer, 13);
        buffer[4] = (byte)PeerMessageType.Request;
        BinaryPrimitives.WriteInt32BigEndian(buffer.AsSpan(13), 16385);
        var ex = Assert.Throws<PeerProtocolException>(() => PeerMessageDecoder.TryDecode(buffer, Limits, out _, out _));
        Assert.Contains("16385", ex.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => PeerMessageEncoder.WriteRequest(new byte[17], 0, 0, 16385));
    }

    [Fact]
    public void A_bitfield_of_the_wrong_size_is_rejected()
    {
        var buffer = new byte[16];
        var written = PeerMessageEncoder.WriteBitfield(buffer, [0xFF, 0xFF, 0xFF]);
        Assert.Throws<PeerProtocolException>(() => PeerMessageDecoder.TryDecode(buffer.AsMemory(0, written), Limits with { PieceCount = 10 }, out _, out _));
    }

    [Fact]
    public void A_bitfield_with_spare_bits_set_is_rejected()
    {
        var buffer = new byte[16];
        var written = PeerMessageEncoder.WriteBitfield(buffer, [0xFF, 0b1110_0000]);
        var ex = Assert.Throws<PeerProtocolException>(() => PeerMessageDecoder.TryDecode(buffer.AsMemory(0, written), Limits with { PieceCount = 10 }, out _, out _));
        Assert.Contains("spare bits", ex.Message);
    }

    [Fact]
    public void A_have_past_the_last_piece_is_rejected()
    {
        var buffer = new byte[16];
        var written = PeerMessageEncoder.WriteHave(buffer, 10);
        Assert.Throws<PeerProtocolException>(() => PeerMessageDecoder.TryDecode(buffer.AsMemory(0, written), Limits with { PieceCount = 10 }, out _, out _));
    }

    [Fact]
    public void Fast_and_extended_messages_need_their_extension_negotiated()
    {
        var buffer = new byte[16];
        var strict = new PeerMessageLimits();
        var written = PeerMessageEncoder.WriteHaveAll(buffer);
        Assert.Throws<PeerProtocolException>(() => PeerMessageDecoder.TryDecode(buffer.AsMemory(0, written), strict, out _, out _));
        written = PeerMessageEncoder.WriteExtended(buffer, 0, "de"u8);
        Assert.Throws<PeerProtocolException>(() => PeerMessageDecoder.TryDecode(buffer.AsMemory(0, written), strict, out _, out _));
    }

    [Fact]
    public void An_unknown_message_type_is_a_protocol_error()
    {
        byte[] frame = [0, 0, 0, 1, 99];
        Assert.Throws<PeerProtocolException>(() => PeerMessageDecoder.TryDecode(frame, Limits, out _, out _));
    }
}
