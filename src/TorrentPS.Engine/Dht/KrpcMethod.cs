namespace TorrentPS.Engine.Dht;

/// <summary>The four BEP 5 queries.</summary>
public enum KrpcMethod
{
    Ping,
    FindNode,
    GetPeers,
    AnnouncePeer,
}
