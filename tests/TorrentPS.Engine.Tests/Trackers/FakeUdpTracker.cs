using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace TorrentPS.Engine.Tests.Trackers;

/// <summary>
/// A scripted BEP 15 tracker on 127.0.0.1. The handler sees each datagram (with its arrival time) and returns the
/// datagrams to send back: none, stray ones, truncated ones, right ones.
/// </summary>
internal sealed class FakeUdpTracker : IAsyncDisposable
{
    private readonly UdpClient _socket = new(new IPEndPoint(IPAddress.Loopback, 0));
    private readonly Func<byte[], IEnumerable<byte[]>> _handler;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public FakeUdpTracker(Func<byte[], IEnumerable<byte[]>> handler)
    {
        _handler = handler;
        _loop = LoopAsync();
    }

    public string AnnounceUrl => $"udp://127.0.0.1:{((IPEndPoint)_socket.Client.LocalEndPoint!).Port}/announce";

    /// <summary>Every datagram received, with the time it arrived.</summary>
    public ConcurrentQueue<(byte[] Datagram, TimeSpan At)> Received { get; } = new();

    public Stopwatch Clock { get; } = Stopwatch.StartNew();

    public static int Action(byte[] request) => request.Length >= 12 ? BinaryPrimitives.ReadInt32BigEndian(request.AsSpan(8)) : -1;

    public static int TransactionId(byte[] request) => BinaryPrimitives.ReadInt32BigEndian(request.AsSpan(12));

    public static long ConnectionId(byte[] request) => BinaryPrimitives.ReadInt64BigEndian(request);

    public static byte[] ConnectResponse(int transactionId, long connectionId)
    {
        var packet = new byte[16];
        BinaryPrimitives.WriteInt32BigEndian(packet, 0);
        BinaryPrimitives.WriteInt32BigEndian(packet.AsSpan(4), transactionId);
        BinaryPrimitives.WriteInt64BigEndian(packet.AsSpan(8), connectionId);
        return packet;
    }

    public static byte[] AnnounceResponse(int transactionId, int interval, int leechers, int seeders, params IPEndPoint[] peers)
    {
        var compact = TorrentPS.Engine.Trackers.CompactPeers.Write(peers, 6);
        var packet = new byte[20 + compact.Length];
        BinaryPrimitives.WriteInt32BigEndian(packet, 1);
        BinaryPrimitives.WriteInt32BigEndian(packet.AsSpan(4), transactionId);
        BinaryPrimitives.WriteInt32BigEndian(packet.AsSpan(8), interval);
        BinaryPrimitives.WriteInt32BigEndian(packet.AsSpan(12), leechers);
        BinaryPrimitives.WriteInt32BigEndian(packet.AsSpan(16), seeders);
        compact.CopyTo(packet, 20);
        return packet;
    }

    public static byte[] ScrapeResponse(int transactionId, int seeders, int completed, int leechers)
    {
        var packet = new byte[20];
        BinaryPrimitives.WriteInt32BigEndian(packet, 2);
        BinaryPrimitives.WriteInt32BigEndian(packet.AsSpan(4), transactionId);
        BinaryPrimitives.WriteInt32BigEndian(packet.AsSpan(8), seeders);
        BinaryPrimitives.WriteInt32BigEndian(packet.AsSpan(12), completed);
        BinaryPrimitives.WriteInt32BigEndian(packet.AsSpan(16), leechers);
        return packet;
    }

    public static byte[] ErrorResponse(int transactionId, string message)
    {
        var text = System.Text.Encoding.UTF8.GetBytes(message);
        var packet = new byte[8 + text.Length];
        BinaryPrimitives.WriteInt32BigEndian(packet, 3);
        BinaryPrimitives.WriteInt32BigEndian(packet.AsSpan(4), transactionId);
        text.CopyTo(packet, 8);
        return packet;
    }

    /// <summary>A handler that answers connect and announce like a well-behaved tracker.</summary>
    public static IEnumerable<byte[]> WellBehaved(byte[] request, params IPEndPoint[] peers) => Action(request) switch
    {
        0 => [ConnectResponse(TransactionId(request), 0x1122334455667788)],
        1 => [AnnounceResponse(TransactionId(request), 1800, 3, 5, peers)],
        2 => [ScrapeResponse(TransactionId(request), 5, 9, 3)],
        _ => [],
    };

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _socket.Dispose();
        try
        {
            await _loop;
        }
        catch (Exception)
        {
            // Shutting down.
        }

        _stop.Dispose();
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            UdpReceiveResult received;
            try
            {
                received = await _socket.ReceiveAsync(_stop.Token);
            }
            catch (Exception)
            {
                return;
            }

            Received.Enqueue((received.Buffer, Clock.Elapsed));
            foreach (var reply in _handler(received.Buffer))
            {
                await _socket.SendAsync(reply, received.RemoteEndPoint, _stop.Token);
            }
        }
    }
}
