using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace TorrentPS.Engine.Storage;

/// <summary>
/// Marks a new file sparse where the file system needs to be told. On Linux and macOS a write past the end leaves a
/// hole by itself; NTFS fills the gap with zeros (writing them all) unless the file is marked sparse first.
/// </summary>
internal static class SparseFile
{
    private const uint FsctlSetSparse = 0x000900C4;

    /// <summary>Best effort: a file system that cannot hold sparse files still works, only slower on a first far write.</summary>
    public static void TryMark(SafeFileHandle handle)
    {
        if (OperatingSystem.IsWindows())
        {
            _ = DeviceIoControl(handle, FsctlSetSparse, IntPtr.Zero, 0, IntPtr.Zero, 0, out _, IntPtr.Zero);
        }
    }

    [DllImport("kernel32.dll", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static extern bool DeviceIoControl(
        SafeFileHandle device,
        uint controlCode,
        IntPtr inBuffer,
        uint inBufferSize,
        IntPtr outBuffer,
        uint outBufferSize,
        out uint bytesReturned,
        IntPtr overlapped);
}
