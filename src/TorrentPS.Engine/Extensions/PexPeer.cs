using System.Net;

namespace TorrentPS.Engine.Extensions;

/// <summary>One peer of a ut_pex <c>added</c> list: its address and what the sender says about it.</summary>
internal readonly record struct PexPeer(IPEndPoint EndPoint, PexPeerFlags Flags)
{
    public override string ToString() => Flags == PexPeerFlags.None ? EndPoint.ToString() : $"{EndPoint} ({Flags})";
}
