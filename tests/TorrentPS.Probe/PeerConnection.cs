using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace TorrentPS.Probe;

/// <summary>
/// The wire to the one peer: a blocking TCP socket on which no async operation ever runs (after one, .NET keeps a
/// socket non-blocking and emulates blocking receives by polling, shared/PERFORMANCE.md), the handshake, the few
/// messages the probe sends, and the receive low-water mark.
/// </summary>
internal sealed class PeerConnection : IDisposable
{
    private readonly Socket _socket;
    private int _lowWater = 1;

    private PeerConnection(Socket socket) => _socket = socket;

    /// <summary>Connects to <c>HOST:PORT</c> (a literal address, or a name resolved here).</summary>
    public static PeerConnection Connect(string hostAndPort)
    {
        var colon = hostAndPort.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(hostAndPort.AsSpan(colon + 1), out var port) || port is <= 0 or > 65535)
        {
            throw new ArgumentException($"--peer {hostAndPort}: expected HOST:PORT");
        }

        var host = hostAndPort[..colon].Trim('[', ']');
        var address = IPAddress.TryParse(host, out var literal) ? literal : Dns.GetHostAddresses(host)[0];
        // SO_RCVTIMEO: a peer that stops sending short of the low-water mark (a choke) ends the wait with what is in.
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, ReceiveTimeout = 15_000 };
        socket.Connect(new IPEndPoint(address, port)); // the process ends on failure: nothing to dispose
        return new PeerConnection(socket);
    }

    /// <summary>Sends the BitTorrent handshake (no extensions) and checks the peer's: same protocol, same info hash.</summary>
    public void Handshake(ReadOnlySpan<byte> infoHash)
    {
        Span<byte> handshake = stackalloc byte[68];
        handshake[0] = 19;
        "BitTorrent protocol"u8.CopyTo(handshake[1..]);
        handshake[20..28].Clear();
        infoHash.CopyTo(handshake[28..]);
        "-PB0001-"u8.CopyTo(handshake[48..]);
        RandomNumberGenerator.Fill(handshake[56..]);
        Send(handshake);
        for (var received = 0; received < handshake.Length;)
        {
            received += Receive(handshake[received..]);
        }

        if (!handshake[..20].SequenceEqual("\u0013BitTorrent protocol"u8) || !handshake.Slice(28, 20).SequenceEqual(infoHash))
        {
            throw new InvalidDataException("the peer's handshake is not for this torrent");
        }
    }

    public void SendInterested() => Send([0, 0, 0, 1, 2]);

    /// <summary>Writes a request (17 bytes) into <paramref name="destination"/>, to be sent with others in one call.</summary>
    public static void WriteRequest(Span<byte> destination, int piece, int begin, int length)
    {
        BinaryPrimitives.WriteInt32BigEndian(destination, 13);
        destination[4] = 6;
        BinaryPrimitives.WriteInt32BigEndian(destination[5..], piece);
        BinaryPrimitives.WriteInt32BigEndian(destination[9..], begin);
        BinaryPrimitives.WriteInt32BigEndian(destination[13..], length);
    }

    public void Send(ReadOnlySpan<byte> bytes)
    {
        for (var sent = 0; sent < bytes.Length;)
        {
            sent += _socket.Send(bytes[sent..]);
        }
    }

    /// <summary>Blocks until some bytes arrive (at least the low-water mark's, or as many as fit); throws when the peer closed.</summary>
    public int Receive(Span<byte> buffer)
    {
        var received = _socket.Receive(buffer);
        return received > 0 ? received : throw new IOException("the peer closed the connection");
    }

    /// <summary>
    /// SO_RCVLOWAT on Linux: a receive wakes when this many bytes are in (or as many as the buffer takes), one wake-up per
    /// MiB instead of per segment. The caller lowers it to 1 when fewer bytes than that are still to come.
    /// </summary>
    public void SetLowWater(int bytes)
    {
        if (bytes == _lowWater || !OperatingSystem.IsLinux())
        {
            return;
        }

        Span<byte> value = stackalloc byte[sizeof(int)];
        BitConverter.TryWriteBytes(value, bytes);
        _socket.SetRawSocketOption(1, 18, value); // SOL_SOCKET, SO_RCVLOWAT
        _lowWater = bytes;
    }

    public void Dispose() => _socket.Dispose();
}
