namespace TorrentPS.Engine.Dht;

/// <summary>A snapshot of a DHT node (for <c>Get-TorrentSession</c>).</summary>
/// <param name="NodeId">Our node id, 40 hex digits.</param>
/// <param name="LocalEndPoint">The UDP end point we answer on, as text (<c>ip:port</c>).</param>
/// <param name="Nodes">Nodes in the routing table's buckets.</param>
/// <param name="GoodNodes">Of those, the good ones (answered us within 15 minutes).</param>
/// <param name="Buckets">Buckets in the routing table.</param>
/// <param name="ReplacementNodes">Nodes waiting in replacement caches.</param>
/// <param name="TorrentsStored">Torrents other nodes announced to us (with live peers).</param>
/// <param name="PeersStored">Peers other nodes announced to us, all torrents together.</param>
/// <param name="TorrentsAnnounced">Distinct torrents we announced and at least one node accepted.</param>
/// <param name="QueriesReceived">Queries we answered (rate-limited ones not counted).</param>
/// <param name="QueriesSent">Queries we sent.</param>
/// <param name="ResponsesReceived">Answers to our queries.</param>
/// <param name="QueryTimeouts">Our queries that went unanswered.</param>
/// <param name="DatagramsDropped">Datagrams ignored: malformed, answers we did not ask for, or over the rate limit.</param>
public sealed record DhtStatus(
    string NodeId,
    string LocalEndPoint,
    int Nodes,
    int GoodNodes,
    int Buckets,
    int ReplacementNodes,
    int TorrentsStored,
    int PeersStored,
    int TorrentsAnnounced,
    long QueriesReceived,
    long QueriesSent,
    long ResponsesReceived,
    long QueryTimeouts,
    long DatagramsDropped);
