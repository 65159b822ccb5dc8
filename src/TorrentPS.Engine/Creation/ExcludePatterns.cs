using System.IO.Enumeration;

namespace TorrentPS.Engine.Creation;

/// <summary>
/// Which files and folders a new torrent leaves out: wildcard patterns (<c>*</c> any characters, <c>?</c> one), matched
/// without regard to case as PowerShell's are. A pattern without '/' is matched against the name of every file and
/// folder at any depth (<c>*.tmp</c>, <c>.*</c>, <c>Thumbs.db</c>); a pattern with '/' against the path below the
/// content folder (<c>extras/*</c>; there <c>*</c> may span folders). A folder that matches is left out with everything
/// in it. '\' counts as '/', so patterns read the same on every system.
/// </summary>
internal sealed class ExcludePatterns
{
    private readonly string[] _namePatterns;
    private readonly string[] _pathPatterns;

    public ExcludePatterns(IEnumerable<string> patterns)
    {
        var names = new List<string>();
        var paths = new List<string>();
        foreach (var raw in patterns)
        {
            var pattern = raw?.Trim().Replace('\\', '/').Trim('/');
            if (string.IsNullOrEmpty(pattern))
            {
                continue;
            }

            (pattern.Contains('/') ? paths : names).Add(pattern);
        }

        _namePatterns = [.. names];
        _pathPatterns = [.. paths];
    }

    public bool IsEmpty => _namePatterns.Length == 0 && _pathPatterns.Length == 0;

    /// <summary>True when the file or folder called <paramref name="name"/> at <paramref name="relativePath"/> ('/' between segments) is left out.</summary>
    public bool Excludes(string name, string relativePath)
    {
        foreach (var pattern in _namePatterns)
        {
            if (FileSystemName.MatchesSimpleExpression(pattern, name, ignoreCase: true))
            {
                return true;
            }
        }

        foreach (var pattern in _pathPatterns)
        {
            if (FileSystemName.MatchesSimpleExpression(pattern, relativePath, ignoreCase: true))
            {
                return true;
            }
        }

        return false;
    }
}
