using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TorrentPS.Engine.Metainfo;

namespace TorrentPS.Engine.Wire;

/// <summary>
/// An awaitable view of one <see cref="PeerWire"/>, for tools and tests that talk to a single peer
/// (<c>Invoke-PeerHandshake</c>, <c>tps handshake</c>): the handshake (and, when both sides support it, the peer's
/// extension handshake) is awaited on a thread of its own, messages already received are returned without blocking
/// anybody, and a read that must wait runs on a thread of its own. Messages the peer sent before its extension
/// handshake are replayed in order by <see cref="ReadMessageAsync"/>. The swarm does not use this type: it owns
/// <see cref="PeerWire"/>s on their own threads.
/// </summary>
internal sealed class PeerConnection : IAsyncDisposable
{
    private readonly PeerWire _wire;
    private int _reading;

    private PeerConnection(PeerWire wire) => _wire = wire;

    public IPEndPoint RemoteEndPoint => _wire.RemoteEndPoint;

    public InfoHash InfoHash => _wire.InfoHash;

    public HandshakeOptions Options => _wire.Options;

    /// <summary>We dialled the peer (false: it dialled our listener).</summary>
    public bool IsOutgoing => _wire.IsOutgoing;

    /// <summary>The reserved bits we sent.</summary>
    public ReservedBits LocalReserved => _wire.LocalReserved;

    /// <summary>The peer's handshake: its reserved bits and peer id.</summary>
    public HandshakeMessage RemoteHandshake => _wire.RemoteHandshake;

    /// <summary>The peer's BEP 10 extension handshake, when one was exchanged.</summary>
    public ExtensionHandshake? RemoteExtensionHandshake => _wire.RemoteExtensionHandshake;

    /// <summary>Both sides set the extension-protocol bit.</summary>
    public bool ExtensionProtocol => _wire.ExtensionProtocol;

    /// <summary>Both sides set the fast-extension bit.</summary>
    public bool FastExtension => _wire.FastExtension;

    /// <summary>What this connection accepts, from the negotiated extensions and the piece count.</summary>
    public PeerMessageLimits Limits => _wire.Limits;

    /// <summary>How long the handshakes took, from the first byte sent or received.</summary>
    public TimeSpan HandshakeElapsed => _wire.HandshakeElapsed;

    public bool IsClosed => _wire.IsClosed;

    /// <summary>Dials <paramref name="endPoint"/>, exchanges handshakes for <paramref name="infoHash"/> and returns the open connection.</summary>
    /// <exception cref="PeerUnreachableException">Refused, unreachable, or closed during the handshake.</exception>
    /// <exception cref="PeerTimeoutException">No connection or no answer in time.</exception>
    /// <exception cref="InfoHashMismatchException">The peer answered for another torrent.</exception>
    /// <exception cref="PeerProtocolException">The peer's answer is not a BitTorrent handshake.</exception>
    public static async Task<PeerConnection> ConnectAsync(IPEndPoint endPoint, InfoHash infoHash, HandshakeOptions? options = null, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        ArgumentNullException.ThrowIfNull(infoHash);
        options ??= HandshakeOptions.Default;
        logger ??= NullLogger.Instance;
        var wire = await ConnectionThread.RunAsync($"TorrentPS handshake {endPoint}", () =>
            AwaitExtensionHandshake(HandshakeExchange.Dial(endPoint, infoHash, options, logger, cancellationToken), cancellationToken)).ConfigureAwait(false);
        return new PeerConnection(wire);
    }

    /// <summary>
    /// Runs the answering side of the handshake on an accepted socket: reads the peer's handshake, asks
    /// <paramref name="lookup"/> whether we serve its info hash (null: hang up), answers, and exchanges extension handshakes.
    /// </summary>
    public static async Task<PeerConnection> AcceptAsync(Socket socket, Func<InfoHash, HandshakeOptions?> lookup, TimeSpan handshakeTimeout, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(socket);
        ArgumentNullException.ThrowIfNull(lookup);
        logger ??= NullLogger.Instance;
        var wire = await ConnectionThread.RunAsync("TorrentPS incoming handshake", () =>
            AwaitExtensionHandshake(HandshakeExchange.Accept(socket, lookup, handshakeTimeout, logger, cancellationToken), cancellationToken)).ConfigureAwait(false);
        return new PeerConnection(wire);
    }

    /// <summary>Wraps a connection whose handshakes are done (the listener's), waiting for the peer's extension handshake when it is due.</summary>
    internal static PeerConnection FromWire(PeerWire wire, CancellationToken cancellationToken) => new(AwaitExtensionHandshake(wire, cancellationToken));

    private static PeerWire AwaitExtensionHandshake(PeerWire wire, CancellationToken cancellationToken)
    {
        if (!wire.ExtensionProtocol || !wire.Options.ExchangeExtensionHandshake)
        {
            return wire;
        }

        using var cancel = cancellationToken.UnsafeRegister(static w => ((PeerWire)w!).Close("cancelled"), wire);
        try
        {
            wire.ReadUntilExtensionHandshake(wire.Options.HandshakeTimeout);
            return wire;
        }
        catch (PeerException) when (cancellationToken.IsCancellationRequested)
        {
            wire.Dispose();
            throw new OperationCanceledException(cancellationToken);
        }
        catch
        {
            wire.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Reads the next message. Its payload is valid until the next call. A message already received returns at once
    /// (allocating nothing); otherwise the wait runs on a thread of its own. One read at a time.
    /// </summary>
    /// <exception cref="PeerProtocolException">The peer broke the protocol; the connection is closed.</exception>
    /// <exception cref="PeerTimeoutException">The peer stalled in the middle of a message; the connection is closed.</exception>
    /// <exception cref="PeerUnreachableException">The peer closed the connection.</exception>
    public ValueTask<PeerMessage> ReadMessageAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_wire.TryReadBuffered(out var message))
        {
            return new ValueTask<PeerMessage>(message);
        }

        return new ValueTask<PeerMessage>(ReadWaitingAsync(cancellationToken));
    }

    private Task<PeerMessage> ReadWaitingAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _reading, 1) != 0)
        {
            throw new InvalidOperationException("Another read is in progress on this connection.");
        }

        return ConnectionThread.RunAsync($"TorrentPS read {RemoteEndPoint}", () =>
        {
            using var cancel = cancellationToken.UnsafeRegister(static w => ((PeerWire)w!).Close("cancelled"), _wire);
            try
            {
                return _wire.ReadMessage();
            }
            catch (PeerException) when (cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException(cancellationToken);
            }
            finally
            {
                Volatile.Write(ref _reading, 0);
                if (_wire.IsClosed)
                {
                    _wire.Dispose();
                }
            }
        });
    }

    public ValueTask SendSignalAsync(PeerMessageType type, CancellationToken cancellationToken = default)
    {
        if (type is PeerMessageType.HaveAll or PeerMessageType.HaveNone ? !FastExtension : type is not (PeerMessageType.Choke or PeerMessageType.Unchoke or PeerMessageType.Interested or PeerMessageType.NotInterested))
        {
            throw new ArgumentException($"{type} is not a message without a body this connection may send.", nameof(type));
        }

        return Send(type, static (span, t) => t switch
        {
            PeerMessageType.Choke => PeerMessageEncoder.WriteChoke(span),
            PeerMessageType.Unchoke => PeerMessageEncoder.WriteUnchoke(span),
            PeerMessageType.Interested => PeerMessageEncoder.WriteInterested(span),
            PeerMessageType.NotInterested => PeerMessageEncoder.WriteNotInterested(span),
            PeerMessageType.HaveAll => PeerMessageEncoder.WriteHaveAll(span),
            _ => PeerMessageEncoder.WriteHaveNone(span),
        }, cancellationToken);
    }

    public ValueTask SendHaveAsync(int index, CancellationToken cancellationToken = default)
        => Send(index, static (span, i) => PeerMessageEncoder.WriteHave(span, i), cancellationToken);

    public ValueTask SendRequestAsync(int index, int begin, int length, CancellationToken cancellationToken = default)
        => Send((index, begin, length), static (span, r) => PeerMessageEncoder.WriteRequest(span, r.index, r.begin, r.length), cancellationToken);

    /// <summary>Sends a block: the 13-byte header and the block in one write.</summary>
    public ValueTask SendPieceAsync(int index, int begin, ReadOnlyMemory<byte> block, CancellationToken cancellationToken = default)
    {
        var frame = ArrayPool<byte>.Shared.Rent(PeerMessageEncoder.PieceHeaderSize + block.Length);
        try
        {
            return Send(frame.AsSpan(0, PeerMessageEncoder.WritePiece(frame, index, begin, block.Span)), cancellationToken);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(frame);
        }
    }

    /// <summary>Sends extended message <paramref name="extendedId"/> (the peer's id for the extension) with a bencoded body.</summary>
    public ValueTask SendExtendedAsync(byte extendedId, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        if (!ExtensionProtocol)
        {
            throw new InvalidOperationException("The extension protocol was not negotiated on this connection.");
        }

        cancellationToken.ThrowIfCancellationRequested();
        _wire.SendExtended(extendedId, payload.Span);
        return ValueTask.CompletedTask;
    }

    /// <summary>Closes the connection; a read in progress fails at once.</summary>
    public ValueTask CloseAsync(string reason)
    {
        _wire.Close(reason);
        if (Volatile.Read(ref _reading) == 0)
        {
            _wire.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => CloseAsync("disposed");

    private delegate int MessageWriter<TState>(Span<byte> destination, TState state);

    private ValueTask Send<TState>(TState state, MessageWriter<TState> write, CancellationToken cancellationToken)
    {
        Span<byte> frame = stackalloc byte[32];
        return Send(frame[..write(frame, state)], cancellationToken);
    }

    // Sends are small or rare here (tools and tests); a blocking send of a few bytes returns at once.
    private ValueTask Send(ReadOnlySpan<byte> frame, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        _wire.Send(frame);
        return ValueTask.CompletedTask;
    }

}
