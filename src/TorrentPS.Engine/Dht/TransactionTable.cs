using System.Net;

namespace TorrentPS.Engine.Dht;

/// <summary>
/// The queries we are waiting on, by transaction id: two random bytes not in use, so an answer can only be matched by
/// someone who saw the query. An answer counts only when its id is outstanding and it comes from the end point the
/// query went to; anything else is a response we did not ask for, and is ignored. At most <see cref="Capacity"/> at
/// once. Not thread-safe: its <see cref="DhtNode"/> holds its lock.
/// </summary>
internal sealed class TransactionTable(int capacity)
{
    private readonly Dictionary<ushort, PendingQuery> _pending = [];

    public int Capacity { get; } = capacity;

    public int Count => _pending.Count;

    /// <summary>A new outstanding query to <paramref name="to"/>; null when <see cref="Capacity"/> queries are outstanding.</summary>
    public PendingQuery? Begin(IPEndPoint to, KrpcMethod method)
    {
        if (_pending.Count >= Capacity)
        {
            return null;
        }

        while (true)
        {
            var id = (ushort)Random.Shared.Next(0, 65536);
            if (!_pending.ContainsKey(id))
            {
                var query = new PendingQuery(id, to, method);
                _pending[id] = query;
                return query;
            }
        }
    }

    /// <summary>Takes the query <paramref name="transactionId"/> answers, when it was sent to <paramref name="from"/>.</summary>
    public PendingQuery? Match(ReadOnlySpan<byte> transactionId, IPEndPoint from)
    {
        if (transactionId.Length != 2)
        {
            return null;
        }

        var id = (ushort)((transactionId[0] << 8) | transactionId[1]);
        if (!_pending.TryGetValue(id, out var query) || !query.To.Equals(from))
        {
            return null;
        }

        _pending.Remove(id);
        return query;
    }

    /// <summary>Forgets <paramref name="query"/> (it timed out or was cancelled); false when an answer took it already.</summary>
    public bool End(PendingQuery query) => _pending.TryGetValue(query.Id, out var current) && current == query && _pending.Remove(query.Id);

    /// <summary>Takes every outstanding query (the node is closing).</summary>
    public List<PendingQuery> TakeAll()
    {
        var all = _pending.Values.ToList();
        _pending.Clear();
        return all;
    }
}
