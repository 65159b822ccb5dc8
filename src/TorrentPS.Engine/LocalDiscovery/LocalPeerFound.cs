using System.Net;
using TorrentPS.Engine.Metainfo;

namespace TorrentPS.Engine.LocalDiscovery;

/// <summary>A peer on the local network announced a torrent we have: dial <see cref="EndPoint"/> (its address and announced port).</summary>
internal readonly record struct LocalPeerFound(InfoHash InfoHash, IPEndPoint EndPoint);
