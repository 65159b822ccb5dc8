using System.Net;
using System.Security.Cryptography;

namespace TorrentPS.Engine.Dht;

/// <summary>
/// The tokens a <c>get_peers</c> answer hands out and an <c>announce_peer</c> must bring back (BEP 5): an HMAC of the
/// querier's IP address under a secret that changes every <see cref="Rotation"/> (5 minutes); a token made under the
/// current or the previous secret is accepted, so a token lives between 5 and 10 minutes, and only from the address
/// it was given to. Rotation follows the <see cref="TimeProvider"/> (checked on each use, no timer of its own).
/// Not thread-safe: its <see cref="DhtNode"/> holds its lock.
/// </summary>
internal sealed class TokenStore
{
    /// <summary>Bytes of a token (libtorrent sends 4, the reference client 8).</summary>
    public const int TokenLength = 8;

    private const int SecretLength = 32;

    private readonly TimeProvider _time;
    private byte[] _current;
    private byte[] _previous;
    private DateTimeOffset _rotated;

    public TokenStore(TimeProvider time, TimeSpan? rotation = null)
    {
        _time = time;
        Rotation = rotation ?? TimeSpan.FromMinutes(5);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(Rotation, TimeSpan.Zero, nameof(rotation));
        _current = RandomNumberGenerator.GetBytes(SecretLength);
        _previous = RandomNumberGenerator.GetBytes(SecretLength);
        _rotated = time.GetUtcNow();
    }

    public TimeSpan Rotation { get; }

    /// <summary>The token for a querier at <paramref name="address"/>.</summary>
    public byte[] Issue(IPAddress address)
    {
        RotateIfDue();
        return Make(_current, address);
    }

    /// <summary>True when <paramref name="token"/> was issued to <paramref name="address"/> under the current or the previous secret.</summary>
    public bool IsValid(ReadOnlySpan<byte> token, IPAddress address)
    {
        RotateIfDue();
        return token.Length == TokenLength
               && (CryptographicOperations.FixedTimeEquals(token, Make(_current, address))
                   || CryptographicOperations.FixedTimeEquals(token, Make(_previous, address)));
    }

    private void RotateIfDue()
    {
        var now = _time.GetUtcNow();
        var periods = (now - _rotated).Ticks / Rotation.Ticks;
        if (periods <= 0)
        {
            return;
        }

        // One period gone: the current secret becomes the previous one. Two or more: both are too old.
        _previous = periods == 1 ? _current : RandomNumberGenerator.GetBytes(SecretLength);
        _current = RandomNumberGenerator.GetBytes(SecretLength);
        _rotated += Rotation * periods;
    }

    private static byte[] Make(byte[] secret, IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out var written);
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(secret, bytes[..written], mac);
        return mac[..TokenLength].ToArray();
    }
}
