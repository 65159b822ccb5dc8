using System.Net;
using TorrentPS.Engine.Dht;
using TorrentPS.Engine.Metainfo;

namespace TorrentPS.Engine.Tests.Dht;

/// <summary>
/// Hostile load: floods of queries and announces from many (spoofed) addresses. Asserted on counts (memory held,
/// datagrams sent), never on timings.
/// </summary>
public sealed class DhtFloodTests : IAsyncLifetime
{
    private readonly SimulatedDhtNetwork _network = new() { Latency = TimeSpan.FromMilliseconds(1), Step = TimeSpan.FromMilliseconds(10) };

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _network.DisposeAsync();

    [Fact]
    public void A_flood_of_queries_from_many_addresses_stays_within_the_rate_limits_and_bounded_memory()
    {
        var options = new DhtOptions
        {
            BootstrapNodes = [],
            ForbidDefaultRouters = true,
            MaxTrackedAddresses = 2000,
            QueriesPerSecond = 200,
            QueryBurstPerAddress = 5,
            QueriesPerSecondPerAddress = 1,
        };
        var node = _network.StartNode(options);
        var random = new Random(21);
        var sender = NodeId.Random();
        const int perSecond = 3000;

        // 30,000 queries, each from an address of its own, over ten simulated seconds.
        for (var second = 0; second < 10; second++)
        {
            for (var i = 0; i < perSecond; i++)
            {
                var from = new IPEndPoint(_network.NextAddress(), 1000 + (i % 1000));
                var query = (i % 3) switch
                {
                    0 => KrpcQuery.Ping(Tid(i), sender),
                    1 => KrpcQuery.FindNode(Tid(i), sender, NodeId.Random()),
                    _ => KrpcQuery.GetPeers(Tid(i), sender, RandomHash(random)),
                };
                _network.Inject(from, node.LocalEndPoint, query.Encode());
            }

            _network.Advance(TimeSpan.FromSeconds(1));
        }

        var answered = _network.SentBy.GetValueOrDefault(node.LocalEndPoint);
        Assert.True(node.TrackedAddresses <= options.MaxTrackedAddresses, $"{node.TrackedAddresses} addresses tracked");
        // The global rate bounds the answers (200 a second for ten seconds, plus one second's burst), and with them the
        // pings of queriers we check before admitting them (at most 32 at once).
        Assert.InRange(answered, 1, (200 * 11) + 200);
        Assert.True(node.Status.QueriesReceived <= 200 * 11, $"{node.Status.QueriesReceived} queries answered");
        Assert.True(node.Status.DatagramsDropped >= (10 * perSecond) - (200 * 11), $"{node.Status.DatagramsDropped} dropped");
        Assert.InRange(node.OutstandingQueries, 0, 32);
        Assert.InRange(node.Nodes.Count, 0, 160 * 8);
    }

    [Fact]
    public void A_flood_of_valid_announces_stays_within_the_peer_store_bounds()
    {
        var options = new DhtOptions
        {
            BootstrapNodes = [],
            ForbidDefaultRouters = true,
            MaxTorrents = 50,
            MaxPeersPerTorrent = 20,
            MaxStoredPeers = 300,
            QueriesPerSecond = 100_000,
        };
        var node = _network.StartNode(options);
        var random = new Random(22);
        var hashes = Enumerable.Range(0, 200).Select(_ => RandomHash(random)).ToArray();
        var announcers = Enumerable.Range(0, 1200).Select(_ => _network.AddNode()).ToList();

        // Each announcer fetches a token for its address, then announces with it.
        foreach (var (announcer, i) in announcers.Select((a, i) => (a, i)))
        {
            _network.Inject(announcer.EndPoint, node.LocalEndPoint, KrpcQuery.GetPeers(Tid(i), announcer.Id, hashes[i % hashes.Length]).Encode());
        }

        _network.Advance(TimeSpan.FromMilliseconds(50));
        foreach (var (announcer, i) in announcers.Select((a, i) => (a, i)))
        {
            var token = announcer.Answers.OfType<KrpcResponse>().Single().Token!;
            _network.Inject(announcer.EndPoint, node.LocalEndPoint, KrpcQuery.AnnouncePeer(Tid(i), announcer.Id, hashes[i % hashes.Length], 6881, token).Encode());
        }

        _network.Advance(TimeSpan.FromMilliseconds(50));

        var accepted = announcers.Count(a => a.Answers.OfType<KrpcResponse>().Count() == 2);
        Assert.True(accepted >= options.MaxStoredPeers, $"{accepted} announces accepted");
        Assert.InRange(node.Status.PeersStored, 1, options.MaxStoredPeers);
        Assert.InRange(node.Status.TorrentsStored, 1, options.MaxTorrents);
    }

    private static byte[] Tid(int i) => [(byte)(i >> 8), (byte)i];

    private static InfoHash RandomHash(Random random)
    {
        var bytes = new byte[20];
        random.NextBytes(bytes);
        return new InfoHash(bytes);
    }
}
