using TorrentPS.Engine.Errors;

namespace TorrentPS.Conversion;

/// <summary>A value that bencode cannot hold (a float, null, a bool, a non-string key, nesting too deep …).</summary>
public sealed class UnsupportedBencodeValueException : TorrentPSException
{
    public UnsupportedBencodeValueException(string path, string reason)
        : base("UnsupportedBencodeValue", TorrentErrorKind.InvalidArgument, $"Cannot convert the value at '{path}' to bencode: {reason}")
    {
        ValuePath = path;
        Reason = reason;
    }

    /// <summary>Where in the input the value sits, e.g. <c>$.info.files[2].length</c>.</summary>
    public string ValuePath { get; }

    public string Reason { get; }
}
