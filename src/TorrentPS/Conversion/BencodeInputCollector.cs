using System.Collections;
using System.Text;
using TorrentPS.Engine.Errors;

namespace TorrentPS.Conversion;

/// <summary>
/// Sorts what reaches <c>ConvertFrom-Bencode</c>'s -InputObject into whole inputs. A string is one
/// input (its UTF-8 bytes); a byte[] (or any collection holding only bytes, as <c>Get-Content -AsByteStream</c>
/// returns) is one input; single bytes are what PowerShell makes of a byte[] sent down the pipeline, so
/// they are collected and decoded together at the end.
/// </summary>
public sealed class BencodeInputCollector
{
    private readonly List<byte> _pending = [];
    private readonly IBencodeObjectAdapter _adapter;

    /// <param name="adapter">Sees through host wrappers (PSObject) around inputs and collection items.</param>
    public BencodeInputCollector(IBencodeObjectAdapter? adapter = null) => _adapter = adapter ?? PlainObjectAdapter.Instance;

    /// <summary>True when single bytes are waiting for <see cref="TakePending"/>.</summary>
    public bool HasPending => _pending.Count > 0;

    /// <summary>
    /// Takes one pipeline input. Returns true with the bytes to decode now, or false when the input
    /// was a single byte kept for later. Throws <see cref="TorrentPSException"/> (InvalidBencodeInput)
    /// for anything that is not text or bytes.
    /// </summary>
    public bool TryTake(object? input, out ReadOnlyMemory<byte> data)
    {
        input = _adapter.Adapt(input);
        switch (input)
        {
            case byte b:
                _pending.Add(b);
                data = default;
                return false;
            case byte[] bytes:
                data = bytes;
                return true;
            case string text:
                data = Encoding.UTF8.GetBytes(text);
                return true;
            case IEnumerable sequence when AllBytes(sequence, out var collected):
                data = collected;
                return true;
            case null:
                throw new TorrentPSException("InvalidBencodeInput", TorrentErrorKind.InvalidArgument, "The input is null; ConvertFrom-Bencode reads a string, a byte[] or a file.");
            default:
                throw new TorrentPSException("InvalidBencodeInput", TorrentErrorKind.InvalidArgument, $"A {input.GetType().FullName} is not bencode; ConvertFrom-Bencode reads a string, a byte[] or a file.");
        }
    }

    /// <summary>The single bytes collected so far, as one input; clears them.</summary>
    public ReadOnlyMemory<byte> TakePending()
    {
        var data = _pending.ToArray();
        _pending.Clear();
        return data;
    }

    private bool AllBytes(IEnumerable sequence, out byte[] bytes)
    {
        var list = new List<byte>();
        foreach (var item in sequence)
        {
            if (_adapter.Adapt(item) is not byte b)
            {
                bytes = [];
                return false;
            }

            list.Add(b);
        }

        bytes = list.ToArray();
        return list.Count > 0;
    }
}
