using System.Collections.ObjectModel;
using System.Management.Automation;

namespace TorrentPS.Paths;

/// <summary>
/// Resolves -Path (wildcards) and -LiteralPath arguments to FileSystem provider paths of files, and folder arguments
/// with <see cref="ResolveFolder"/>, on the pipeline thread (session state is not thread-safe). Each path that cannot
/// be read is reported through <c>onError</c> (a non-terminating error) and the rest go on.
/// </summary>
internal static class FileSystemPathResolver
{
    private const string FileSystemProviderName = "FileSystem";

    public static List<string> Resolve(PSCmdlet cmdlet, IEnumerable<string> paths, bool literal, Action<Exception, object> onError)
    {
        var files = new List<string>();
        foreach (var path in paths)
        {
            try
            {
                if (literal || !WildcardPattern.ContainsWildcardCharacters(path))
                {
                    var resolved = literal
                        ? cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out var provider, out _)
                        : ResolveOne(cmdlet, path, out provider);
                    RequireFileSystem(path, provider);
                    files.Add(RequireFile(resolved, path));
                    continue;
                }

                var found = false;
                foreach (var match in Matches(cmdlet, path))
                {
                    // Directories a wildcard happens to match are skipped, like files of the wrong kind.
                    if (File.Exists(match))
                    {
                        files.Add(match);
                        found = true;
                    }
                }

                if (!found)
                {
                    files.Add(LiteralFallback(cmdlet, path));
                }
            }
            catch (Exception ex) when (ex is not PipelineStoppedException)
            {
                onError(ex, path);
            }
        }

        return files;
    }

    /// <summary>
    /// Resolves a folder argument such as -DataPath (used literally; it need not exist yet) to a FileSystem provider
    /// path; null or empty means the current FileSystem location.
    /// </summary>
    /// <exception cref="PathResolutionException">NotFileSystemPath, or PathIsFile when a file stands there.</exception>
    public static string ResolveFolder(PSCmdlet cmdlet, string? path)
        => ResolveFolderCore(cmdlet, path);

    /// <summary>
    /// <see cref="ResolveFolder"/> for a cmdlet's BeginProcessing: a folder argument that cannot be used ends the command
    /// with that path's ErrorRecord (nothing could be written anywhere sensible).
    /// </summary>
    public static string ResolveFolderOrTerminate(PSCmdlet cmdlet, string? path)
    {
        try
        {
            return ResolveFolderCore(cmdlet, path);
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            cmdlet.ThrowTerminatingError(Bridge.ErrorRecordFactory.Create(ex, path));
            throw;
        }
    }

    private static string ResolveFolderCore(PSCmdlet cmdlet, string? path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return cmdlet.SessionState.Path.CurrentFileSystemLocation.ProviderPath;
        }

        var resolved = cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out var provider, out _);
        RequireFileSystem(path, provider);
        return File.Exists(resolved) ? throw PathResolutionException.IsFile(path) : resolved;
    }

    /// <summary>
    /// Resolves a path a file is to be written to (it need not exist) to a FileSystem provider path. With wildcards
    /// (unless <paramref name="literal"/>) it names the one existing item it matches; when it matches nothing, the
    /// characters are taken as part of a new file's name.
    /// </summary>
    /// <exception cref="PathResolutionException">NotFileSystemPath, or AmbiguousPath when a wildcard matches several items.</exception>
    public static string ResolveOutput(PSCmdlet cmdlet, string path, bool literal = false)
    {
        if (!literal && WildcardPattern.ContainsWildcardCharacters(path))
        {
            try
            {
                var matches = cmdlet.SessionState.Path.GetResolvedProviderPathFromPSPath(path, out var provider);
                RequireFileSystem(path, provider);
                if (matches.Count > 1)
                {
                    throw PathResolutionException.Ambiguous(path, matches.Count);
                }

                if (matches.Count == 1)
                {
                    return matches[0];
                }
            }
            catch (ItemNotFoundException)
            {
                // No match: a new file whose name holds wildcard characters.
            }
        }

        var resolved = cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out var fileSystem, out _);
        RequireFileSystem(path, fileSystem);
        return resolved;
    }

    /// <summary>What a wildcard path matches; nothing when it matches nothing (or is not a valid pattern).</summary>
    private static IEnumerable<string> Matches(PSCmdlet cmdlet, string path)
    {
        Collection<string> matches;
        ProviderInfo provider;
        try
        {
            matches = cmdlet.SessionState.Path.GetResolvedProviderPathFromPSPath(path, out provider);
        }
        catch (Exception ex) when (ex is ItemNotFoundException or WildcardPatternException)
        {
            return [];
        }

        RequireFileSystem(path, provider);
        return matches;
    }

    /// <summary>
    /// A wildcard path that matched no file: the file whose name is the path as written when there is one (a name with
    /// brackets, such as <c>br[1].torrent</c>), else an error that says so and what to use.
    /// </summary>
    private static string LiteralFallback(PSCmdlet cmdlet, string path)
    {
        var literal = cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out var provider, out _);
        RequireFileSystem(path, provider);
        return File.Exists(literal) ? literal : throw PathResolutionException.NoMatch(path);
    }

    /// <summary>
    /// Resolves a path that names one existing file or folder (what New-Torrent shares) to a FileSystem provider path.
    /// With wildcards (unless <paramref name="literal"/>) it must match exactly one item.
    /// </summary>
    /// <exception cref="PathResolutionException">NotFileSystemPath, PathNotFound, or AmbiguousPath when a wildcard matches several items.</exception>
    public static string ResolveItem(PSCmdlet cmdlet, string path, bool literal)
    {
        string resolved;
        ProviderInfo provider;
        if (literal || !WildcardPattern.ContainsWildcardCharacters(path))
        {
            resolved = cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out provider, out _);
        }
        else
        {
            var matches = Matches(cmdlet, path).ToList();
            if (matches.Count > 1)
            {
                throw PathResolutionException.Ambiguous(path, matches.Count, "one file or folder");
            }

            if (matches.Count == 1)
            {
                return matches[0];
            }

            // A wildcard that matches nothing may be a name with brackets, meant as written.
            resolved = cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out provider, out _);
        }

        RequireFileSystem(path, provider);
        return File.Exists(resolved) || Directory.Exists(resolved) ? resolved : throw PathResolutionException.NotFound(path);
    }

    private static string ResolveOne(PSCmdlet cmdlet, string path, out ProviderInfo provider)
    {
        var resolved = cmdlet.SessionState.Path.GetResolvedProviderPathFromPSPath(path, out provider);
        return resolved.Count == 1 ? resolved[0] : throw PathResolutionException.NotFound(path);
    }

    private static void RequireFileSystem(string path, ProviderInfo provider)
    {
        if (!string.Equals(provider.Name, FileSystemProviderName, StringComparison.OrdinalIgnoreCase))
        {
            throw PathResolutionException.NotFileSystem(path, provider.Name);
        }
    }

    private static string RequireFile(string resolved, string path)
    {
        if (File.Exists(resolved))
        {
            return resolved;
        }

        // The provider path, not the input: a PSPath from the pipeline reads "Microsoft.PowerShell.Core\FileSystem::/…".
        throw Directory.Exists(resolved) ? PathResolutionException.IsDirectory(resolved) : PathResolutionException.NotFound(path);
    }
}
