using System.Net;

namespace TorrentPS.Engine.Dht;

/// <summary>A DHT node as one node tells another of it: its id and the UDP end point it answers on.</summary>
internal sealed record DhtContact(NodeId Id, IPEndPoint EndPoint)
{
    public override string ToString() => $"{Id.Hex}@{EndPoint}";
}
