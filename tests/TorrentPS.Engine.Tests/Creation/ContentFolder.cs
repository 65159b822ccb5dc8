using TorrentPS.Engine.Tests.Metainfo;

namespace TorrentPS.Engine.Tests.Creation;

/// <summary>A temporary folder a test fills with files to make torrents of; deleted on dispose.</summary>
internal sealed class ContentFolder : IDisposable
{
    public ContentFolder()
    {
        Root = Path.Combine(Path.GetTempPath(), $"tps-create-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Root);
    }

    /// <summary>The temporary folder; content goes below it (a test usually shares <c>Root/&lt;name&gt;</c>).</summary>
    public string Root { get; }

    /// <summary>The full path of <paramref name="relative"/> ('/' between segments) below <see cref="Root"/>.</summary>
    public string PathOf(string relative) => Path.Combine([Root, .. relative.Split('/')]);

    /// <summary>Writes <paramref name="length"/> random bytes (from <paramref name="seed"/>) at <paramref name="relative"/>; returns them.</summary>
    public byte[] Write(string relative, int length, int seed = 1)
    {
        var bytes = TestTorrent.Content(length, seed);
        Write(relative, bytes);
        return bytes;
    }

    public void Write(string relative, byte[] bytes)
    {
        var path = PathOf(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
    }

    public string Folder(string relative) => Directory.CreateDirectory(PathOf(relative)).FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
