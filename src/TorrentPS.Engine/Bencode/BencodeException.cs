using TorrentPS.Engine.Errors;

namespace TorrentPS.Engine.Bencode;

/// <summary>Malformed bencode; <see cref="Offset"/> is the byte at which reading failed.</summary>
public sealed class BencodeException : TorrentPSException
{
    public BencodeException(long offset, string message, string? sourcePath = null)
        : base("InvalidBencode", TorrentErrorKind.InvalidData, sourcePath is null ? $"Invalid bencode at byte {offset}: {message}" : $"{sourcePath}: invalid bencode at byte {offset}: {message}")
    {
        Offset = offset;
        Reason = message;
        SourcePath = sourcePath;
    }

    public long Offset { get; }

    /// <summary>The message without the offset prefix.</summary>
    public string Reason { get; }

    /// <summary>The file the bencode was read from, when known.</summary>
    public string? SourcePath { get; }

    /// <summary>The same error, naming the file it came from.</summary>
    public BencodeException WithSource(string? sourcePath)
        => sourcePath is null || SourcePath is not null ? this : new BencodeException(Offset, Reason, sourcePath);
}
