using TorrentPS.Engine.Extensions;
using TorrentPS.Engine.Wire;

namespace TorrentPS.Engine.Tests.Wire;

/// <summary>Random and mutated input: the decoders either decode or throw <see cref="PeerProtocolException"/>, nothing else.</summary>
public sealed class WireFuzzTests
{
    [Fact]
    public void Random_frames_decode_or_fail_with_a_protocol_error_only()
    {
        var random = new Random(1234);
        var limits = PeerMessageLimits.Permissive with { PieceCount = 100 };
        var buffer = new byte[64];
        for (var i = 0; i < 50_000; i++)
        {
            random.NextBytes(buffer);
            // Small lengths and known types most of the time, so decoding goes past the header.
            buffer[0] = buffer[1] = 0;
            buffer[2] = (byte)(random.Next(4) == 0 ? buffer[2] : 0);
            buffer[3] = (byte)random.Next(0, 40);
            buffer[4] = (byte)random.Next(0, 22);
            try
            {
                PeerMessageDecoder.TryDecode(buffer.AsMemory(0, random.Next(0, buffer.Length + 1)), limits, out _, out var consumed);
                Assert.InRange(consumed, 0, buffer.Length);
            }
            catch (PeerProtocolException)
            {
            }
        }
    }

    [Fact]
    public void Mutated_extension_handshakes_decode_or_fail_with_a_protocol_error_only()
    {
        var random = new Random(99);
        var original = new ExtensionHandshake(new Dictionary<string, byte> { ["ut_metadata"] = 2, ["ut_pex"] = 1 }, "x/1.0", 6881, 250, System.Net.IPAddress.Loopback, 1234).ToArray();
        for (var i = 0; i < 20_000; i++)
        {
            var mutated = (byte[])original.Clone();
            for (var j = random.Next(1, 4); j > 0; j--)
            {
                mutated[random.Next(mutated.Length)] = (byte)random.Next(256);
            }

            try
            {
                ExtensionHandshake.Decode(mutated.AsMemory(0, random.Next(1, mutated.Length + 1)));
            }
            catch (PeerProtocolException)
            {
            }
        }
    }

    [Fact]
    public void Mutated_ut_metadata_messages_decode_or_fail_with_a_protocol_error_only()
    {
        var random = new Random(7);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        UtMetadataMessage.WriteData(buffer, 1, new byte[20_000]);
        var original = buffer.WrittenSpan.ToArray();
        for (var i = 0; i < 5_000; i++)
        {
            var mutated = (byte[])original.Clone();
            mutated[random.Next(Math.Min(60, mutated.Length))] = (byte)random.Next(256);
            try
            {
                UtMetadataMessage.Decode(mutated.AsMemory(0, random.Next(1, mutated.Length + 1)), random.Next(2) == 0 ? null : 20_000);
            }
            catch (PeerProtocolException)
            {
            }
        }
    }
}
