namespace TorrentPS.Interop.Tests.Infrastructure;

/// <summary>Byte-for-byte comparison of downloaded content with its source: one file, or a folder tree file by file.</summary>
public static class SameBytes
{
    /// <summary>
    /// Asserts <paramref name="actual"/> holds exactly what <paramref name="expected"/> holds (file or folder; our own
    /// <c>.torrentps</c> resume folder is not content). Retries for a while: a client may still be flushing when it says
    /// it is done.
    /// </summary>
    public static async Task AssertAsync(string expected, string actual, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var difference = Difference(expected, actual);
            if (difference is null)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail(difference);
            }

            await Task.Delay(200);
        }
    }

    private static string? Difference(string expected, string actual)
    {
        if (File.Exists(expected))
        {
            if (!File.Exists(actual))
            {
                return $"{actual} does not exist";
            }

            return File.ReadAllBytes(expected).AsSpan().SequenceEqual(File.ReadAllBytes(actual)) ? null : $"{actual} differs from {expected}";
        }

        if (!Directory.Exists(actual))
        {
            return $"the folder {actual} does not exist";
        }

        var want = Files(expected);
        var have = Files(actual);
        if (!want.SequenceEqual(have))
        {
            return $"{actual} holds [{string.Join(", ", have)}], not [{string.Join(", ", want)}]";
        }

        return want.Select(f => Difference(Path.Combine(expected, f), Path.Combine(actual, f))).FirstOrDefault(d => d is not null);
    }

    private static List<string> Files(string folder)
        => Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(folder, f))
            .Where(f => !f.StartsWith(".torrentps", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();
}
