using System.Net;
using TorrentPS.Engine.Peers;
using TorrentPS.Engine.Wire;

namespace TorrentPS.Engine.Swarm;

/// <summary>
/// What the torrent's loop sees of one connected peer: who it is, counters, and a way to send. Messages from the peer
/// reach the loop as <see cref="SwarmEvent"/>s. A real connection (<see cref="PeerLink"/>) or a simulated peer in tests.
/// </summary>
internal interface IPeerLink
{
    /// <summary>The torrent's number for this connection (blocks remember who supplied them by it).</summary>
    int Id { get; }

    IPEndPoint EndPoint { get; }

    PeerId PeerId { get; }

    /// <summary>We dialled it.</summary>
    bool IsOutgoing { get; }

    /// <summary>BEP 6 was negotiated.</summary>
    bool FastExtension { get; }

    /// <summary>BEP 10 was negotiated.</summary>
    bool ExtensionProtocol { get; }

    /// <summary>Block bytes received from the peer so far (any thread).</summary>
    long DownloadedBytes { get; }

    /// <summary>Block bytes sent to the peer so far (any thread).</summary>
    long UploadedBytes { get; }

    /// <summary>Uploads agreed and not yet sent.</summary>
    int QueuedUploads { get; }

    /// <summary>False once we unchoked the peer: its requests are served from then on (set by the loop).</summary>
    bool AmChoking { get; set; }

    /// <summary>Queues a message (the loop).</summary>
    void Enqueue(in OutgoingMessage message);

    /// <summary>Sends what was queued.</summary>
    void Flush();

    /// <summary>
    /// Tells the connection which block bytes are on their way (<see cref="BlockExpectation"/>): it sizes its receives by
    /// them, and posts batches of blocks without waking the loop while enough are still to come.
    /// </summary>
    void Expect(in BlockExpectation expectation);

    /// <summary>The piece count became known (a magnet's metadata arrived): the connection checks bitfields and indexes against it.</summary>
    void SetPieceCount(int pieceCount);

    /// <summary>Takes back queued uploads (we choked the peer).</summary>
    List<OutgoingMessage> TakeUploads();

    /// <summary>Closes the connection; the loop later hears <see cref="SwarmEvent.PeerClosed"/>.</summary>
    void Close(string reason);
}
