using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Storage;

namespace TorrentPS.Engine.Session;

/// <summary>
/// Deletes a removed torrent's data (<c>Remove-Torrent -DeleteData</c>): exactly the torrent's own files (the paths its
/// <see cref="ContentLocation"/> makes, never anything else in the folders), then the folders of a multi-file torrent
/// that are left empty, and its resume data. A file that cannot be deleted is reported, the rest goes on.
/// </summary>
internal static class TorrentData
{
    /// <summary>Deletes what <paramref name="request"/> put on disk; returns the paths that could not be deleted with why.</summary>
    public static IReadOnlyList<string> Delete(TransferRequest request, TorrentInfo? info, string? stateResumeFolder)
    {
        var failed = new List<string>();
        info ??= request.Torrent;
        if (request.ResumePath(null) is { } beside)
        {
            TryDelete(beside, failed);
        }

        if (request.ResumePath(stateResumeFolder) is { } resume)
        {
            TryDelete(resume, failed);
        }

        if (info is null || !request.IsKept || string.IsNullOrEmpty(request.Destination))
        {
            return failed;
        }

        var location = request.Layout == ContentLayout.AtPath
            ? ContentLocation.AtPath(info, request.Destination)
            : ContentLocation.InFolder(info, request.Destination);
        var folders = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < location.FileCount; i++)
        {
            if (location.GetFilePath(i) is not { } path)
            {
                continue;
            }

            TryDelete(path, failed);
            for (var folder = Path.GetDirectoryName(path); info.IsMultiFile && folder is not null && IsInside(folder, location.ContentPath); folder = Path.GetDirectoryName(folder))
            {
                folders.Add(folder);
            }
        }

        // Deepest first, so a folder is tried after the folders inside it.
        foreach (var folder in folders.OrderByDescending(f => f.Length))
        {
            try
            {
                if (Directory.Exists(folder) && !Directory.EnumerateFileSystemEntries(folder).Any())
                {
                    Directory.Delete(folder);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                failed.Add($"{folder}: {ex.Message}");
            }
        }

        return failed;
    }

    private static bool IsInside(string folder, string root)
    {
        var comparison = OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));
        var top = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        return full.Equals(top, comparison) || full.StartsWith(top + Path.DirectorySeparatorChar, comparison);
    }

    private static void TryDelete(string path, List<string> failed)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            failed.Add($"{path}: {ex.Message}");
        }
    }
}
