using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace TorrentPS.Engine.Wire;

/// <summary>
/// The two libc calls behind <see cref="BlockingSocket.Receive"/>: <c>fcntl</c> to make a socket blocking at the system
/// level, <c>recv</c> to read from it, and the errors <c>recv</c> reports.
/// </summary>
internal static class LinuxSocket
{
    public const int EINTR = 4;

    private const int FGetFl = 3;
    private const int FSetFl = 4;
    private const int ONonBlock = 0x800;

#pragma warning disable SA1300, IDE1006 // the C functions' own names
    [DllImport("libc", SetLastError = true)]
    public static extern nint recv(int socket, ref byte buffer, nint length, int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern int fcntl(int fd, int command, int argument);
#pragma warning restore SA1300, IDE1006

    /// <summary>
    /// Clears <c>O_NONBLOCK</c> on <paramref name="fd"/>. .NET leaves a socket non-blocking at the system level once it
    /// was (the connect is non-blocking, to honour the token), whatever <see cref="Socket.Blocking"/> says.
    /// </summary>
    public static bool TryMakeBlocking(int fd)
    {
        var flags = fcntl(fd, FGetFl, 0);
        return flags >= 0 && ((flags & ONonBlock) == 0 || fcntl(fd, FSetFl, flags & ~ONonBlock) == 0);
    }

    /// <summary>The <see cref="SocketError"/> of a Linux errno from <c>recv</c>.</summary>
    public static SocketError ToSocketError(int errno) => errno switch
    {
        11 => SocketError.TimedOut, // EAGAIN: SO_RCVTIMEO passed with nothing received
        104 => SocketError.ConnectionReset,
        110 => SocketError.TimedOut,
        107 => SocketError.NotConnected,
        103 => SocketError.ConnectionAborted,
        32 => SocketError.Shutdown,
        9 => SocketError.OperationAborted,
        113 => SocketError.HostUnreachable,
        101 => SocketError.NetworkUnreachable,
        _ => SocketError.SocketError,
    };
}
