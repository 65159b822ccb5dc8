using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using TorrentPS.Engine.Dht;
using TorrentPS.Engine.Tests.Wire;

namespace TorrentPS.Engine.Tests.Dht;

/// <summary>
/// A DHT with no sockets: simulated nodes and real <see cref="DhtNode"/>s on simulated transports exchange datagrams
/// (as bytes, through the real codec) that arrive after <see cref="Latency"/> on a fake clock. Everything runs on the
/// thread that steps the clock: <see cref="RunAsync{T}"/> steps it until a task ends. The clock is stepped with no
/// synchronization context, as on the node's own receive thread (with xunit's context, .NET would not resume an
/// awaiting lookup inline but queue it to the thread pool, which the stepping would outrun). Addresses are 127.x.y.z,
/// though nothing reaches a network.
/// </summary>
internal sealed class SimulatedDhtNetwork : IAsyncDisposable
{
    private readonly Dictionary<IPEndPoint, SimulatedDhtNode> _nodes = [];
    private readonly Dictionary<IPEndPoint, Transport> _transports = [];
    private readonly List<DhtNode> _started = [];
    private int _nextAddress;

    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public TimeSpan Latency { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>The source of the ids the network gives (nodes and started nodes alike): a run repeats exactly.</summary>
    public Random Random { get; } = new(1);

    /// <summary>How far the clock moves per step.</summary>
    public TimeSpan Step { get; set; } = TimeSpan.FromMilliseconds(5);

    public TestLoggerFactory Logs { get; } = new();

    public IReadOnlyCollection<SimulatedDhtNode> Nodes => _nodes.Values;

    /// <summary>Datagrams sent, all senders together.</summary>
    public long DatagramsSent { get; private set; }

    /// <summary>Datagrams each end point sent.</summary>
    public Dictionary<IPEndPoint, int> SentBy { get; } = [];

    /// <summary>A fresh 127.x.y.z address (never 127.0.0.1).</summary>
    public IPAddress NextAddress()
    {
        var n = ++_nextAddress;
        return new IPAddress([127, (byte)(10 + (n / 62500)), (byte)(n / 250 % 250), (byte)((n % 250) + 2)]);
    }

    public SimulatedDhtNode AddNode(NodeId? id = null, IPEndPoint? endPoint = null)
    {
        var node = new SimulatedDhtNode(id ?? NextId(), endPoint ?? new IPEndPoint(NextAddress(), 6881));
        _nodes.Add(node.EndPoint, node);
        return node;
    }

    /// <summary>
    /// Adds <paramref name="count"/> nodes with ids from <paramref name="random"/> and gives each a Kademlia-like view:
    /// for every prefix length it shares with others, up to 8 of the nodes that share exactly that many bits with it.
    /// </summary>
    public List<SimulatedDhtNode> AddNetwork(int count, Random random)
    {
        var added = new List<SimulatedDhtNode>();
        for (var i = 0; i < count; i++)
        {
            var bytes = new byte[NodeId.Length];
            random.NextBytes(bytes);
            added.Add(AddNode(new NodeId(bytes)));
        }

        foreach (var node in added)
        {
            foreach (var group in added.Where(n => n != node).GroupBy(n => node.Id.CommonPrefixLength(n.Id)))
            {
                node.Known.AddRange(group.OrderBy(_ => random.Next()).Take(8).Select(n => n.Contact));
            }
        }

        return added;
    }

    /// <summary>Starts a real node on a simulated transport; tests' options forbid the default routers unless they say otherwise.</summary>
    public DhtNode StartNode(DhtOptions? options = null, IPEndPoint? endPoint = null)
    {
        var transport = new Transport(this, endPoint ?? new IPEndPoint(NextAddress(), 6881));
        _transports.Add(transport.LocalEndPoint, transport);
        options ??= new DhtOptions { BootstrapNodes = [], ForbidDefaultRouters = true };
        var node = DhtNode.Start(transport, options.NodeId is null ? options with { NodeId = NextId() } : options, Logs.CreateLogger("dht"), Clock);
        _started.Add(node);
        return node;
    }

    /// <summary>An id from <see cref="Random"/>.</summary>
    public NodeId NextId()
    {
        var bytes = new byte[NodeId.Length];
        Random.NextBytes(bytes);
        return new NodeId(bytes);
    }

    /// <summary>Sends a datagram from <paramref name="from"/> (any address: a flood's spoofed senders) to <paramref name="to"/>.</summary>
    public void Send(IPEndPoint from, IPEndPoint to, byte[] datagram)
    {
        DatagramsSent++;
        SentBy[from] = SentBy.GetValueOrDefault(from) + 1;
        ITimer? timer = null;
        timer = Clock.CreateTimer(_ => { timer!.Dispose(); Deliver(from, to, datagram); }, null, Latency, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Delivers a datagram at once, with no latency and no timer (floods of thousands).</summary>
    public void Inject(IPEndPoint from, IPEndPoint to, byte[] datagram)
    {
        DatagramsSent++;
        SentBy[from] = SentBy.GetValueOrDefault(from) + 1;
        var context = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(null);
        try
        {
            Deliver(from, to, datagram);
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(context);
        }
    }

    /// <summary>Steps the clock until <paramref name="task"/> ends (or <paramref name="limit"/> of simulated time passes, which fails the test).</summary>
    public async Task<T> RunAsync<T>(Task<T> task, TimeSpan? limit = null)
    {
        await RunAsync((Task)task, limit);
        return await task;
    }

    public async Task RunAsync(Task task, TimeSpan? limit = null)
    {
        var end = Clock.GetUtcNow() + (limit ?? TimeSpan.FromMinutes(10));
        while (!task.IsCompleted)
        {
            if (Clock.GetUtcNow() > end)
            {
                throw new TimeoutException($"The task did not end within {limit ?? TimeSpan.FromMinutes(10)} of simulated time.");
            }

            StepClock();
        }

        await task;
    }

    /// <summary>Steps the clock by <paramref name="duration"/>.</summary>
    public void Advance(TimeSpan duration)
    {
        var end = Clock.GetUtcNow() + duration;
        while (Clock.GetUtcNow() < end)
        {
            StepClock();
        }
    }

    private void StepClock()
    {
        var context = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(null);
        try
        {
            Clock.Advance(Step);
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(context);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _started)
        {
            var closing = node.DisposeAsync().AsTask();
            await RunAsync(closing, TimeSpan.FromMinutes(1));
        }
    }

    private void Deliver(IPEndPoint from, IPEndPoint to, byte[] datagram)
    {
        if (_transports.TryGetValue(to, out var transport))
        {
            transport.Receive(datagram, from);
            return;
        }

        if (!_nodes.TryGetValue(to, out var node))
        {
            return;
        }

        KrpcMessage message;
        try
        {
            message = KrpcMessage.Decode(datagram);
        }
        catch (KrpcException)
        {
            return;
        }

        if (message is KrpcQuery query)
        {
            if (node.Answer(query, from) is { } answer)
            {
                Send(to, from, answer.Encode());
            }
        }
        else
        {
            node.Answers.Add(message);
        }
    }

    /// <summary>A <see cref="DhtNode"/>'s socket on the simulated network.</summary>
    private sealed class Transport(SimulatedDhtNetwork network, IPEndPoint endPoint) : IDhtTransport
    {
        private readonly TaskCompletionSource _closed = new();
        private DatagramHandler? _handler;

        public IPEndPoint LocalEndPoint { get; } = endPoint;

        public Task Start(DatagramHandler onDatagram)
        {
            _handler = onDatagram;
            return _closed.Task;
        }

        public bool Send(ReadOnlySpan<byte> datagram, IPEndPoint to)
        {
            if (_closed.Task.IsCompleted)
            {
                return false;
            }

            network.Send(LocalEndPoint, to, datagram.ToArray());
            return true;
        }

        public void Receive(byte[] datagram, IPEndPoint from)
        {
            if (!_closed.Task.IsCompleted)
            {
                _handler?.Invoke(datagram, from);
            }
        }

        public void Dispose()
        {
            _closed.TrySetResult();
            network._transports.Remove(LocalEndPoint);
        }
    }
}
