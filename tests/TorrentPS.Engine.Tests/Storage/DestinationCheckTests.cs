using TorrentPS.Engine.Storage;

namespace TorrentPS.Engine.Tests.Storage;

/// <summary>
/// A destination that cannot be written is found before any peer is asked for anything
/// (<see cref="ContentLocation.EnsureWritable"/>), and a storage error names its path once.
/// </summary>
public sealed class DestinationCheckTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"tps-destination-{Guid.NewGuid():N}");

    public DestinationCheckTests() => Directory.CreateDirectory(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void A_writable_destination_is_made_with_its_state_folder_and_left_with_nothing_else()
    {
        var destination = Path.Combine(_root, "a", "b");

        ContentLocation.EnsureWritable(destination);

        var state = Path.Combine(destination, ContentLocation.StateFolderName);
        Assert.True(Directory.Exists(state));
        Assert.Empty(Directory.EnumerateFileSystemEntries(state));
        Assert.Equal([state], Directory.EnumerateFileSystemEntries(destination));
    }

    [Fact]
    public void A_file_where_a_folder_must_be_is_PathIsFile_naming_the_file()
    {
        var file = Path.Combine(_root, "not-a-folder");
        File.WriteAllText(file, "x");

        var ex = Assert.Throws<StorageException>(() => ContentLocation.EnsureWritable(Path.Combine(file, "downloads")));

        Assert.Equal("PathIsFile", ex.ErrorId);
        Assert.Equal(file, ex.Path);
    }

    [Fact]
    public void StorageFailed_names_the_path_once_then_the_systems_reason()
    {
        // .NET on Unix writes "<reason> : '<path>'".
        var inner = new IOException("Read-only file system : '/mnt/ro/file.bin'");

        var ex = StorageException.Failed("/mnt/ro/file.bin", writing: true, inner);

        Assert.Equal("StorageFailed", ex.ErrorId);
        Assert.Equal("Cannot write '/mnt/ro/file.bin': Read-only file system.", ex.Message);
    }

    [Fact]
    public void StorageFailed_keeps_a_reason_that_names_another_path()
    {
        var ex = StorageException.Failed("/x/a.bin", writing: false, new IOException("Input/output error : '/x/.torrentps/y'"));

        Assert.Equal("Cannot read '/x/a.bin': Input/output error : '/x/.torrentps/y'.", ex.Message);
    }
}
