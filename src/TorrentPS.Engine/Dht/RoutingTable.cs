using System.Net;
using System.Net.Sockets;

namespace TorrentPS.Engine.Dht;

/// <summary>
/// BEP 5's routing table: buckets of at most <see cref="BucketSize"/> nodes, split only when the full bucket is the one
/// that holds our own id, so the table knows many nodes near us and few far away. Bucket <c>i</c> holds the nodes whose
/// ids share exactly <c>i</c> leading bits with ours; the last bucket holds every node sharing at least as many.
/// <para>
/// Only nodes that answered one of our queries enter it (a node that merely queried us is admitted once it answers a
/// ping). A full bucket first replaces a bad node; else the newcomer waits in the replacement cache and the least
/// recently seen questionable node is handed back to be pinged (if it fails, the newest replacement takes its place);
/// a bucket of good nodes only caches. At most one entry per IP address in the whole table, replacement caches included
/// (BEP 42 in spirit: one host cannot fill the table; every loopback test node has its own 127.0.0.x), and an id
/// cannot move to another address while its entry is not bad.
/// </para>
/// Not thread-safe: the <see cref="DhtNode"/> that owns it holds its lock around every call.
/// </summary>
internal sealed class RoutingTable
{
    /// <summary>BEP 5's k: nodes per bucket, and nodes in a find_node or get_peers answer.</summary>
    public const int BucketSize = 8;

    /// <summary>How long a node stays good after it last answered us (BEP 5: 15 minutes).</summary>
    public static readonly TimeSpan Freshness = TimeSpan.FromMinutes(15);

    private readonly List<KBucket> _buckets = [];
    private readonly Dictionary<IPAddress, RoutingNode> _byAddress = [];
    private readonly Dictionary<NodeId, RoutingNode> _byId = [];
    private readonly TimeProvider _time;
    private readonly AddressFamily _family;
    private readonly int _replacementSize;

    public RoutingTable(NodeId ownId, TimeProvider time, AddressFamily family = AddressFamily.InterNetwork, int replacementSize = BucketSize)
    {
        OwnId = ownId;
        _time = time;
        _family = family;
        _replacementSize = replacementSize;
        _buckets.Add(new KBucket(time.GetUtcNow()));
    }

    public NodeId OwnId { get; }

    /// <summary>Our own end point, when known: never admitted.</summary>
    public IPEndPoint? OwnEndPoint { get; set; }

    public int BucketCount => _buckets.Count;

    /// <summary>Nodes in buckets (replacement caches not counted).</summary>
    public int NodeCount
    {
        get
        {
            var count = 0;
            foreach (var bucket in _buckets)
            {
                count += bucket.Nodes.Count;
            }

            return count;
        }
    }

    /// <summary>Nodes in replacement caches.</summary>
    public int ReplacementCount
    {
        get
        {
            var count = 0;
            foreach (var bucket in _buckets)
            {
                count += bucket.Replacements.Count;
            }

            return count;
        }
    }

    public int GoodCount
    {
        get
        {
            var now = _time.GetUtcNow();
            var count = 0;
            foreach (var bucket in _buckets)
            {
                foreach (var node in bucket.Nodes)
                {
                    count += node.StateAt(now, Freshness) == DhtNodeState.Good ? 1 : 0;
                }
            }

            return count;
        }
    }

    /// <summary>The bucket a node with <paramref name="id"/> belongs in.</summary>
    public int BucketIndexOf(NodeId id) => Math.Min(OwnId.CommonPrefixLength(id), _buckets.Count - 1);

    /// <summary>
    /// We heard from a node: it answered one of our queries (<paramref name="responded"/>) or sent us one. Updates a
    /// known node, admits a new one that answered, and says what the caller must do next (ping an unknown querier, or a
    /// questionable node before the newcomer can take its place).
    /// </summary>
    public RoutingResult Heard(NodeId id, IPEndPoint endPoint, bool responded)
    {
        if (id == OwnId || !IsUsable(endPoint))
        {
            return new(RoutingOutcome.Rejected);
        }

        var now = _time.GetUtcNow();
        if (_byAddress.TryGetValue(endPoint.Address, out var onAddress))
        {
            if (onAddress.Id == id)
            {
                if (onAddress.EndPoint.Port != endPoint.Port)
                {
                    if (!responded)
                    {
                        // A query from another port of a known node says nothing about where it answers.
                        return new(RoutingOutcome.Rejected);
                    }

                    onAddress.EndPoint = endPoint;
                }

                Touch(onAddress, responded, now);
                return new(RoutingOutcome.Updated);
            }

            if (onAddress.StateAt(now, Freshness) != DhtNodeState.Bad)
            {
                return new(RoutingOutcome.Rejected);
            }

            if (!responded)
            {
                return new(RoutingOutcome.NeedsVerification);
            }

            Remove(onAddress);
        }

        if (_byId.TryGetValue(id, out var withId))
        {
            if (withId.StateAt(now, Freshness) != DhtNodeState.Bad)
            {
                return new(RoutingOutcome.Rejected);
            }

            if (!responded)
            {
                return new(RoutingOutcome.NeedsVerification);
            }

            Remove(withId);
        }

        if (!responded)
        {
            return new(WouldAdmit(id) ? RoutingOutcome.NeedsVerification : RoutingOutcome.Rejected);
        }

        var node = new RoutingNode(id, endPoint) { LastResponse = now };
        return Insert(node, now);
    }

    /// <summary>
    /// A query to <paramref name="endPoint"/> went unanswered. A node that is now bad gives its place to the newest
    /// node of its replacement cache (a bad node with no replacement stays until one comes: the fault may be ours).
    /// True when the node left the table.
    /// </summary>
    public bool Failed(IPEndPoint endPoint)
    {
        if (!_byAddress.TryGetValue(endPoint.Address, out var node) || node.EndPoint.Port != endPoint.Port)
        {
            return false;
        }

        node.FailedQueries++;
        node.PingPending = false;
        var now = _time.GetUtcNow();
        if (node.StateAt(now, Freshness) != DhtNodeState.Bad)
        {
            return false;
        }

        var bucket = _buckets[BucketIndexOf(node.Id)];
        if (bucket.Replacements.Remove(node))
        {
            Forget(node);
            return true;
        }

        if (bucket.Replacements.Count == 0)
        {
            return false;
        }

        bucket.Nodes.Remove(node);
        Forget(node);
        Promote(bucket, now);
        return true;
    }

    /// <summary>Whether a node we heard of could find a place (so pinging it is worth a datagram).</summary>
    public bool WouldAdmit(NodeId id)
    {
        var index = BucketIndexOf(id);
        var bucket = _buckets[index];
        if (bucket.Nodes.Count < BucketSize || (index == _buckets.Count - 1 && _buckets.Count < NodeId.Bits) || bucket.Replacements.Count < _replacementSize)
        {
            return true;
        }

        var now = _time.GetUtcNow();
        foreach (var node in bucket.Nodes)
        {
            if (node.StateAt(now, Freshness) != DhtNodeState.Good)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The node on <paramref name="endPoint"/>, in a bucket or a replacement cache.</summary>
    public RoutingNode? Find(IPEndPoint endPoint)
        => _byAddress.TryGetValue(endPoint.Address, out var node) && node.EndPoint.Port == endPoint.Port ? node : null;

    /// <summary>True when <paramref name="id"/> is in a bucket (not only cached).</summary>
    public bool Contains(NodeId id) => _byId.TryGetValue(id, out var node) && _buckets[BucketIndexOf(id)].Nodes.Contains(node);

    /// <summary>Up to <paramref name="count"/> nodes that are not bad, closest to <paramref name="target"/> first.</summary>
    public List<DhtContact> Closest(NodeId target, int count = BucketSize)
    {
        var now = _time.GetUtcNow();
        var closest = new List<RoutingNode>(count + 1);
        foreach (var bucket in _buckets)
        {
            foreach (var node in bucket.Nodes)
            {
                if (node.StateAt(now, Freshness) == DhtNodeState.Bad)
                {
                    continue;
                }

                // Insertion into a short sorted list: count is k or a few k, the table a few hundred nodes.
                var at = closest.Count;
                while (at > 0 && NodeId.CompareDistance(node.Id, closest[at - 1].Id, target) < 0)
                {
                    at--;
                }

                if (at < count)
                {
                    closest.Insert(at, node);
                    if (closest.Count > count)
                    {
                        closest.RemoveAt(count);
                    }
                }
            }
        }

        var contacts = new List<DhtContact>(closest.Count);
        foreach (var node in closest)
        {
            contacts.Add(node.ToContact());
        }

        return contacts;
    }

    /// <summary>Up to <paramref name="count"/> questionable nodes not already being pinged, least recently seen first; each is marked as being pinged.</summary>
    public List<RoutingNode> TakeQuestionable(int count)
    {
        var now = _time.GetUtcNow();
        var questionable = new List<RoutingNode>();
        foreach (var bucket in _buckets)
        {
            foreach (var node in bucket.Nodes)
            {
                if (!node.PingPending && node.StateAt(now, Freshness) == DhtNodeState.Questionable)
                {
                    questionable.Add(node);
                }
            }
        }

        questionable.Sort((a, b) => a.LastSeen.CompareTo(b.LastSeen));
        if (questionable.Count > count)
        {
            questionable.RemoveRange(count, questionable.Count - count);
        }

        foreach (var node in questionable)
        {
            node.PingPending = true;
        }

        return questionable;
    }

    /// <summary>A ping we owed a node could not be sent: it may be taken again.</summary>
    public void PingAbandoned(RoutingNode node) => node.PingPending = false;

    /// <summary>Buckets that have not changed for <paramref name="age"/>, with a random target inside each (BEP 5's refresh); marked as changed now.</summary>
    public List<NodeId> TakeStaleBuckets(TimeSpan age, int count)
    {
        var now = _time.GetUtcNow();
        var targets = new List<NodeId>();
        for (var i = 0; i < _buckets.Count && targets.Count < count; i++)
        {
            if (now - _buckets[i].LastChanged >= age)
            {
                _buckets[i].LastChanged = now;
                targets.Add(OwnId.RandomWithPrefix(i));
            }
        }

        return targets;
    }

    /// <summary>Every node in a bucket, bucket by bucket.</summary>
    public IEnumerable<(int Bucket, RoutingNode Node)> Nodes()
    {
        for (var i = 0; i < _buckets.Count; i++)
        {
            foreach (var node in _buckets[i].Nodes)
            {
                yield return (i, node);
            }
        }
    }

    public IReadOnlyList<DhtBucketInfo> BucketSnapshot()
    {
        var now = _time.GetUtcNow();
        var buckets = new DhtBucketInfo[_buckets.Count];
        for (var i = 0; i < buckets.Length; i++)
        {
            var bucket = _buckets[i];
            var good = 0;
            foreach (var node in bucket.Nodes)
            {
                good += node.StateAt(now, Freshness) == DhtNodeState.Good ? 1 : 0;
            }

            buckets[i] = new DhtBucketInfo(i, i == buckets.Length - 1, bucket.Nodes.Count, good, bucket.Replacements.Count, bucket.LastChanged);
        }

        return buckets;
    }

    public IReadOnlyList<DhtNodeInfo> NodeSnapshot()
    {
        var now = _time.GetUtcNow();
        var nodes = new List<DhtNodeInfo>();
        foreach (var (bucket, node) in Nodes())
        {
            nodes.Add(new DhtNodeInfo(node.Id.Hex, node.EndPoint.Address.ToString(), node.EndPoint.Port, node.StateAt(now, Freshness), bucket, node.LastResponse, node.LastQuery, node.FailedQueries));
        }

        return nodes;
    }

    private RoutingResult Insert(RoutingNode node, DateTimeOffset now)
    {
        while (true)
        {
            var index = BucketIndexOf(node.Id);
            var bucket = _buckets[index];
            if (bucket.Nodes.Count < BucketSize)
            {
                bucket.Nodes.Add(node);
                bucket.LastChanged = now;
                Remember(node);
                return new(RoutingOutcome.Added);
            }

            if (index == _buckets.Count - 1 && _buckets.Count < NodeId.Bits)
            {
                Split(now);
                continue;
            }

            RoutingNode? questionable = null;
            for (var i = 0; i < bucket.Nodes.Count; i++)
            {
                var old = bucket.Nodes[i];
                var state = old.StateAt(now, Freshness);
                if (state == DhtNodeState.Bad)
                {
                    bucket.Nodes[i] = node;
                    bucket.LastChanged = now;
                    Forget(old);
                    Remember(node);
                    return new(RoutingOutcome.Replaced);
                }

                if (state == DhtNodeState.Questionable && !old.PingPending && (questionable is null || old.LastSeen < questionable.LastSeen))
                {
                    questionable = old;
                }
            }

            if (bucket.Replacements.Count >= _replacementSize)
            {
                // The oldest waiting node gives way: the newest are the likeliest to still answer.
                Forget(bucket.Replacements[0]);
                bucket.Replacements.RemoveAt(0);
            }

            bucket.Replacements.Add(node);
            Remember(node);
            if (questionable is not null)
            {
                questionable.PingPending = true;
            }

            return new(RoutingOutcome.Cached, questionable);
        }
    }

    /// <summary>Splits the last bucket (ours): nodes sharing more bits with us move to a new last bucket.</summary>
    private void Split(DateTimeOffset now)
    {
        var index = _buckets.Count - 1;
        var old = _buckets[index];
        var next = new KBucket(now);
        _buckets.Add(next);
        Move(old.Nodes, next.Nodes, index);
        Move(old.Replacements, next.Replacements, index);
        Promote(old, now);
        Promote(next, now);
    }

    private void Move(List<RoutingNode> from, List<RoutingNode> to, int index)
    {
        for (var i = from.Count - 1; i >= 0; i--)
        {
            if (OwnId.CommonPrefixLength(from[i].Id) > index)
            {
                to.Insert(0, from[i]);
                from.RemoveAt(i);
            }
        }
    }

    /// <summary>Fills free places of a bucket from its replacement cache, newest first.</summary>
    private static void Promote(KBucket bucket, DateTimeOffset now)
    {
        while (bucket.Nodes.Count < BucketSize && bucket.Replacements.Count > 0)
        {
            var newest = bucket.Replacements[^1];
            bucket.Replacements.RemoveAt(bucket.Replacements.Count - 1);
            bucket.Nodes.Add(newest);
            bucket.LastChanged = now;
        }
    }

    private void Remove(RoutingNode node)
    {
        var bucket = _buckets[BucketIndexOf(node.Id)];
        if (!bucket.Nodes.Remove(node))
        {
            bucket.Replacements.Remove(node);
        }

        Forget(node);
    }

    private void Touch(RoutingNode node, bool responded, DateTimeOffset now)
    {
        if (!responded)
        {
            node.LastQuery = now;
            return;
        }

        node.LastResponse = now;
        node.FailedQueries = 0;
        node.PingPending = false;
        var bucket = _buckets[BucketIndexOf(node.Id)];
        if (bucket.Nodes.Contains(node))
        {
            bucket.LastChanged = now;
        }
    }

    private void Remember(RoutingNode node)
    {
        _byAddress[node.EndPoint.Address] = node;
        _byId[node.Id] = node;
    }

    private void Forget(RoutingNode node)
    {
        _byAddress.Remove(node.EndPoint.Address);
        _byId.Remove(node.Id);
    }

    private bool IsUsable(IPEndPoint endPoint)
    {
        if (endPoint.Port is <= 0 or > 65535 || endPoint.AddressFamily != _family || endPoint.Equals(OwnEndPoint))
        {
            return false;
        }

        var address = endPoint.Address;
        if (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.Broadcast) || address.IsIPv6Multicast)
        {
            return false;
        }

        if (_family == AddressFamily.InterNetwork)
        {
            Span<byte> bytes = stackalloc byte[4];
            address.TryWriteBytes(bytes, out _);
            return bytes[0] is not (0 or >= 224);
        }

        return true;
    }
}
