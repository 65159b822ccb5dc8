using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace TorrentPS.Engine.Wire;

/// <summary>
/// The libc calls behind <see cref="BlockingSocket.Receive"/> and <see cref="BlockingSocket.Send"/>: <c>fcntl</c> to make
/// a socket blocking at the system level, <c>recv</c> and <c>send</c> on it, and the errors they report.
/// </summary>
internal static class LinuxSocket
{
    public const int EINTR = 4;

    /// <summary>A peer that hung up makes <c>send</c> fail with <c>EPIPE</c>, not raise <c>SIGPIPE</c>.</summary>
    public const int MsgNoSignal = 0x4000;

    /// <summary>This one call does not wait for room in the socket's buffer (the socket itself stays blocking).</summary>
    public const int MsgDontWait = 0x40;

    private const int FGetFl = 3;
    private const int FSetFl = 4;
    private const int ONonBlock = 0x800;

#pragma warning disable SA1300, IDE1006 // the C functions' own names
    [DllImport("libc", SetLastError = true)]
    public static extern nint recv(int socket, ref byte buffer, nint length, int flags);

    [DllImport("libc", SetLastError = true)]
    public static extern nint send(int socket, ref byte buffer, nint length, int flags);

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

    /// <summary>The <see cref="SocketError"/> of a Linux errno from <c>recv</c> or <c>send</c>.</summary>
    public static SocketError ToSocketError(int errno) => errno switch
    {
        11 => SocketError.TimedOut, // EAGAIN: SO_RCVTIMEO (SO_SNDTIMEO) passed with nothing received (sent)
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
