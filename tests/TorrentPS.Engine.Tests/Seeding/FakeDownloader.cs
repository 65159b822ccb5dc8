using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Peers;
using TorrentPS.Engine.Wire;

namespace TorrentPS.Engine.Tests.Seeding;

/// <summary>One message a <see cref="FakeDownloader"/> read: its type and body (after the type byte).</summary>
internal readonly record struct FakeMessage(PeerMessageType Type, byte[] Body)
{
    public int Index => BinaryPrimitives.ReadInt32BigEndian(Body);

    public int Begin => BinaryPrimitives.ReadInt32BigEndian(Body.AsSpan(4));

    /// <summary>A request's or reject's length; a piece's block length.</summary>
    public int Length => Type == PeerMessageType.Piece ? Body.Length - 8 : BinaryPrimitives.ReadInt32BigEndian(Body.AsSpan(8));

    public ReadOnlySpan<byte> Block => Body.AsSpan(8);
}

/// <summary>
/// A downloader played by the test over a raw socket: it dials a seeder, handshakes (with or without BEP 6), and then
/// says whatever the test wants, well-formed or not, and reads (or never reads) what comes back.
/// </summary>
internal sealed class FakeDownloader : IAsyncDisposable
{
    private readonly TcpClient _client;
    private readonly NetworkStream _stream;
    private readonly byte[] _header = new byte[5];

    private FakeDownloader(TcpClient client, HandshakeMessage remote)
    {
        _client = client;
        _stream = client.GetStream();
        RemoteHandshake = remote;
    }

    public HandshakeMessage RemoteHandshake { get; }

    /// <summary>The seeder's pieces as its bitfield or have all said (null until one of them was read).</summary>
    public Bitfield? SeederHas { get; private set; }

    public bool Unchoked { get; private set; }

    /// <summary>Dials <paramref name="seeder"/> and exchanges handshakes for <paramref name="infoHash"/>.</summary>
    /// <param name="receiveBuffer">A small receive buffer for a peer that means not to read.</param>
    /// <param name="peerId">The peer id it introduces itself with (a fresh one by default).</param>
    /// <param name="extensions">Advertise BEP 10 (the test sends its own extension handshake, or none).</param>
    public static async Task<FakeDownloader> ConnectAsync(IPEndPoint seeder, InfoHash infoHash, bool fast = true, int? receiveBuffer = null, PeerId? peerId = null, bool extensions = false)
    {
        var client = new TcpClient(AddressFamily.InterNetwork) { NoDelay = true };
        if (receiveBuffer is { } size)
        {
            client.ReceiveBufferSize = size;
        }

        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await client.ConnectAsync(seeder, timeout.Token);
            var stream = client.GetStream();
            var reserved = ReservedBits.Create(extensionProtocol: extensions, fastExtension: fast, dht: false);
            await stream.WriteAsync(new HandshakeMessage(reserved, infoHash, peerId ?? PeerId.Generate()).ToArray(), timeout.Token);
            var answer = new byte[HandshakeMessage.Length];
            await stream.ReadExactlyAsync(answer, timeout.Token);
            return new FakeDownloader(client, HandshakeMessage.Read(answer));
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    public static byte[] Signal(PeerMessageType type) => [0, 0, 0, 1, (byte)type];

    public static byte[] Request(int index, int begin, int length) => BlockReference(PeerMessageType.Request, index, begin, length);

    /// <summary>An extended message (BEP 10): <paramref name="id"/> 0 for the extension handshake.</summary>
    public static byte[] Extended(byte id, byte[] body)
    {
        var frame = new byte[6 + body.Length];
        BinaryPrimitives.WriteInt32BigEndian(frame, 2 + body.Length);
        frame[4] = (byte)PeerMessageType.Extended;
        frame[5] = id;
        body.CopyTo(frame, 6);
        return frame;
    }

    public static byte[] Cancel(int index, int begin, int length) => BlockReference(PeerMessageType.Cancel, index, begin, length);

    public static byte[] BlockReference(PeerMessageType type, int index, int begin, int length)
    {
        var frame = new byte[17];
        BinaryPrimitives.WriteInt32BigEndian(frame, 13);
        frame[4] = (byte)type;
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(5), index);
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(9), begin);
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(13), length);
        return frame;
    }

    public async Task SendAsync(params byte[][] frames)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _stream.WriteAsync(frames.SelectMany(f => f).ToArray(), timeout.Token);
    }

    /// <summary>Reads the next message (keep-alives skipped); null when the seeder hung up.</summary>
    public async Task<FakeMessage?> ReadAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout > TimeSpan.Zero ? timeout : TimeSpan.Zero);
        while (true)
        {
            try
            {
                if (!await FillAsync(_header.AsMemory(0, 4), cancel.Token))
                {
                    return null;
                }

                var length = BinaryPrimitives.ReadInt32BigEndian(_header);
                if (length == 0)
                {
                    continue;
                }

                if (!await FillAsync(_header.AsMemory(4, 1), cancel.Token))
                {
                    return null;
                }

                var body = new byte[length - 1];
                if (!await FillAsync(body, cancel.Token))
                {
                    return null;
                }

                var message = new FakeMessage((PeerMessageType)_header[4], body);
                Track(message);
                return message;
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"The seeder sent nothing for {timeout}.");
            }
            catch (IOException)
            {
                return null;
            }
        }
    }

    /// <summary>Reads until a message of <paramref name="type"/> comes; fails when the seeder hangs up first.</summary>
    public async Task<FakeMessage> ReadUntilAsync(PeerMessageType type, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var message = await ReadAsync(deadline - DateTime.UtcNow) ?? throw new InvalidOperationException($"The seeder hung up before sending {type}.");
            if (message.Type == type)
            {
                return message;
            }
        }
    }

    /// <summary>Says interested and waits for the seeder's unchoke.</summary>
    public async Task InterestedAndUnchokedAsync(TimeSpan timeout)
    {
        await SendAsync(Signal(PeerMessageType.Interested));
        if (!Unchoked)
        {
            await ReadUntilAsync(PeerMessageType.Unchoke, timeout);
        }
    }

    /// <summary>Reads and drops everything until the seeder hangs up; true if it did within <paramref name="timeout"/>.</summary>
    public async Task<bool> ClosedWithinAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        try
        {
            while (await ReadAsync(deadline - DateTime.UtcNow) is not null)
            {
            }

            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }

    private void Track(FakeMessage message)
    {
        switch (message.Type)
        {
            case PeerMessageType.Unchoke:
                Unchoked = true;
                break;
            case PeerMessageType.Choke:
                Unchoked = false;
                break;
            case PeerMessageType.Bitfield when SeederHas is null:
                SeederHas = new Bitfield(message.Body.Length * 8, message.Body);
                break;
            case PeerMessageType.HaveAll:
                SeederHas = null;
                HaveAll = true;
                break;
        }
    }

    /// <summary>The seeder said have all.</summary>
    public bool HaveAll { get; private set; }

    private async Task<bool> FillAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        while (!buffer.IsEmpty)
        {
            var read = await _stream.ReadAsync(buffer, cancellationToken);
            if (read == 0)
            {
                return false;
            }

            buffer = buffer[read..];
        }

        return true;
    }
}
