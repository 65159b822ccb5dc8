using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Peers;

namespace TorrentPS.Engine.Wire;

/// <summary>
/// The BEP 3 handshake in both directions, blocking, on the thread that will own the connection: dial (or take an
/// accepted socket), exchange handshakes, check the info hash, send our BEP 10 extension handshake when both sides
/// support it, and hand over a <see cref="PeerWire"/>. The peer's extension handshake is not waited for: it is an
/// ordinary message its owner reads whenever it comes (a peer that never sends one is still a good peer). The socket is
/// made blocking at the system level before the first byte is exchanged and read and written through
/// <see cref="BlockingSocket"/>, so .NET never registers it with its epoll thread (not even while waiting for a peer
/// that answers late).
/// </summary>
internal static class HandshakeExchange
{
    /// <summary>Dials <paramref name="endPoint"/> and exchanges handshakes for <paramref name="infoHash"/>. Blocks; cancelled by closing the socket.</summary>
    /// <exception cref="PeerUnreachableException">Refused, unreachable, or closed during the handshake.</exception>
    /// <exception cref="PeerTimeoutException">No connection or no answer in time.</exception>
    /// <exception cref="InfoHashMismatchException">The peer answered for another torrent.</exception>
    /// <exception cref="PeerProtocolException">The peer's answer is not a BitTorrent handshake.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static PeerWire Dial(IPEndPoint endPoint, InfoHash infoHash, HandshakeOptions options, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        ArgumentNullException.ThrowIfNull(infoHash);
        ArgumentNullException.ThrowIfNull(options);
        var started = Stopwatch.GetTimestamp();
        var socket = BlockingSocket.Connect(endPoint, options.LocalAddress, options.ConnectTimeout, cancellationToken);
        var systemBlocking = BlockingSocket.TryMakeSystemBlocking(socket);
        var receive = ArrayPool<byte>.Shared.Rent(PeerWire.NormalReceiveSize);
        var owned = false;
        try
        {
            using var cancel = cancellationToken.UnsafeRegister(static s => ((Socket)s!).Dispose(), socket);
            var deadline = Environment.TickCount64 + (long)options.HandshakeTimeout.TotalMilliseconds;
            SendHandshake(socket, systemBlocking, endPoint, infoHash, options, cancellationToken);
            var end = ReceiveAtLeast(socket, systemBlocking, endPoint, receive, 0, HandshakeMessage.Length, deadline, options.HandshakeTimeout, "the handshake", cancellationToken);
            HandshakeMessage remote;
            try
            {
                remote = HandshakeMessage.Read(receive.AsSpan(0, HandshakeMessage.Length));
            }
            catch (PeerProtocolException ex)
            {
                throw ex.WithEndPoint(endPoint);
            }

            if (!remote.InfoHash.Equals(infoHash))
            {
                throw new InfoHashMismatchException(endPoint, infoHash, remote.InfoHash);
            }

            var wire = new PeerWire(socket, endPoint, infoHash, options, remote, isOutgoing: true, logger, receive, HandshakeMessage.Length, end);
            owned = true;
            Finish(wire, started, logger, cancellationToken);
            return wire;
        }
        catch (Exception ex) when (!owned)
        {
            throw Abandon(socket, receive, ex, endPoint, "connection", logger, cancellationToken);
        }
    }

    /// <summary>
    /// Answers a peer that dialled us: reads its handshake, asks <paramref name="lookup"/> whether we serve its info hash
    /// (null: hang up), answers, and hands over the connection. Blocks; cancelled by closing the socket.
    /// </summary>
    /// <exception cref="PeerException">The peer broke the handshake, stalled, or asked for a torrent not served here.</exception>
    public static PeerWire Accept(Socket socket, Func<InfoHash, HandshakeOptions?> lookup, TimeSpan handshakeTimeout, ILogger logger, CancellationToken cancellationToken, Func<IEnumerable<InfoHash>>? served = null)
    {
        ArgumentNullException.ThrowIfNull(socket);
        ArgumentNullException.ThrowIfNull(lookup);
        var started = Stopwatch.GetTimestamp();
        var remote = socket.RemoteEndPoint as IPEndPoint ?? new IPEndPoint(IPAddress.None, 0);
        if (remote.Address.IsIPv4MappedToIPv6)
        {
            remote = new IPEndPoint(remote.Address.MapToIPv4(), remote.Port);
        }

        socket.NoDelay = true;
        var systemBlocking = BlockingSocket.TryMakeSystemBlocking(socket);
        var receive = ArrayPool<byte>.Shared.Rent(PeerWire.NormalReceiveSize);
        var owned = false;
        try
        {
            using var cancel = cancellationToken.UnsafeRegister(static s => ((Socket)s!).Dispose(), socket);
            var deadline = Environment.TickCount64 + (long)handshakeTimeout.TotalMilliseconds;
            var end = ReceiveAtLeast(socket, systemBlocking, remote, receive, 0, HandshakeMessage.PrefixLength, deadline, handshakeTimeout, "the handshake", cancellationToken);
            InfoHash? encryptedFor = null;
            if (served is not null && !EncryptedHandshake.IsPlaintext(receive.AsSpan(0, end)))
            {
                (encryptedFor, end) = EncryptedHandshake.Respond(socket, systemBlocking, remote, receive, end, deadline, handshakeTimeout, served, cancellationToken);
                logger.LogDebug("Peer {EndPoint}: encrypted handshake for {InfoHash}; the stream stays plaintext", remote, encryptedFor);
                end = ReceiveAtLeast(socket, systemBlocking, remote, receive, end, HandshakeMessage.PrefixLength, deadline, handshakeTimeout, "the handshake", cancellationToken);
            }

            ReservedBits reserved;
            InfoHash infoHash;
            try
            {
                (reserved, infoHash) = HandshakeMessage.ReadPrefix(receive.AsSpan(0, HandshakeMessage.PrefixLength));
            }
            catch (PeerProtocolException ex)
            {
                throw ex.WithEndPoint(remote);
            }

            if (encryptedFor is not null && !encryptedFor.Equals(infoHash))
            {
                throw new InfoHashMismatchException(remote, encryptedFor, infoHash);
            }

            var options = lookup(infoHash) ?? throw new PeerProtocolException(remote, $"asked for info hash {infoHash}, which is not served here");
            SendHandshake(socket, systemBlocking, remote, infoHash, options, cancellationToken);
            deadline = Environment.TickCount64 + (long)options.HandshakeTimeout.TotalMilliseconds;
            end = ReceiveAtLeast(socket, systemBlocking, remote, receive, end, HandshakeMessage.Length, deadline, options.HandshakeTimeout, "the handshake's peer id", cancellationToken);
            var handshake = new HandshakeMessage(reserved, infoHash, new PeerId(receive.AsSpan(HandshakeMessage.PrefixLength, PeerId.Length)));
            var wire = new PeerWire(socket, remote, infoHash, options, handshake, isOutgoing: false, logger, receive, HandshakeMessage.Length, end);
            owned = true;
            Finish(wire, started, logger, cancellationToken);
            return wire;
        }
        catch (Exception ex) when (!owned)
        {
            throw Abandon(socket, receive, ex, remote, "incoming connection", logger, cancellationToken);
        }
    }

    /// <summary>A handshake that failed before the wire took over: socket closed, buffer returned, the typed error logged and returned.</summary>
    private static Exception Abandon(Socket socket, byte[] receive, Exception failure, IPEndPoint endPoint, string what, ILogger logger, CancellationToken cancellationToken)
    {
        socket.Dispose();
        ArrayPool<byte>.Shared.Return(receive);
        var typed = Translate(failure, endPoint, logger, cancellationToken);
        if (typed is PeerException peer)
        {
            logger.LogInformation("Peer {EndPoint}: closing the {What}: {Reason}", endPoint, what, peer.Reason);
        }

        return typed;
    }

    private static void Finish(PeerWire wire, long started, ILogger logger, CancellationToken cancellationToken)
    {
        try
        {
            logger.LogDebug("Peer {EndPoint}: handshake done, peer id {PeerId} ({Client}), reserved {Reserved}", wire.RemoteEndPoint, wire.RemoteHandshake.PeerId, PeerClient.FromPeerId(wire.RemoteHandshake.PeerId), wire.RemoteHandshake.Reserved);
            if (wire.ExtensionProtocol && wire.Options.ExchangeExtensionHandshake)
            {
                var ours = wire.Options.LocalExtensionHandshake ?? ExtensionHandshake.CreateLocal(yourIp: wire.RemoteEndPoint.Address);
                using var body = new PooledBufferWriter();
                ours.Encode(body);
                wire.SendExtended(0, body.WrittenSpan);
            }

            wire.HandshakeElapsed = Stopwatch.GetElapsedTime(started);
        }
        catch (Exception ex)
        {
            wire.Close(ex.Message);
            wire.Dispose();
            throw Translate(ex, wire.RemoteEndPoint, logger, cancellationToken);
        }

    }

    private static void SendHandshake(Socket socket, bool systemBlocking, IPEndPoint endPoint, InfoHash infoHash, HandshakeOptions options, CancellationToken cancellationToken)
    {
        Span<byte> bytes = stackalloc byte[HandshakeMessage.Length];
        new HandshakeMessage(options.ReservedBits, infoHash, options.ResolvePeerId()).Write(bytes);
        SendAll(socket, systemBlocking, endPoint, bytes, options.HandshakeTimeout, "the handshake", cancellationToken);
    }

    /// <summary>Sends all of <paramref name="bytes"/> within <paramref name="limit"/>, or fails naming <paramref name="what"/>.</summary>
    internal static void SendAll(Socket socket, bool systemBlocking, IPEndPoint endPoint, ReadOnlySpan<byte> bytes, TimeSpan limit, string what, CancellationToken cancellationToken)
    {
        try
        {
            socket.SendTimeout = (int)Math.Clamp(limit.TotalMilliseconds, 1, int.MaxValue);
            while (!bytes.IsEmpty)
            {
                bytes = bytes[BlockingSocket.Send(socket, bytes, systemBlocking)..];
            }
        }
        catch (SocketException ex)
        {
            cancellationToken.ThrowIfCancellationRequested();
            throw new PeerUnreachableException(endPoint, $"sending {what} failed: {BlockingSocket.Describe(ex)}", ex);
        }
    }

    /// <summary>Receives into <paramref name="buffer"/> from <paramref name="filled"/> until at least <paramref name="count"/> bytes are there; returns the bytes held.</summary>
    internal static int ReceiveAtLeast(Socket socket, bool systemBlocking, IPEndPoint endPoint, byte[] buffer, int filled, int count, long deadline, TimeSpan limit, string what, CancellationToken cancellationToken)
    {
        while (filled < count)
        {
            var left = deadline - Environment.TickCount64;
            if (left <= 0)
            {
                throw new PeerTimeoutException(endPoint, $"{what} did not arrive within {BlockingSocket.Seconds(limit)} ({filled} bytes received)");
            }

            socket.ReceiveTimeout = (int)Math.Min(left, int.MaxValue);
            int read;
            try
            {
                read = BlockingSocket.Receive(socket, buffer.AsSpan(filled), systemBlocking);
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock && !cancellationToken.IsCancellationRequested)
            {
                throw new PeerTimeoutException(endPoint, $"{what} did not arrive within {BlockingSocket.Seconds(limit)} ({filled} bytes received)");
            }

            if (read == 0)
            {
                throw new PeerUnreachableException(endPoint, filled == 0 && what == "the handshake"
                    ? "the peer closed the connection without answering our handshake (it usually does not serve this torrent)"
                    : $"the peer closed the connection in the middle of {what} ({filled} of {count} bytes received)");
            }

            filled += read;
        }

        return filled;
    }

    private static Exception Translate(Exception ex, IPEndPoint endPoint, ILogger logger, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested && ex is not OperationCanceledException)
        {
            return new OperationCanceledException("The handshake was cancelled.", ex, cancellationToken);
        }

        return ex switch
        {
            PeerProtocolException protocol => protocol.WithEndPoint(endPoint),
            PeerException or OperationCanceledException => ex,
            SocketException socketError => new PeerUnreachableException(endPoint, $"the connection failed: {BlockingSocket.Describe(socketError)}", socketError),
            ObjectDisposedException => new PeerUnreachableException(endPoint, "the connection was closed", ex),
            _ => new PeerProtocolException(endPoint, $"unexpected failure: {ex.Message}", ex),
        };
    }
}
