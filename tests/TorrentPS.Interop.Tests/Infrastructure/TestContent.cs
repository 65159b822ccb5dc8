using System.Security.Cryptography;

namespace TorrentPS.Interop.Tests.Infrastructure;

/// <summary>Content for test torrents (random bytes in the files and folders a test names) and the byte-for-byte check of a download.</summary>
public static class TestContent
{
    /// <summary>
    /// Writes each file (a '/'-separated path under <paramref name="folder"/>/<paramref name="name"/>, any length, 0
    /// included) with random bytes; returns the top folder.
    /// </summary>
    public static string CreateTree(string folder, string name, params (string Path, int Length)[] files)
    {
        var root = Path.Combine(folder, name);
        foreach (var (relative, length) in files)
        {
            var path = Path.Combine([root, .. relative.Split('/')]);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, RandomNumberGenerator.GetBytes(length));
        }

        return root;
    }

    /// <summary>
    /// The download at <paramref name="actualRoot"/> equals the source at <paramref name="expectedRoot"/> (a file, or a
    /// folder compared file by file both ways: same relative paths, same bytes, empty files included).
    /// </summary>
    public static void AssertSame(string expectedRoot, string actualRoot)
    {
        if (File.Exists(expectedRoot))
        {
            Assert.True(File.Exists(actualRoot), $"{actualRoot} was not written");
            Assert.True(File.ReadAllBytes(expectedRoot).AsSpan().SequenceEqual(File.ReadAllBytes(actualRoot)), $"{actualRoot} differs from {expectedRoot}");
            return;
        }

        var expected = RelativeFiles(expectedRoot);
        Assert.True(Directory.Exists(actualRoot), $"{actualRoot} was not created");
        Assert.Equal(expected, RelativeFiles(actualRoot));
        foreach (var relative in expected)
        {
            var source = File.ReadAllBytes(Path.Combine(expectedRoot, relative));
            var copy = File.ReadAllBytes(Path.Combine(actualRoot, relative));
            Assert.True(source.AsSpan().SequenceEqual(copy), $"{relative}: {copy.Length} bytes downloaded differ from the {source.Length} seeded");
        }
    }

    private static string[] RelativeFiles(string root)
        => Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(root, f))
            .Where(f => !f.StartsWith(Engine.Storage.ContentLocation.StateFolderName, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToArray();
}
