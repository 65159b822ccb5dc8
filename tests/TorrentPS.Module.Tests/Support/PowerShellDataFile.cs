using System.Globalization;
using System.Text;

namespace TorrentPS.Module.Tests.Support;

/// <summary>
/// Reads the restricted PowerShell language of a .psd1 without PowerShell: hashtables <c>@{ }</c>, arrays
/// <c>@( )</c> (items split by commas or new lines), quoted strings, integers, <c>$true</c>/<c>$false</c>/<c>$null</c>
/// and comments. Hashtables come back as case-insensitive dictionaries, arrays as lists.
/// </summary>
internal sealed class PowerShellDataFile
{
    private readonly string _text;
    private int _pos;

    private PowerShellDataFile(string text) => _text = text;

    public static Dictionary<string, object?> Parse(string text)
    {
        var reader = new PowerShellDataFile(text);
        reader.SkipTrivia(newlines: true);
        var value = reader.ReadValue();
        reader.SkipTrivia(newlines: true);
        if (reader._pos != text.Length)
        {
            throw reader.Error("expected the end of the file");
        }

        return value as Dictionary<string, object?> ?? throw reader.Error("a data file holds one hashtable");
    }

    private object? ReadValue()
    {
        SkipTrivia(newlines: false);
        if (Peek("@{"))
        {
            return ReadHashtable();
        }

        if (Peek("@("))
        {
            return ReadArray();
        }

        var c = Current;
        if (c is '\'' or '"')
        {
            return ReadString();
        }

        if (c == '$')
        {
            var word = ReadWord();
            return word.ToLowerInvariant() switch
            {
                "$true" => true,
                "$false" => false,
                "$null" => null,
                _ => throw Error($"variable {word} is not allowed in a data file"),
            };
        }

        if (char.IsDigit(c) || c == '-')
        {
            return long.Parse(ReadWord(), CultureInfo.InvariantCulture);
        }

        throw Error($"unexpected '{c}'");
    }

    private Dictionary<string, object?> ReadHashtable()
    {
        _pos += 2;
        var result = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
        while (true)
        {
            SkipTrivia(newlines: true);
            if (Current == ';')
            {
                _pos++;
                continue;
            }

            if (Current == '}')
            {
                _pos++;
                return result;
            }

            var key = Current is '\'' or '"' ? ReadString() : ReadWord();
            SkipTrivia(newlines: false);
            Expect('=');
            if (!result.TryAdd(key, ReadValue()))
            {
                throw Error($"the key '{key}' appears twice");
            }
        }
    }

    private List<object?> ReadArray()
    {
        _pos += 2;
        var result = new List<object?>();
        while (true)
        {
            SkipTrivia(newlines: true);
            if (Current == ',')
            {
                _pos++;
                continue;
            }

            if (Current == ')')
            {
                _pos++;
                return result;
            }

            result.Add(ReadValue());
        }
    }

    private string ReadString()
    {
        var quote = _text[_pos++];
        var builder = new StringBuilder();
        while (true)
        {
            if (_pos >= _text.Length)
            {
                throw Error("unterminated string");
            }

            var c = _text[_pos++];
            if (c == quote)
            {
                if (_pos < _text.Length && _text[_pos] == quote)
                {
                    builder.Append(quote); // '' inside '…'
                    _pos++;
                    continue;
                }

                return builder.ToString();
            }

            if (quote == '"' && c == '$')
            {
                throw Error("expandable strings are not allowed in a data file");
            }

            builder.Append(c);
        }
    }

    private string ReadWord()
    {
        var start = _pos;
        while (_pos < _text.Length && (char.IsLetterOrDigit(_text[_pos]) || _text[_pos] is '_' or '$' or '-' or '.'))
        {
            _pos++;
        }

        return _pos > start ? _text[start.._pos] : throw Error("expected a name");
    }

    private void SkipTrivia(bool newlines)
    {
        while (_pos < _text.Length)
        {
            var c = _text[_pos];
            if (c == '#')
            {
                while (_pos < _text.Length && _text[_pos] != '\n')
                {
                    _pos++;
                }
            }
            else if (c is ' ' or '\t' or '\r' || (newlines && c == '\n') || c == '\uFEFF')
            {
                _pos++;
            }
            else
            {
                return;
            }
        }
    }

    private char Current => _pos < _text.Length ? _text[_pos] : throw Error("unexpected end of file");

    private bool Peek(string s) => string.CompareOrdinal(_text, _pos, s, 0, s.Length) == 0;

    private void Expect(char c)
    {
        if (Current != c)
        {
            throw Error($"expected '{c}'");
        }

        _pos++;
    }

    private FormatException Error(string message)
    {
        var line = _text.AsSpan(0, Math.Min(_pos, _text.Length)).Count('\n') + 1;
        return new FormatException($"psd1 line {line}: {message}");
    }
}
