using TorrentPS.Engine.Errors;

namespace TorrentPS.Engine.Bencode;

/// <summary>Malformed bencode; <see cref="Offset"/> is the byte at which reading failed.</summary>
public sealed class BencodeException : TorrentPSException
{
    public BencodeException(long offset, string message)
        : base("InvalidBencode", TorrentErrorKind.InvalidData, $"Invalid bencode at byte {offset}: {message}")
    {
        Offset = offset;
        Reason = message;
    }

    public long Offset { get; }

    /// <summary>The message without the offset prefix.</summary>
    public string Reason { get; }
}
