using System.Net;
using System.Net.Sockets;

namespace TorrentPS.Engine.Wire;

/// <summary>
/// The socket operations of a peer connection, all blocking. A connection's socket never performs an asynchronous
/// operation (not even its connect): on Linux .NET keeps a socket non-blocking for good after one, and a blocking
/// receive on it is then emulated by polling at about twice the CPU (shared/PERFORMANCE.md). Setting
/// <see cref="Socket.Blocking"/> back after the non-blocking connect does not undo that at the system level, so
/// <see cref="TryMakeSystemBlocking"/> does, right after the connect and before the handshake, and <see cref="Receive"/>
/// and <see cref="Send"/> call <c>recv</c> and <c>send</c> themselves: .NET's own blocking calls on such a socket register
/// it with the runtime's epoll thread the first time they find nothing to read (or no room to write), and from then on
/// every arrival of data wakes that thread and the thread pool (issue 20: 3,500–8,100 wake-ups per GiB). Each connection
/// has its own receiving thread, so blocking is cheap; a socket is cancelled by closing it.
/// </summary>
internal static class BlockingSocket
{
    private const int SolSocket = 1;
    private const int SoRcvLowat = 18;
    private static readonly TimeSpan PollSlice = TimeSpan.FromMilliseconds(50);

    /// <summary>Connects a new TCP socket to <paramref name="endPoint"/> within <paramref name="timeout"/>; the socket returned is blocking.</summary>
    /// <exception cref="PeerUnreachableException">Refused or unreachable, or the local address cannot be bound.</exception>
    /// <exception cref="PeerTimeoutException">No connection within the timeout.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static Socket Connect(IPEndPoint endPoint, IPAddress? localAddress, TimeSpan timeout, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            if (localAddress is not null)
            {
                try
                {
                    socket.Bind(new IPEndPoint(localAddress, 0));
                }
                catch (SocketException ex)
                {
                    throw new PeerUnreachableException(endPoint, $"cannot dial from {localAddress}: {Describe(ex)}", ex);
                }
            }

            // A non-blocking connect polled in short slices, so both the timeout and the token are honoured; then the
            // socket goes back to blocking for the connection's life.
            socket.Blocking = false;
            try
            {
                socket.Connect(endPoint);
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.WouldBlock or SocketError.InProgress or SocketError.AlreadyInProgress)
            {
                WaitConnected(socket, endPoint, timeout, cancellationToken);
            }
            catch (SocketException ex)
            {
                throw new PeerUnreachableException(endPoint, $"cannot connect: {Describe(ex)}", ex);
            }

            socket.Blocking = true;
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static void WaitConnected(Socket socket, IPEndPoint endPoint, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var left = deadline - Environment.TickCount64;
            if (left <= 0)
            {
                throw new PeerTimeoutException(endPoint, $"no connection within {Seconds(timeout)}");
            }

            var slice = (int)Math.Min(left, (long)PollSlice.TotalMilliseconds) * 1000;
            bool writable;
            bool failed;
            try
            {
                writable = socket.Poll(slice, SelectMode.SelectWrite);
                failed = !writable && socket.Poll(0, SelectMode.SelectError);
            }
            catch (SocketException ex)
            {
                throw new PeerUnreachableException(endPoint, $"cannot connect: {Describe(ex)}", ex);
            }

            if (writable || failed)
            {
                var error = (SocketError)(int)socket.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.Error)!;
                if (error != SocketError.Success)
                {
                    throw new PeerUnreachableException(endPoint, $"cannot connect: {Describe(error)}", new SocketException((int)error));
                }

                if (writable)
                {
                    return;
                }
            }
        }
    }

    /// <summary>
    /// Linux's <c>SO_RCVLOWAT</c>: a blocking receive returns once this many bytes are buffered (or its timeout passes),
    /// one wake-up per that many bytes instead of one per TCP segment. False where the platform has no such option.
    /// </summary>
    public static bool TrySetReceiveLowWater(Socket socket, int bytes)
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        try
        {
            Span<byte> value = stackalloc byte[sizeof(int)];
            System.Runtime.InteropServices.MemoryMarshal.Write(value, Math.Max(1, bytes));
            socket.SetRawSocketOption(SolSocket, SoRcvLowat, value);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
    }

    /// <summary>
    /// A blocking receive into <paramref name="buffer"/>: the byte count, 0 at the end of the stream. On a socket that
    /// <see cref="TryMakeSystemBlocking"/> made blocking (<paramref name="systemBlocking"/>) it is <c>recv</c> itself,
    /// because .NET's <see cref="Socket.Receive(Span{byte}, SocketFlags)"/> on a socket that was ever non-blocking
    /// emulates every receive through its epoll thread and the thread pool: for a 1 GiB download 4,000 epoll wake-ups,
    /// 13,000 futex calls and 29,000 <c>sched_yield</c> of spinning pool workers (strace), about 5% of the CPU measured
    /// as whole processes. Otherwise (other systems, no libc) it is <see cref="Socket.Receive(Span{byte}, SocketFlags)"/>.
    /// </summary>
    /// <exception cref="SocketException">The receive failed, or timed out (<see cref="SocketError.TimedOut"/>).</exception>
    /// <exception cref="ObjectDisposedException">The socket was closed.</exception>
    public static int Receive(Socket socket, Span<byte> buffer, bool systemBlocking)
    {
        if (!systemBlocking)
        {
            return socket.Receive(buffer, SocketFlags.None);
        }

        var handle = socket.SafeHandle;
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            var fd = (int)handle.DangerousGetHandle();
            while (true)
            {
                var read = LinuxSocket.recv(fd, ref System.Runtime.InteropServices.MemoryMarshal.GetReference(buffer), buffer.Length, 0);
                if (read >= 0)
                {
                    return (int)read;
                }

                var errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
                if (errno != LinuxSocket.EINTR)
                {
                    throw new SocketException((int)LinuxSocket.ToSocketError(errno));
                }
            }
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// A blocking send of some of <paramref name="data"/>: the byte count. On a socket <see cref="TryMakeSystemBlocking"/>
    /// made blocking (<paramref name="systemBlocking"/>) it is <c>send</c> itself (see <see cref="Receive"/> for why);
    /// otherwise <see cref="Socket.Send(ReadOnlySpan{byte}, SocketFlags)"/>.
    /// </summary>
    /// <exception cref="SocketException">The send failed, or timed out (<see cref="SocketError.TimedOut"/>).</exception>
    /// <exception cref="ObjectDisposedException">The socket was closed.</exception>
    public static int Send(Socket socket, ReadOnlySpan<byte> data, bool systemBlocking) => Send(socket, data, systemBlocking, dontWait: false);

    /// <summary>
    /// A send that never waits: as much of <paramref name="data"/> as the socket's buffer takes now (0 when it is full).
    /// Only on a socket <see cref="TryMakeSystemBlocking"/> made blocking.
    /// </summary>
    /// <exception cref="SocketException">The send failed.</exception>
    /// <exception cref="ObjectDisposedException">The socket was closed.</exception>
    public static int SendWithoutWaiting(Socket socket, ReadOnlySpan<byte> data)
    {
        try
        {
            return Send(socket, data, systemBlocking: true, dontWait: true);
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.TimedOut)
        {
            // EAGAIN: the buffer is full.
            return 0;
        }
    }

    private static int Send(Socket socket, ReadOnlySpan<byte> data, bool systemBlocking, bool dontWait)
    {
        if (!systemBlocking)
        {
            return socket.Send(data, SocketFlags.None);
        }

        var handle = socket.SafeHandle;
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            var fd = (int)handle.DangerousGetHandle();
            while (true)
            {
                var flags = LinuxSocket.MsgNoSignal | (dontWait ? LinuxSocket.MsgDontWait : 0);
                var sent = LinuxSocket.send(fd, ref System.Runtime.InteropServices.MemoryMarshal.GetReference(data), data.Length, flags);
                if (sent >= 0)
                {
                    return (int)sent;
                }

                var errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
                if (errno != LinuxSocket.EINTR)
                {
                    throw new SocketException((int)LinuxSocket.ToSocketError(errno));
                }
            }
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>False once libc could not be called: sockets are then left to .NET.</summary>
    private static volatile bool _nativeReceive = true;

    /// <summary>
    /// Makes the socket blocking at the system level too, so <see cref="Receive"/> can call <c>recv</c> itself (Linux;
    /// elsewhere nothing to do). False when it could not: <see cref="Receive"/> then goes through .NET.
    /// </summary>
    public static bool TryMakeSystemBlocking(Socket socket)
    {
        if (!OperatingSystem.IsLinux() || !_nativeReceive)
        {
            return false;
        }

        var handle = socket.SafeHandle;
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            return LinuxSocket.TryMakeBlocking((int)handle.DangerousGetHandle());
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            _nativeReceive = false;
            return false;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    public static string Describe(SocketException ex) => Describe(ex.SocketErrorCode, ex.Message);

    public static string Describe(SocketError error, string? message = null) => error switch
    {
        SocketError.ConnectionRefused => "connection refused",
        SocketError.HostUnreachable or SocketError.NetworkUnreachable => "unreachable",
        SocketError.ConnectionReset => "connection reset by the peer",
        SocketError.TimedOut => "timed out",
        _ => message ?? error.ToString(),
    };

    public static string Seconds(TimeSpan timeout) => timeout.TotalSeconds == 1 ? "1 second" : $"{timeout.TotalSeconds:0.#} seconds";
}
