using Microsoft.Extensions.Logging;
using TorrentPS.Engine.Dht;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Peers;

namespace TorrentPS.Engine.Swarm;

/// <summary>
/// The DHT side of one public torrent (BEP 5): a lookup when it starts (<c>get_peers</c>, then <c>announce_peer</c> with
/// our listen port to the closest nodes), again every 15 to 30 minutes, and sooner when the loop says it needs peers
/// (<see cref="RequestPeers"/>, never within a minute of the last lookup). The loop owns the pace (its ticks call
/// <see cref="Tick"/>); a lookup itself runs off the loop and hands the peers it finds to <c>found</c>, which posts them
/// to the loop. Never used for a private torrent.
/// </summary>
internal sealed class DhtPeerSearch : IAsyncDisposable
{
    /// <summary>The least time between two lookups, however often the loop asks.</summary>
    public static readonly TimeSpan MinLookupInterval = TimeSpan.FromMinutes(1);

    private readonly Func<CancellationToken, Task> _prepare;
    private readonly Func<CancellationToken, Task<string>> _lookup;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _name;
    private readonly CancellationTokenSource _stop = new();
    private Task _running = Task.CompletedTask;
    private bool _prepared;
    private bool _wanted;
    private long? _lastStartedAt;
    private TimeSpan _interval;
    private int _lookups;

    /// <param name="port">Our listen port, announced; 0 when we do not listen (then peers are only looked up).</param>
    /// <param name="torrentNodes">The torrent's own <c>nodes</c> (BEP 5), added to the routing table before the first lookup.</param>
    /// <param name="found">Takes the peers a lookup finds, from the DHT's receive thread: post them on, do not block.</param>
    public DhtPeerSearch(DhtNode dht, InfoHash infoHash, int port, IReadOnlyList<string> torrentNodes, Action<IReadOnlyList<TorrentPeer>> found, TimeProvider time, ILogger logger, string name)
        : this(
            stop => torrentNodes.Count > 0 ? dht.AddNodesAsync(torrentNodes, stop) : Task.CompletedTask,
            async stop =>
            {
                if (port > 0)
                {
                    var result = await dht.AnnounceAsync(infoHash, port, onPeers: found, cancellationToken: stop).ConfigureAwait(false);
                    return $"found {Text.Units.Count(result.PeersFound, "peer")}, announced to {Text.Units.Count(result.NodesAnnouncedTo, "node")} ({result.NodesQueried} queried)";
                }

                return $"found {Text.Units.Count(await dht.LookupPeersAsync(infoHash, found, stop).ConfigureAwait(false), "peer")}";
            },
            time,
            logger,
            name)
    {
    }

    /// <summary>The pace around any lookup (tests give their own).</summary>
    /// <param name="prepare">Runs once, before the first lookup (the torrent's own nodes into the routing table).</param>
    /// <param name="lookup">One lookup; returns what it did, for the log.</param>
    internal DhtPeerSearch(Func<CancellationToken, Task> prepare, Func<CancellationToken, Task<string>> lookup, TimeProvider time, ILogger logger, string name)
    {
        _prepare = prepare;
        _lookup = lookup;
        _time = time;
        _logger = logger;
        _name = name;
    }

    /// <summary>Lookups finished so far (read from any thread).</summary>
    public int Lookups => Volatile.Read(ref _lookups);

    /// <summary>A lookup is running now.</summary>
    public bool IsLookingUp => !_running.IsCompleted;

    /// <summary>The loop needs peers: a lookup at the next tick that is a minute or more after the last one.</summary>
    public void RequestPeers() => _wanted = true;

    /// <summary>The loop's clock: starts a lookup when one is due (the first at once).</summary>
    public void Tick(long now)
    {
        if (!_running.IsCompleted || _stop.IsCancellationRequested)
        {
            return;
        }

        if (_lastStartedAt is { } last)
        {
            var since = _time.GetElapsedTime(last, now);
            if (since < MinLookupInterval || (since < _interval && !_wanted))
            {
                return;
            }
        }

        _wanted = false;
        _lastStartedAt = now;
        _interval = TimeSpan.FromMinutes(15 + (Random.Shared.NextDouble() * 15));
        _running = RunAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _running.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    private async Task RunAsync()
    {
        // Off the loop's thread from the start: the loop only decided.
        await Task.Yield();
        var stop = _stop.Token;
        try
        {
            if (!_prepared)
            {
                _prepared = true;
                await _prepare(stop).ConfigureAwait(false);
            }

            _logger.LogDebug("{Torrent}: DHT lookup {What}", _name, await _lookup(stop).ConfigureAwait(false));
        }
        catch (Exception ex) when (!stop.IsCancellationRequested)
        {
            _logger.LogDebug("{Torrent}: DHT lookup failed: {Reason}", _name, ex.Message);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
        finally
        {
            Interlocked.Increment(ref _lookups);
        }
    }
}
