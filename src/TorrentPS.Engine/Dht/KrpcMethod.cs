namespace TorrentPS.Engine.Dht;

/// <summary>The four BEP 5 queries.</summary>
internal enum KrpcMethod
{
    Ping,
    FindNode,
    GetPeers,
    AnnouncePeer,
}
