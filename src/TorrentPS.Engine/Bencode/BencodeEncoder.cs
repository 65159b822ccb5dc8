using System.Buffers;

namespace TorrentPS.Engine.Bencode;

/// <summary>Canonical encoding of whole values.</summary>
public static class BencodeEncoder
{
    public static byte[] Encode(BencodeValue value)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        new BencodeWriter(buffer).WriteValue(value);
        return buffer.WrittenSpan.ToArray();
    }
}
