namespace TorrentPS.Engine.Bencode;

/// <summary>
/// Strict BEP 3 decoding. Rejects leading zeros, <c>i-0e</c>, empty integers, negative or
/// oversized string lengths, non-string keys, unterminated containers and (for <see cref="Decode"/>)
/// trailing data. Every error carries the byte offset and what was expected there.
/// </summary>
public static class BencodeDecoder
{
    /// <summary>Decodes exactly one value that spans all of <paramref name="data"/>.</summary>
    public static BencodeValue Decode(ReadOnlyMemory<byte> data, BencodeReaderOptions? options = null)
        => Decode(data, options, CancellationToken.None);

    /// <summary>Decodes exactly one value that spans all of <paramref name="data"/>; the token is checked as the values are read.</summary>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public static BencodeValue Decode(ReadOnlyMemory<byte> data, BencodeReaderOptions? options, CancellationToken cancellationToken)
    {
        var value = DecodePrefix(data, out var consumed, options, cancellationToken);
        if (consumed != data.Length)
        {
            throw new BencodeException(consumed, $"expected end of input, found {Describe(data.Span, consumed)} ({data.Length - consumed} trailing bytes)");
        }

        return value;
    }

    /// <summary>Decodes the one value at the start of <paramref name="data"/>; bytes after it are left for the caller.</summary>
    internal static BencodeValue DecodePrefix(ReadOnlyMemory<byte> data, out int consumed, BencodeReaderOptions? options = null)
        => DecodePrefix(data, out consumed, options, CancellationToken.None);

    /// <summary>Decodes the one value at the start of <paramref name="data"/>, checking the token as the values are read.</summary>
    internal static BencodeValue DecodePrefix(ReadOnlyMemory<byte> data, out int consumed, BencodeReaderOptions? options, CancellationToken cancellationToken)
    {
        options ??= BencodeReaderOptions.Default;
        if (data.Length > options.MaxInputLength)
        {
            throw new BencodeException(0, $"input of {data.Length} bytes is larger than the limit (expected at most {options.MaxInputLength} bytes)");
        }

        var parser = new Parser(data, options, cancellationToken);
        var value = parser.ReadValue(0);
        consumed = parser.Position;
        return value;
    }

    /// <summary>Decodes a whole input and returns it as a dictionary, or fails saying what it found instead.</summary>
    internal static BencodeDictionary DecodeDictionary(ReadOnlyMemory<byte> data, BencodeReaderOptions? options = null)
        => DecodeDictionary(data, options, CancellationToken.None);

    /// <summary>Decodes a whole input as a dictionary, checking the token as the values are read.</summary>
    internal static BencodeDictionary DecodeDictionary(ReadOnlyMemory<byte> data, BencodeReaderOptions? options, CancellationToken cancellationToken)
        => Decode(data, options, cancellationToken) as BencodeDictionary
           ?? throw new BencodeException(0, $"expected a dictionary ('d'), found {Describe(data.Span, 0)}");

    internal static string Describe(ReadOnlySpan<byte> data, int position)
    {
        if (position >= data.Length)
        {
            return "end of input";
        }

        var b = data[position];
        return b is >= 0x20 and < 0x7f ? $"'{(char)b}'" : $"byte 0x{b:x2}";
    }

    private struct Parser
    {
        private readonly ReadOnlyMemory<byte> _data;
        private readonly BencodeReaderOptions _options;
        private readonly CancellationToken _cancellationToken;
        // Children of every open container, innermost last: one growing buffer per parse instead of
        // one list per container. A container takes its slice when it closes.
        private readonly List<BencodeValue> _items;
        private readonly List<KeyValuePair<BencodeString, BencodeValue>> _entries;
        private int _count;

        public Parser(ReadOnlyMemory<byte> data, BencodeReaderOptions options, CancellationToken cancellationToken)
        {
            _data = data;
            _options = options;
            _cancellationToken = cancellationToken;
            Position = 0;
            _count = 0;
            _items = [];
            _entries = [];
        }

        public int Position { get; private set; }

        public BencodeValue ReadValue(int depth)
        {
            if (++_count > _options.MaxValueCount)
            {
                throw new BencodeException(Position, $"more than {_options.MaxValueCount} values in one input (expected fewer)");
            }

            if ((_count & 0xfff) == 0)
            {
                _cancellationToken.ThrowIfCancellationRequested();
            }

            var span = _data.Span;
            if (Position >= span.Length)
            {
                throw new BencodeException(Position, "expected a value ('i', 'l', 'd' or a string length), found end of input");
            }

            var start = Position;
            BencodeValue value;
            switch (span[Position])
            {
                case (byte)'i':
                    value = new BencodeInteger(ReadInteger());
                    break;
                case (byte)'l':
                    value = ReadList(depth);
                    break;
                case (byte)'d':
                    value = ReadDictionary(depth);
                    break;
                case >= (byte)'0' and <= (byte)'9':
                    value = ReadString();
                    break;
                case (byte)'-':
                    throw new BencodeException(Position, "expected a value, found '-': a string length cannot be negative");
                default:
                    throw new BencodeException(Position, $"expected a value ('i', 'l', 'd' or a string length), found {Describe(span, Position)}");
            }

            value.SourceOffset = start;
            value.Raw = _data[start..Position];
            return value;
        }

        private long ReadInteger()
        {
            var span = _data.Span;
            Position++; // 'i'
            var negative = false;
            if (Position < span.Length && span[Position] == (byte)'-')
            {
                negative = true;
                Position++;
            }

            var digitsStart = Position;
            long value = 0;
            while (Position < span.Length && span[Position] is >= (byte)'0' and <= (byte)'9')
            {
                var digit = span[Position] - '0';
                // Accumulate negatively so long.MinValue is representable.
                if (value < (long.MinValue + digit) / 10)
                {
                    throw new BencodeException(digitsStart, "integer does not fit in 64 bits (expected -9223372036854775808 to 9223372036854775807)");
                }

                value = (value * 10) - digit;
                Position++;
            }

            var digitCount = Position - digitsStart;
            if (digitCount == 0)
            {
                throw new BencodeException(Position, $"expected a digit, found {Describe(span, Position)}");
            }

            if (Position >= span.Length)
            {
                throw new BencodeException(Position, "expected 'e' to end the integer, found end of input");
            }

            if (span[Position] != (byte)'e')
            {
                throw new BencodeException(Position, $"expected 'e' to end the integer, found {Describe(span, Position)}");
            }

            if (span[digitsStart] == (byte)'0' && digitCount > 1)
            {
                throw new BencodeException(digitsStart, "integer has a leading zero (expected 'i0e' or a first digit 1-9)");
            }

            if (negative && value == 0)
            {
                throw new BencodeException(digitsStart - 1, "negative zero ('i-0e') is not allowed (expected 'i0e')");
            }

            Position++; // 'e'
            if (negative)
            {
                return value;
            }

            if (value == long.MinValue)
            {
                throw new BencodeException(digitsStart, "integer does not fit in 64 bits (expected -9223372036854775808 to 9223372036854775807)");
            }

            return -value;
        }

        private BencodeString ReadString()
        {
            var span = _data.Span;
            var digitsStart = Position;
            long length = 0;
            while (Position < span.Length && span[Position] is >= (byte)'0' and <= (byte)'9')
            {
                length = (length * 10) + (span[Position] - '0');
                if (length > span.Length)
                {
                    throw new BencodeException(digitsStart, $"string length is larger than the {span.Length - digitsStart} bytes left (expected a length that fits the input)");
                }

                Position++;
            }

            if (Position >= span.Length)
            {
                throw new BencodeException(Position, "expected ':' after the string length, found end of input");
            }

            if (span[Position] != (byte)':')
            {
                throw new BencodeException(Position, $"expected ':' after the string length, found {Describe(span, Position)}");
            }

            if (span[digitsStart] == (byte)'0' && Position - digitsStart > 1)
            {
                throw new BencodeException(digitsStart, "string length has a leading zero (expected '0:' or a first digit 1-9)");
            }

            Position++; // ':'
            if (length > span.Length - Position)
            {
                throw new BencodeException(digitsStart, $"string of {length} bytes runs past the end of input (expected at most {span.Length - Position} bytes)");
            }

            var bytes = _data.Slice(Position, (int)length);
            Position += (int)length;
            return new BencodeString(bytes);
        }

        private BencodeList ReadList(int depth)
        {
            var open = Position;
            EnterContainer(depth);
            var first = _items.Count;
            var span = _data.Span;
            while (true)
            {
                if (Position >= span.Length)
                {
                    throw new BencodeException(Position, $"expected 'e' to end the list opened at byte {open}, found end of input");
                }

                if (span[Position] == (byte)'e')
                {
                    Position++;
                    var items = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_items)[first..].ToArray();
                    _items.RemoveRange(first, items.Length);
                    return new BencodeList(items, owned: true);
                }

                _items.Add(ReadValue(depth + 1));
            }
        }

        private BencodeDictionary ReadDictionary(int depth)
        {
            var open = Position;
            EnterContainer(depth);
            var first = _entries.Count;
            var span = _data.Span;
            while (true)
            {
                if (Position >= span.Length)
                {
                    throw new BencodeException(Position, $"expected a key or 'e' to end the dictionary opened at byte {open}, found end of input");
                }

                if (span[Position] == (byte)'e')
                {
                    Position++;
                    var entries = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_entries)[first..].ToArray();
                    _entries.RemoveRange(first, entries.Length);
                    return new BencodeDictionary(entries, owned: true);
                }

                if (span[Position] is < (byte)'0' or > (byte)'9')
                {
                    throw new BencodeException(Position, $"expected a byte-string key or 'e', found {Describe(span, Position)}");
                }

                var keyStart = Position;
                var key = (BencodeString)ReadValue(depth + 1);
                if (Position >= span.Length || span[Position] == (byte)'e')
                {
                    throw new BencodeException(Position, $"expected a value for the key at byte {keyStart}, found {Describe(span, Position)}");
                }

                var value = ReadValue(depth + 1);
                _entries.Add(new(key, value));
            }
        }

        private void EnterContainer(int depth)
        {
            if (depth >= _options.MaxDepth)
            {
                throw new BencodeException(Position, $"nesting deeper than {_options.MaxDepth} levels (expected a value that is not a list or dictionary)");
            }

            Position++;
        }
    }
}
