using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TorrentPS.Engine.Metainfo;

namespace TorrentPS.Engine.LocalDiscovery;

/// <summary>
/// Local service discovery (BEP 14) for the session: joins the LSD multicast groups, announces the torrents it is given
/// with our listen port (see <see cref="LocalAnnounceSchedule"/> for the pace), and reports the peers that announce
/// torrents we have through <see cref="Found"/>, each (torrent, address) at most once a minute. Its own announces come
/// back through multicast loopback and are known by their cookie. Datagrams are read strictly
/// (<see cref="BtSearchMessage"/>), and each sender address may have only so many read a minute. Private torrents
/// (BEP 27) are never given to it. Methods may be called from any thread.
/// </summary>
internal sealed class LocalPeerDiscovery : IAsyncDisposable
{
    private readonly LocalDiscoveryOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly object _lock = new();
    private readonly HashSet<InfoHash> _torrents = new();
    private readonly Dictionary<(InfoHash, IPEndPoint), long> _reported = new();
    private readonly Dictionary<IPAddress, (double Tokens, long At)> _senders = new();
    private readonly Channel<LocalPeerFound> _found = Channel.CreateBounded<LocalPeerFound>(new BoundedChannelOptions(1024) { FullMode = BoundedChannelFullMode.DropWrite, SingleWriter = false });
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Group> _groups = new();
    private readonly List<Task> _loops = new();
    private LocalAnnounceSchedule? _schedule;
    private int _listenPort;
    private long _announcesSent;
    private long _ownAnnouncesIgnored;
    private long _datagramsRefused;
    private bool _started;
    private bool _disposed;

    /// <summary>The test process sets this: then only a configuration that keeps every datagram on this host may start.</summary>
    internal static bool RequireLoopback { get; set; }

    /// <summary>Test hook: told what became of each datagram read (on the receiving thread).</summary>
    internal Action<LocalDatagramOutcome, IPEndPoint>? Observed { get; set; }

    /// <param name="listenPort">The port we accept BitTorrent connections on (the <c>Port</c> we announce).</param>
    public LocalPeerDiscovery(int listenPort, LocalDiscoveryOptions? options = null, TimeProvider? time = null, ILogger<LocalPeerDiscovery>? logger = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(listenPort, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(listenPort, 65535);
        _listenPort = listenPort;
        _options = options ?? LocalDiscoveryOptions.Default;
        _time = time ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        Cookie = Convert.ToHexString(RandomNumberGenerator.GetBytes(8)).ToLowerInvariant();
        if (RequireLoopback && !_options.StaysOnThisHost)
        {
            throw new InvalidOperationException("Local discovery in this process must keep every datagram on this host: use LocalDiscoveryOptions.LoopbackOnly or the loopback stand-in.");
        }
    }

    /// <summary>Our cookie: announces that carry it are our own.</summary>
    public string Cookie { get; }

    /// <summary>The port we announce; the session changes it if it moves its listener.</summary>
    public int ListenPort
    {
        get => Volatile.Read(ref _listenPort);
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 65535);
            Volatile.Write(ref _listenPort, value);
        }
    }

    /// <summary>Peers that announced a torrent we announce (bounded: when nobody reads, the newest are dropped).</summary>
    public ChannelReader<LocalPeerFound> Found => _found.Reader;

    /// <summary>Where we send announces (each group we joined, or the stand-in destination); empty until started or when none works.</summary>
    public IReadOnlyList<IPEndPoint> Groups
    {
        get
        {
            lock (_lock)
            {
                return _groups.Where(g => g.CanSend).Select(g => g.Destination).ToArray();
            }
        }
    }

    /// <summary>Datagrams sent so far.</summary>
    public long AnnouncesSent => Interlocked.Read(ref _announcesSent);

    /// <summary>Our own announces heard back (and ignored) so far.</summary>
    public long OwnAnnouncesIgnored => Interlocked.Read(ref _ownAnnouncesIgnored);

    /// <summary>Datagrams not read: malformed, or over a sender's allowance.</summary>
    public long DatagramsRefused => Interlocked.Read(ref _datagramsRefused);

    /// <summary>
    /// Opens the sockets (joins the groups) and starts announcing and listening. A group that cannot be joined is left
    /// out with a log line; when none can, local discovery does nothing (and says so in the log).
    /// </summary>
    public void Start()
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_started)
            {
                return;
            }

            _started = true;
            OpenGroups();
            var spacing = (long)(_options.DatagramInterval.TotalSeconds * _time.TimestampFrequency);
            var interval = (long)(_options.AnnounceInterval.TotalSeconds * _time.TimestampFrequency);
            var fit = _groups.Count == 0 ? 1 : _groups.Min(g => BtSearchMessage.MaxInfoHashes(g.Host, Cookie));
            _schedule = new LocalAnnounceSchedule(interval, spacing, Math.Max(1, _groups.Count), fit);
            foreach (var hash in _torrents)
            {
                _schedule.Add(hash, _time.GetTimestamp());
            }

            if (_groups.Count == 0)
            {
                _logger.LogWarning("Local peer discovery is off: no multicast group could be joined");
                return;
            }

            foreach (var group in _groups)
            {
                _loops.Add(Task.Run(() => ReceiveLoopAsync(group, _stop.Token)));
            }

            _loops.Add(Task.Run(() => AnnounceLoopAsync(_stop.Token)));
        }
    }

    /// <summary>Starts announcing a torrent (now, then every announce interval) and reporting the peers that announce it.</summary>
    public void Announce(InfoHash infoHash)
    {
        ArgumentNullException.ThrowIfNull(infoHash);
        lock (_lock)
        {
            if (_torrents.Add(infoHash))
            {
                _schedule?.Add(infoHash, _time.GetTimestamp());
            }
        }

        _wake.Writer.TryWrite(true);
    }

    /// <summary>Stops announcing a torrent and reporting its peers.</summary>
    public void Withdraw(InfoHash infoHash)
    {
        ArgumentNullException.ThrowIfNull(infoHash);
        lock (_lock)
        {
            _torrents.Remove(infoHash);
            _schedule?.Remove(infoHash);
        }
    }

    /// <summary>Stops both loops and closes the sockets; <see cref="Found"/> completes.</summary>
    public async ValueTask DisposeAsync()
    {
        Task[] loops;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            loops = _loops.ToArray();
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        foreach (var group in _groups)
        {
            group.Socket.Dispose();
        }

        try
        {
            await Task.WhenAll(loops).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // The loops end by these when the token is cancelled and the sockets close under them.
        }

        _found.Writer.TryComplete();
        _stop.Dispose();
    }

    /// <summary>Reads one datagram (the receive loop calls this; tests call it directly).</summary>
    internal void Handle(ReadOnlySpan<byte> datagram, IPEndPoint sender)
    {
        var address = sender.Address.IsIPv4MappedToIPv6 ? sender.Address.MapToIPv4() : sender.Address;
        var now = _time.GetTimestamp();
        lock (_lock)
        {
            if (!TakeAllowance(address, now))
            {
                Interlocked.Increment(ref _datagramsRefused);
                Observed?.Invoke(LocalDatagramOutcome.OverAllowance, sender);
                return;
            }
        }

        if (!BtSearchMessage.TryParse(datagram, out var message, out var error))
        {
            Interlocked.Increment(ref _datagramsRefused);
            _logger.LogDebug("Ignored a local discovery datagram from {Sender}: {Reason}", address, error);
            Observed?.Invoke(LocalDatagramOutcome.Malformed, sender);
            return;
        }

        if (message.Cookie == Cookie)
        {
            Interlocked.Increment(ref _ownAnnouncesIgnored);
            Observed?.Invoke(LocalDatagramOutcome.Own, sender);
            return;
        }

        var reported = 0;

        var endPoint = new IPEndPoint(address, message.Port);
        var repeatAfter = (long)(_options.RepeatReportAfter.TotalSeconds * _time.TimestampFrequency);
        lock (_lock)
        {
            foreach (var hash in message.InfoHashes)
            {
                if (!_torrents.Contains(hash))
                {
                    continue;
                }

                if (_reported.TryGetValue((hash, endPoint), out var at) && now - at < repeatAfter)
                {
                    continue;
                }

                if (_reported.Count >= 4096)
                {
                    Prune(_reported, now, repeatAfter);
                }

                _reported[(hash, endPoint)] = now;
                if (_found.Writer.TryWrite(new LocalPeerFound(hash, endPoint)))
                {
                    reported++;
                    _logger.LogDebug("Local peer {EndPoint} announced {InfoHash}", endPoint, hash);
                }
            }
        }

        Observed?.Invoke(reported > 0 ? LocalDatagramOutcome.Reported : LocalDatagramOutcome.NothingNew, sender);
    }

    /// <summary>A sender's allowance of datagrams: a bucket of <see cref="LocalDiscoveryOptions.MaxDatagramsPerSenderPerMinute"/> refilled over a minute.</summary>
    private bool TakeAllowance(IPAddress sender, long now)
    {
        var max = _options.MaxDatagramsPerSenderPerMinute;
        var minute = 60 * _time.TimestampFrequency;
        if (!_senders.TryGetValue(sender, out var bucket))
        {
            if (_senders.Count >= 256)
            {
                foreach (var (key, value) in _senders.ToArray())
                {
                    if (now - value.At >= minute)
                    {
                        _senders.Remove(key);
                    }
                }

                if (_senders.Count >= 256)
                {
                    return false; // many senders at once: read none of the new ones until the old ones age out
                }
            }

            bucket = (max, now);
        }

        var tokens = Math.Min(max, bucket.Tokens + ((now - bucket.At) * (double)max / minute));
        if (tokens < 1)
        {
            _senders[sender] = (tokens, now);
            return false;
        }

        _senders[sender] = (tokens - 1, now);
        return true;
    }

    private static void Prune(Dictionary<(InfoHash, IPEndPoint), long> reported, long now, long age)
    {
        foreach (var (key, at) in reported.ToArray())
        {
            if (now - at >= age)
            {
                reported.Remove(key);
            }
        }

        if (reported.Count >= 4096)
        {
            reported.Clear();
        }
    }

    private async Task AnnounceLoopAsync(CancellationToken cancellationToken)
    {
        var batch = new List<InfoHash>();
        while (!cancellationToken.IsCancellationRequested)
        {
            int group;
            long? next;
            bool take;
            lock (_lock)
            {
                var now = _time.GetTimestamp();
                take = _schedule!.TryTake(now, out group, batch);
                next = take ? null : _schedule.NextAt();
            }

            if (take)
            {
                await SendAsync(_groups[group], batch, cancellationToken).ConfigureAwait(false);
                continue;
            }

            var wait = next is { } at ? _time.GetElapsedTime(_time.GetTimestamp(), at) : Timeout.InfiniteTimeSpan;
            if (wait == TimeSpan.Zero || (wait < TimeSpan.Zero && wait != Timeout.InfiniteTimeSpan))
            {
                wait = TimeSpan.FromTicks(1);
            }

            using var timer = new CancellationTokenSource();
            using var delay = wait == Timeout.InfiniteTimeSpan
                ? null
                : _time.CreateTimer(static s => ((CancellationTokenSource)s!).Cancel(), timer, wait, Timeout.InfiniteTimeSpan);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
            try
            {
                await _wake.Reader.ReadAsync(linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // The wait ran out: something is due.
            }
        }
    }

    private async Task SendAsync(Group group, List<InfoHash> batch, CancellationToken cancellationToken)
    {
        if (!group.CanSend || batch.Count == 0)
        {
            return;
        }

        var datagram = new BtSearchMessage(group.Host, ListenPort, batch.ToArray(), Cookie).ToArray();
        try
        {
            await group.Socket.SendToAsync(datagram, SocketFlags.None, group.Destination, cancellationToken).ConfigureAwait(false);
            Interlocked.Increment(ref _announcesSent);
            _logger.LogDebug("Announced {Count} torrent(s) to {Group}", batch.Count, group.Destination);
        }
        catch (SocketException ex)
        {
            group.CanSend = false;
            _logger.LogWarning("Local peer discovery stops sending to {Group}: {Reason}", group.Destination, ex.Message);
        }
    }

    private async Task ReceiveLoopAsync(Group group, CancellationToken cancellationToken)
    {
        var buffer = new byte[BtSearchMessage.MaxDatagramLength + 1];
        EndPoint any = group.Socket.AddressFamily == AddressFamily.InterNetworkV6 ? new IPEndPoint(IPAddress.IPv6Any, 0) : new IPEndPoint(IPAddress.Any, 0);
        while (!cancellationToken.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await group.Socket.ReceiveFromAsync(buffer, SocketFlags.None, any, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException ex) when (!cancellationToken.IsCancellationRequested)
            {
                // An ICMP error for an earlier send (Windows reports those here): the socket still works.
                _logger.LogDebug("Local peer discovery receive on {Group}: {Reason}", group.Destination, ex.Message);
                continue;
            }

            if (received.ReceivedBytes > BtSearchMessage.MaxDatagramLength)
            {
                Interlocked.Increment(ref _datagramsRefused);
                continue;
            }

            Handle(buffer.AsSpan(0, received.ReceivedBytes), (IPEndPoint)received.RemoteEndPoint);
        }
    }

    private void OpenGroups()
    {
        if (_options.StandInBind is { } bind)
        {
            var destination = _options.StandInDestination ?? throw new InvalidOperationException("The loopback stand-in needs a destination.");
            if (!IPAddress.IsLoopback(bind.Address) || !IPAddress.IsLoopback(destination.Address))
            {
                throw new InvalidOperationException("The local discovery stand-in binds and sends only on loopback addresses.");
            }

            var socket = new Socket(bind.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            socket.Bind(bind);
            var stoodFor = bind.AddressFamily == AddressFamily.InterNetworkV6 ? LocalDiscoveryOptions.IPv6Group : LocalDiscoveryOptions.IPv4Group;
            _groups.Add(new Group(socket, destination, HostHeader(stoodFor, _options.Port)));
            return;
        }

        if (_options.UseIPv4)
        {
            TryOpen(AddressFamily.InterNetwork);
        }

        if (_options.UseIPv6 && Socket.OSSupportsIPv6)
        {
            TryOpen(AddressFamily.InterNetworkV6);
        }
    }

    private void TryOpen(AddressFamily family)
    {
        var v6 = family == AddressFamily.InterNetworkV6;
        var groupAddress = v6 ? LocalDiscoveryOptions.IPv6Group : LocalDiscoveryOptions.IPv4Group;
        var socket = new Socket(family, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            // Others on this host (another client, another session) listen on the same port: share it.
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            if (v6)
            {
                socket.DualMode = false;
                socket.Bind(new IPEndPoint(IPAddress.IPv6Any, _options.Port));
                socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.AddMembership, new IPv6MulticastOption(groupAddress, _options.IPv6InterfaceIndex));
                socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.MulticastInterface, _options.IPv6InterfaceIndex);
                socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.MulticastTimeToLive, _options.MulticastHops);
                socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.MulticastLoopback, true);
            }
            else
            {
                var local = _options.IPv4Interface ?? IPAddress.Any;
                socket.Bind(new IPEndPoint(IPAddress.Any, _options.Port));
                socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.AddMembership, new MulticastOption(groupAddress, local));
                if (_options.IPv4Interface is { } chosen)
                {
                    socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastInterface, chosen.GetAddressBytes());
                }

                socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastTimeToLive, _options.MulticastHops);
                socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastLoopback, true);
            }

            _groups.Add(new Group(socket, new IPEndPoint(groupAddress, _options.Port), HostHeader(groupAddress, _options.Port)));
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            _logger.LogInformation("Local peer discovery cannot use {Group}: {Reason}", groupAddress, ex.Message);
        }
    }

    private static string HostHeader(IPAddress group, int port)
        => group.AddressFamily == AddressFamily.InterNetworkV6
            ? $"[{group}]:{port.ToString(CultureInfo.InvariantCulture)}"
            : $"{group}:{port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>One socket: a joined group (or the stand-in), where announces go, and the Host header they carry.</summary>
    private sealed class Group(Socket socket, IPEndPoint destination, string host)
    {
        public Socket Socket { get; } = socket;

        public IPEndPoint Destination { get; } = destination;

        public string Host { get; } = host;

        /// <summary>False once a send failed (no route for this group here): the socket still listens.</summary>
        public volatile bool CanSend = true;
    }
}
