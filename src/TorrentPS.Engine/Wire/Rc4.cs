namespace TorrentPS.Engine.Wire;

/// <summary>
/// The RC4 stream cipher, as Message Stream Encryption uses it for its handshake (<see cref="EncryptedHandshake"/>):
/// each side's key stream, with its first 1,024 bytes discarded. Only the handshake is ever enciphered here; a
/// connection that would need RC4 for its whole stream is refused, so this never runs on the download's hot path.
/// </summary>
internal sealed class Rc4
{
    private readonly byte[] _state = new byte[256];
    private int _i;
    private int _j;

    public Rc4(ReadOnlySpan<byte> key, int discard = 1024)
    {
        if (key.IsEmpty)
        {
            throw new ArgumentException("An RC4 key has at least one byte.", nameof(key));
        }

        for (var n = 0; n < 256; n++)
        {
            _state[n] = (byte)n;
        }

        var j = 0;
        for (var n = 0; n < 256; n++)
        {
            j = (j + _state[n] + key[n % key.Length]) & 0xFF;
            (_state[n], _state[j]) = (_state[j], _state[n]);
        }

        Span<byte> skipped = stackalloc byte[256];
        for (var left = discard; left > 0; left -= skipped.Length)
        {
            var chunk = skipped[..Math.Min(left, skipped.Length)];
            chunk.Clear();
            Apply(chunk);
        }
    }

    /// <summary>Enciphers or deciphers <paramref name="data"/> in place (the same operation), advancing the key stream.</summary>
    public void Apply(Span<byte> data)
    {
        var state = _state;
        for (var n = 0; n < data.Length; n++)
        {
            _i = (_i + 1) & 0xFF;
            _j = (_j + state[_i]) & 0xFF;
            (state[_i], state[_j]) = (state[_j], state[_i]);
            data[n] ^= state[(state[_i] + state[_j]) & 0xFF];
        }
    }
}
