using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Storage;

namespace TorrentPS.Engine.Tests.Storage;

/// <summary>
/// Real faults, made so that they happen to root too (the tests run as root, where a read-only folder denies nothing):
/// a symbolic link to /dev/full for a full disk, to a read-only sysfs attribute for a permission the kernel refuses
/// everyone, a folder or a file in the way, and a file another handle has locked.
/// </summary>
public class StorageFaultTests
{
    private static PieceStore Store(StorageTorrent t) => new(FileLayout.For(t.Torrent), t.Location);

    private static StorageException WriteFails(StorageTorrent t, int piece = 0)
    {
        using var store = Store(t);
        return Assert.Throws<StorageException>(() => store.Write(piece, 0, t.Content.AsSpan(0, store.Layout.GetPieceSize(piece))));
    }

    [Fact]
    public void Storage_errors_carry_stable_ids_and_kinds()
    {
        var inner = new IOException("x");
        StorageException[] errors =
        [
            StorageException.DiskFull("p", inner),
            StorageException.AccessDenied("p", inner),
            StorageException.PathIsDirectory("p", inner),
            StorageException.PathIsFile("p", inner),
            StorageException.FileLocked("p", inner),
            StorageException.Failed("p", writing: true, inner),
            StorageException.Failed("p", writing: false, inner),
        ];
        Assert.Equal(["DiskFull", "StorageAccessDenied", "PathIsDirectory", "PathIsFile", "FileLocked", "StorageFailed", "StorageFailed"], errors.Select(e => e.ErrorId));
        Assert.Equal(
            [TorrentErrorKind.ResourceUnavailable, TorrentErrorKind.PermissionDenied, TorrentErrorKind.InvalidArgument, TorrentErrorKind.InvalidArgument, TorrentErrorKind.ResourceUnavailable, TorrentErrorKind.WriteError, TorrentErrorKind.ReadError],
            errors.Select(e => e.Kind));
        Assert.All(errors, e => Assert.Equal("p", e.Path));
        Assert.All(errors, e => Assert.Contains("'p'", e.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void A_full_disk_is_DiskFull_naming_the_file()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // /dev/full is Linux's
        }

        using var t = StorageTorrent.Single("data.bin", 100, 64);
        File.CreateSymbolicLink(t.PathOf(0), "/dev/full");
        var error = WriteFails(t);
        Assert.Equal("DiskFull", error.ErrorId);
        Assert.Equal(t.PathOf(0), error.Path);
    }

    [Fact]
    public void A_file_the_kernel_refuses_to_write_is_StorageAccessDenied_even_for_root()
    {
        const string readOnlyAttribute = "/sys/devices/system/cpu/online";
        if (!OperatingSystem.IsLinux())
        {
            return; // sysfs is Linux's
        }

        using var t = StorageTorrent.Single("data.bin", 100, 64);
        File.CreateSymbolicLink(t.PathOf(0), readOnlyAttribute);
        var error = WriteFails(t);
        Assert.Equal("StorageAccessDenied", error.ErrorId);
        Assert.Equal(TorrentErrorKind.PermissionDenied, error.Kind);
        Assert.Equal(t.PathOf(0), error.Path);
    }

    [Fact]
    public void A_folder_where_a_file_must_be_is_PathIsDirectory_for_writes_and_reads()
    {
        using var t = StorageTorrent.Multi("m", 16, TestFile.Random("a.bin", 20, 1), TestFile.Random("b.bin", 20, 2));
        Directory.CreateDirectory(t.PathOf(0));
        var error = WriteFails(t);
        Assert.Equal(("PathIsDirectory", t.PathOf(0)), (error.ErrorId, error.Path));
        using var store = Store(t);
        Assert.Equal("PathIsDirectory", Assert.Throws<StorageException>(() => store.Read(0, 0, new byte[16])).ErrorId);
    }

    [Fact]
    public void A_file_where_a_folder_must_be_is_PathIsFile_naming_that_file()
    {
        using var t = StorageTorrent.Multi("m", 16, TestFile.Random("sub/deeper/a.bin", 20, 1));
        var blocker = Path.Combine(t.Location.ContentPath, "sub");
        Directory.CreateDirectory(t.Location.ContentPath);
        File.WriteAllText(blocker, "in the way");
        var error = WriteFails(t);
        Assert.Equal(("PathIsFile", blocker), (error.ErrorId, error.Path));
        Assert.Equal("in the way", File.ReadAllText(blocker));
    }

    [Fact]
    public void A_file_locked_by_another_handle_is_FileLocked()
    {
        using var t = StorageTorrent.Single("data.bin", 100, 64);
        using var holder = new FileStream(t.PathOf(0), FileMode.Create, FileAccess.ReadWrite, FileShare.None);
        var error = WriteFails(t);
        Assert.Equal(("FileLocked", t.PathOf(0)), (error.ErrorId, error.Path));
    }

    [Fact]
    public void Other_io_errors_are_StorageFailed_with_the_reason()
    {
        var error = StorageErrors.Classify(new IOException("Input/output error", 5), "/nowhere/x.bin", writing: false);
        Assert.Equal(("StorageFailed", TorrentErrorKind.ReadError), (error.ErrorId, error.Kind));
        Assert.Contains("Input/output error", error.Message, StringComparison.Ordinal);
    }
}
