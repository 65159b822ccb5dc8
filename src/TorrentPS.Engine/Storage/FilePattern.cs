using System.Text;
using TorrentPS.Engine.Errors;

namespace TorrentPS.Engine.Storage;

/// <summary>
/// A wildcard pattern read as PowerShell's <c>-like</c> reads it, for choosing a torrent's files by path without a
/// PowerShell runtime. <c>*</c> is any run of characters ('/' included, so <c>*.mkv</c> matches in every folder),
/// <c>?</c> is one character, <c>[abc]</c> is one of a set and <c>[a-z]</c> one of a range (inside a set <c>^</c>, <c>!</c>
/// and <c>[</c> are plain characters: there is no negation), and a backtick takes the next character literally. The
/// whole path must match. Comparison is ordinal and ignores case (each character compared by its invariant upper case,
/// as <c>-like</c> does). An unterminated set or a range running backwards is refused, as PowerShell refuses them. A
/// backslash stands for '/' (no sanitised torrent path holds a backslash, and Windows users type one between folders).
/// </summary>
internal sealed class FilePattern
{
    private readonly Token[] _tokens;

    private FilePattern(string text, Token[] tokens)
    {
        Text = text;
        _tokens = tokens;
    }

    public string Text { get; }

    /// <summary>Whether the pattern has a wildcard (<c>*</c>, <c>?</c> or a set): false for a path written out, which matches one path at most.</summary>
    public bool HasWildcards => Array.Exists(_tokens, t => t.Kind != Kind.Literal);

    private enum Kind : byte
    {
        Literal,
        AnyOne,
        AnyRun,
        Set,
    }

    /// <exception cref="TorrentPSException">InvalidFilePattern: an unterminated <c>[</c> set, a backwards range, or a trailing backtick.</exception>
    public static FilePattern Parse(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        var tokens = new List<Token>();
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            switch (c)
            {
                case '`':
                    if (++i == pattern.Length)
                    {
                        throw Invalid(pattern, "it ends with a backtick that escapes nothing");
                    }

                    tokens.Add(Token.Of(pattern[i]));
                    break;
                case '*':
                    if (tokens.Count == 0 || tokens[^1].Kind != Kind.AnyRun)
                    {
                        tokens.Add(new Token(Kind.AnyRun, default, null));
                    }

                    break;
                case '?':
                    tokens.Add(new Token(Kind.AnyOne, default, null));
                    break;
                case '[':
                    i = ParseSet(pattern, i, tokens);
                    break;
                case '\\':
                    tokens.Add(Token.Of('/'));
                    break;
                default:
                    tokens.Add(Token.Of(c));
                    break;
            }
        }

        return new FilePattern(pattern, [.. tokens]);
    }

    /// <summary>The pattern that matches <paramref name="path"/> and nothing else: each wildcard character and backtick escaped with a backtick.</summary>
    public static string Escape(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var escaped = new StringBuilder(path.Length + 4);
        foreach (var c in path)
        {
            if (c is '*' or '?' or '[' or ']' or '`' or '\\')
            {
                escaped.Append('`');
            }

            escaped.Append(c);
        }

        return escaped.ToString();
    }

    /// <summary>Whether the whole of <paramref name="text"/> matches.</summary>
    public bool IsMatch(string text)
    {
        ArgumentNullException.ThrowIfNull(text);

        // Classic greedy matching with one back-track point (the last '*'): linear for patterns with one '*', and at
        // worst text length × pattern length, never exponential.
        int t = 0, p = 0, starP = -1, starT = 0;
        while (t < text.Length)
        {
            if (p < _tokens.Length && _tokens[p].Kind != Kind.AnyRun && _tokens[p].Matches(text[t]))
            {
                t++;
                p++;
            }
            else if (p < _tokens.Length && _tokens[p].Kind == Kind.AnyRun)
            {
                starP = p++;
                starT = t;
            }
            else if (starP >= 0)
            {
                p = starP + 1;
                t = ++starT;
            }
            else
            {
                return false;
            }
        }

        while (p < _tokens.Length && _tokens[p].Kind == Kind.AnyRun)
        {
            p++;
        }

        return p == _tokens.Length;
    }

    public override string ToString() => Text;

    /// <summary>Reads the set opening at <paramref name="open"/>; returns the index of its closing ']'.</summary>
    private static int ParseSet(string pattern, int open, List<Token> tokens)
    {
        var members = new StringBuilder();
        var ranges = new List<(char From, char To)>();
        var i = open + 1;
        while (true)
        {
            if (i >= pattern.Length)
            {
                throw Invalid(pattern, $"the set opened at character {open + 1} has no closing ']'");
            }

            var c = pattern[i];
            if (c == ']' && (members.Length > 0 || ranges.Count > 0))
            {
                break;
            }

            if (c == '`')
            {
                if (++i >= pattern.Length)
                {
                    throw Invalid(pattern, "it ends with a backtick that escapes nothing");
                }

                c = pattern[i];
            }

            if (i + 2 < pattern.Length && pattern[i + 1] == '-' && pattern[i + 2] != ']')
            {
                var to = pattern[i + 2];
                var next = i + 3;
                if (to == '`')
                {
                    if (i + 3 >= pattern.Length)
                    {
                        throw Invalid(pattern, "it ends with a backtick that escapes nothing");
                    }

                    to = pattern[i + 3];
                    next = i + 4;
                }

                if (Upper(to) < Upper(c))
                {
                    throw Invalid(pattern, $"the range {c}-{to} runs backwards");
                }

                ranges.Add((Upper(c), Upper(to)));
                i = next;
                continue;
            }

            members.Append(Upper(c));
            i++;
        }

        tokens.Add(new Token(Kind.Set, default, new CharSet(members.ToString(), [.. ranges])));
        return i;
    }

    private static char Upper(char c) => char.ToUpperInvariant(c);

    private static TorrentPSException Invalid(string pattern, string reason)
        => new("InvalidFilePattern", TorrentErrorKind.InvalidArgument, $"The file pattern '{pattern}' is not valid: {reason}. Escape a literal [ ] * ? or ` with a backtick.");

    private sealed record CharSet(string Members, (char From, char To)[] Ranges)
    {
        public bool Contains(char upper)
        {
            if (Members.Contains(upper, StringComparison.Ordinal))
            {
                return true;
            }

            foreach (var (from, to) in Ranges)
            {
                if (upper >= from && upper <= to)
                {
                    return true;
                }
            }

            return false;
        }
    }

    private readonly record struct Token(Kind Kind, char Upper, CharSet? Set)
    {
        public static Token Of(char c) => new(Kind.Literal, char.ToUpperInvariant(c), null);

        public bool Matches(char c) => Kind switch
        {
            Kind.Literal => char.ToUpperInvariant(c) == Upper,
            Kind.AnyOne => true,
            Kind.Set => Set!.Contains(char.ToUpperInvariant(c)),
            _ => false,
        };
    }
}
