using System.Text;

namespace TorrentPS.Engine.Bencode;

/// <summary>A bencode byte string. Bencode strings are bytes; <see cref="TryGetUtf8"/> says whether they are text.</summary>
public sealed class BencodeString : BencodeValue
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public BencodeString(ReadOnlyMemory<byte> bytes) => Bytes = bytes;

    public BencodeString(string text) => Bytes = Encoding.UTF8.GetBytes(text);

    internal ReadOnlyMemory<byte> Bytes { get; }

    public ReadOnlySpan<byte> Span => Bytes.Span;

    internal int Length => Bytes.Length;

    /// <summary>The string as text, with invalid UTF-8 replaced by U+FFFD.</summary>
    public string Text => Encoding.UTF8.GetString(Bytes.Span);

    /// <summary>Decodes the bytes as strict UTF-8; false when they are not valid UTF-8.</summary>
    public bool TryGetUtf8(out string text)
    {
        if (!System.Text.Unicode.Utf8.IsValid(Bytes.Span))
        {
            text = string.Empty;
            return false;
        }

        text = StrictUtf8.GetString(Bytes.Span);
        return true;
    }

    internal bool EqualsUtf8(ReadOnlySpan<byte> utf8) => Bytes.Span.SequenceEqual(utf8);

    public override bool Equals(BencodeValue? other) => other is BencodeString s && s.Bytes.Span.SequenceEqual(Bytes.Span);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(Bytes.Span);
        return hash.ToHashCode();
    }

    public override string ToString() => Text;
}
