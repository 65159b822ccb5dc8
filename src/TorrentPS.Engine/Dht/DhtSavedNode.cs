using System.Net;
using TorrentPS.Engine.Metainfo;

namespace TorrentPS.Engine.Dht;

/// <summary>
/// A routing table entry in the small form a session saves between runs (<see cref="DhtNode.GetNodes"/>) and gives
/// back to <see cref="DhtNode.BootstrapAsync"/>: the id as 40 hex digits and the end point as <c>ip:port</c> text, so
/// any serialiser writes it. Entries that do not parse are skipped when read back.
/// </summary>
internal sealed record DhtSavedNode(string Id, string EndPoint)
{
    /// <summary>The entry as a contact; false when either field does not parse (a damaged state file).</summary>
    public bool TryGetContact(out DhtContact contact)
    {
        contact = null!;
        if (!NodeId.TryParse(Id, out var id) || !PeerEndPoint.TryParse(EndPoint, out var endPoint))
        {
            return false;
        }

        contact = new DhtContact(id, endPoint);
        return true;
    }

    internal static DhtSavedNode From(NodeId id, IPEndPoint endPoint) => new(id.Hex, endPoint.ToString());
}
