namespace TorrentPS.Engine.Dht;

/// <summary>BEP 32's <c>want</c> argument: which address families of nodes a querier asks for.</summary>
[Flags]
internal enum KrpcWant
{
    /// <summary>No <c>want</c>: the family of the socket the query came in on.</summary>
    None = 0,

    /// <summary><c>n4</c>: IPv4 nodes (<c>nodes</c>).</summary>
    IPv4 = 1,

    /// <summary><c>n6</c>: IPv6 nodes (<c>nodes6</c>).</summary>
    IPv6 = 2,
}
