using TorrentPS.Engine.Errors;

namespace TorrentPS.Conversion;

/// <summary>Bencode that holds bytes which are not UTF-8 text, asked for as a string.</summary>
public sealed class BencodeNotTextException : TorrentPSException
{
    public BencodeNotTextException()
        : base("BencodeNotText", TorrentErrorKind.InvalidData, "The bencode holds byte strings that are not UTF-8 text (such as piece hashes), so a string would corrupt it. Use -AsByteArray.")
    {
    }
}
