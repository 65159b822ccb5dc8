using TorrentPS.Engine.Bencode;

namespace TorrentPS.Engine.Wire;

/// <summary>The bencoded dictionary an extended message (BEP 10) starts with; anything else is the peer's protocol error.</summary>
internal static class BencodedPayload
{
    /// <summary>Reads the dictionary at the start of <paramref name="payload"/>; <paramref name="consumed"/> says where it ends.</summary>
    /// <param name="what">The message, for the error: "the extension handshake", "a ut_metadata message".</param>
    /// <exception cref="PeerProtocolException">The payload does not start with a bencoded dictionary within <paramref name="options"/>.</exception>
    public static BencodeDictionary ReadDictionary(ReadOnlyMemory<byte> payload, BencodeReaderOptions options, string what, out int consumed)
    {
        try
        {
            return BencodeDecoder.DecodePrefix(payload, out consumed, options) as BencodeDictionary
                   ?? throw new PeerProtocolException(null, $"{what} does not start with a bencoded dictionary");
        }
        catch (BencodeException ex)
        {
            throw new PeerProtocolException(null, $"{what} is not valid bencode: {ex.Message}", ex);
        }
    }
}
