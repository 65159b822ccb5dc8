using System.Net;

namespace TorrentPS.Engine.Dht;

/// <summary>Receives one datagram; called for each in turn, on the transport's receiving thread.</summary>
internal delegate void DatagramHandler(ReadOnlyMemory<byte> datagram, IPEndPoint from);

/// <summary>
/// The seam between a <see cref="DhtNode"/> and its UDP socket: the real one (<see cref="UdpDhtTransport"/>) or a
/// simulated network in tests, which delivers datagrams on a fake clock with no socket at all.
/// </summary>
internal interface IDhtTransport : IDisposable
{
    /// <summary>The end point datagrams are sent from and received on.</summary>
    IPEndPoint LocalEndPoint { get; }

    /// <summary>Starts delivering received datagrams to <paramref name="onDatagram"/>; the returned task ends when delivery has stopped for good.</summary>
    Task Start(DatagramHandler onDatagram);

    /// <summary>Sends one datagram without waiting for anything; false when it could not be sent.</summary>
    bool Send(ReadOnlySpan<byte> datagram, IPEndPoint to);
}
