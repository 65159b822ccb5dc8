using System.Reflection;
using System.Security.Cryptography;

namespace TorrentPS.Engine.Peers;

/// <summary>A 20-byte peer id. Ours follows BEP 20: <c>-TP0100-</c> then 12 random characters.</summary>
public sealed class PeerId : IEquatable<PeerId>
{
    public const int Length = 20;
    private const string RandomAlphabet = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

    private readonly byte[] _bytes;

    public PeerId(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length)
        {
            throw new ArgumentException($"A peer id is {Length} bytes, not {bytes.Length}.", nameof(bytes));
        }

        _bytes = bytes.ToArray();
    }

    /// <summary>The 20 bytes, without a copy. A method, not a property: PowerShell cannot read a span property.</summary>
    public ReadOnlySpan<byte> AsSpan() => _bytes;

    public string Hex => Convert.ToHexString(_bytes).ToLowerInvariant();

    /// <summary>The BEP 20 prefix of our client, e.g. <c>-TP0100-</c> for version 0.1.0.</summary>
    public static string ClientPrefix { get; } = BuildPrefix(typeof(PeerId).Assembly.GetName().Version);

    /// <summary>A fresh peer id for this client.</summary>
    public static PeerId Generate()
    {
        Span<byte> bytes = stackalloc byte[Length];
        for (var i = 0; i < 8; i++)
        {
            bytes[i] = (byte)ClientPrefix[i];
        }

        for (var i = 8; i < Length; i++)
        {
            bytes[i] = (byte)RandomAlphabet[RandomNumberGenerator.GetInt32(RandomAlphabet.Length)];
        }

        return new PeerId(bytes);
    }

    public byte[] ToArray() => (byte[])_bytes.Clone();

    public bool Equals(PeerId? other) => other is not null && _bytes.AsSpan().SequenceEqual(other._bytes);

    public override bool Equals(object? obj) => obj is PeerId other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(_bytes);
        return hash.ToHashCode();
    }

    public override string ToString() => Hex;

    internal static string BuildPrefix(Version? version)
    {
        static char Digit(int n) => n switch { < 0 => '0', < 10 => (char)('0' + n), < 36 => (char)('A' + n - 10), _ => 'Z' };
        version ??= new Version(0, 1, 0);
        return $"-TP{Digit(version.Major)}{Digit(version.Minor)}{Digit(version.Build)}{Digit(Math.Max(version.Revision, 0))}-";
    }
}
