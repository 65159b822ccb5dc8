using System.Net;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TorrentPS.Engine.Peers;
using TorrentPS.Engine.Metainfo;

namespace TorrentPS.Engine.Wire;

/// <summary>
/// The operation behind <c>Invoke-PeerHandshake</c> and <c>tps handshake</c>: dial a peer, exchange
/// handshakes (and extension handshakes), report what it said, hang up.
/// </summary>
public sealed class PeerHandshaker
{
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    /// <param name="time">The clock of a batch's progress snapshots (a fake one in tests); the handshakes' own timeouts run on the system's.</param>
    public PeerHandshaker(ILoggerFactory? loggerFactory = null, TimeProvider? time = null)
    {
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggerFactory.CreateLogger<PeerConnection>();
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Handshakes with the peer at <paramref name="endPoint"/> for <paramref name="infoHash"/> and closes the connection.</summary>
    /// <exception cref="PeerException">Unreachable, timed out, another info hash, or a protocol error.</exception>
    public Task<PeerHandshake> HandshakeAsync(IPEndPoint endPoint, InfoHash infoHash, HandshakeOptions? options = null, CancellationToken cancellationToken = default)
        => HandshakeAsync(new TorrentPeer(endPoint.Address, endPoint.Port, infoHash, PeerSource.Manual), options, cancellationToken);

    /// <summary>Handshakes with <paramref name="peer"/> and hands the open connection over: the caller owns (and disposes) it.</summary>
    /// <exception cref="PeerException">Unreachable, timed out, another info hash, or a protocol error.</exception>
    internal Task<PeerConnection> ConnectAsync(TorrentPeer peer, HandshakeOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(peer);
        return PeerConnection.ConnectAsync(peer.IPEndPoint, peer.Hash, options, _logger, cancellationToken);
    }

    /// <summary>Handshakes with one peer and closes the connection.</summary>
    /// <exception cref="PeerException">Unreachable, timed out, another info hash, or a protocol error.</exception>
    public async Task<PeerHandshake> HandshakeAsync(TorrentPeer peer, HandshakeOptions? options = null, CancellationToken cancellationToken = default)
    {
        await using var connection = await ConnectAsync(peer, options, cancellationToken).ConfigureAwait(false);
        return new PeerHandshake(peer, connection.RemoteHandshake, connection.RemoteExtensionHandshake, connection.HandshakeElapsed);
    }

    /// <summary>
    /// Handshakes with every peer, at most <paramref name="throttleLimit"/> at once, yielding each
    /// outcome as it completes. A peer's failure is its outcome; the others go on.
    /// </summary>
    public IAsyncEnumerable<PeerHandshakeOutcome> HandshakeManyAsync(
        IEnumerable<TorrentPeer> peers,
        HandshakeOptions? options = null,
        int throttleLimit = 16,
        CancellationToken cancellationToken = default)
        => HandshakeManyAsync(peers, options, throttleLimit, progress: null, cancellationToken);

    /// <summary>
    /// <see cref="HandshakeManyAsync(IEnumerable{TorrentPeer}, HandshakeOptions?, int, CancellationToken)"/> that also
    /// reports the batch's progress: a <see cref="HandshakeBatchProgress"/> at the start and after every change,
    /// written to <paramref name="progress"/> with <c>TryWrite</c> (give an unbounded channel, or one that drops the
    /// oldest: the batch never waits for its reader), which is completed when the enumeration ends.
    /// </summary>
    public async IAsyncEnumerable<PeerHandshakeOutcome> HandshakeManyAsync(
        IEnumerable<TorrentPeer> peers,
        HandshakeOptions? options,
        int throttleLimit,
        ChannelWriter<HandshakeBatchProgress>? progress,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(peers);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(throttleLimit);
        var knownCount = peers.TryGetNonEnumeratedCount(out var count) ? count : (int?)null;
        var ledger = new HandshakeBatchLedger(knownCount, throttleLimit, (options ?? HandshakeOptions.Default).LongestDial, _time, progress);
        var results = Channel.CreateUnbounded<PeerHandshakeOutcome>(new UnboundedChannelOptions { SingleReader = true });
        var gate = new SemaphoreSlim(throttleLimit, throttleLimit); // not disposed: a late release after an early break must not throw
        var producer = Task.Run(
            async () =>
            {
                var running = new List<Task>();
                try
                {
                    foreach (var peer in peers)
                    {
                        if (knownCount is null)
                        {
                            ledger.Counted();
                        }

                        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
                        ledger.Starting(peer);
                        running.Add(RunOneAsync(peer));
                    }

                    ledger.AllCounted();
                    await Task.WhenAll(running).ConfigureAwait(false);
                    results.Writer.TryComplete();
                }
                catch (Exception ex)
                {
                    await Task.WhenAll(running).ConfigureAwait(false);
                    results.Writer.TryComplete(ex);
                }
            },
            CancellationToken.None);

        try
        {
            await foreach (var outcome in results.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return outcome;
            }

            await producer.ConfigureAwait(false);
        }
        finally
        {
            ledger.Complete();
        }

        async Task RunOneAsync(TorrentPeer peer)
        {
            try
            {
                var handshake = await HandshakeAsync(peer, options, cancellationToken).ConfigureAwait(false);
                ledger.Finished(peer, succeeded: true);
                results.Writer.TryWrite(new PeerHandshakeOutcome(peer, handshake, null));
            }
            catch (PeerException ex)
            {
                ledger.Finished(peer, succeeded: false);
                results.Writer.TryWrite(new PeerHandshakeOutcome(peer, null, ex));
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Stopping: no outcome for this peer.
                ledger.Abandoned(peer);
            }
            finally
            {
                gate.Release();
            }
        }
    }
}
