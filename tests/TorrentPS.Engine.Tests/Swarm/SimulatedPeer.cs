using System.Net;
using TorrentPS.Engine.Peers;
using TorrentPS.Engine.Session;
using TorrentPS.Engine.Swarm;
using TorrentPS.Engine.Wire;

namespace TorrentPS.Engine.Tests.Swarm;

/// <summary>
/// A peer without a socket: what the loop sends it is recorded; what it "sends" is posted to the loop as a real
/// connection's reading thread would (blocks go into their pieces through the same <see cref="PieceBuffers"/> call).
/// </summary>
internal sealed class SimulatedPeer : IPeerLink
{
    private static int _nextId = 1000;
    private readonly TorrentRun _torrent;
    private readonly object _lock = new();
    private readonly List<OutgoingMessage> _sent = new();
    private long _downloaded;

    public SimulatedPeer(TorrentRun torrent, bool fastExtension = true, int? id = null)
    {
        _torrent = torrent;
        Id = id ?? Interlocked.Increment(ref _nextId);
        EndPoint = new IPEndPoint(new IPAddress([127, 0, (byte)(Id / 250 % 250), (byte)((Id % 250) + 2)]), 6881);
        PeerId = PeerId.Generate();
        FastExtension = fastExtension;
    }

    public int Id { get; }

    public IPEndPoint EndPoint { get; }

    public PeerId PeerId { get; }

    public bool IsOutgoing => false;

    public bool FastExtension { get; }

    public bool ExtensionProtocol => true;

    public long DownloadedBytes => Volatile.Read(ref _downloaded);

    public long UploadedBytes => 0;

    public int QueuedUploads => 0;

    public bool AmChoking { get; set; } = true;

    public bool IsClosed { get; private set; }

    public string? CloseReason { get; private set; }

    /// <summary>Everything the loop sent, in order (a copy).</summary>
    public List<OutgoingMessage> Sent
    {
        get
        {
            lock (_lock)
            {
                return [.. _sent];
            }
        }
    }

    /// <summary>Requests sent and not cancelled, oldest first.</summary>
    public List<OutgoingMessage> OpenRequests() => OpenIn(Sent);

    /// <summary>
    /// The open requests, with the record of what was sent cleared in the same step: a request the loop sends meanwhile
    /// stays for the next take (taking, then clearing, lost one sent between the two, and the download then waited
    /// for a request timeout that a fake clock never reaches).
    /// </summary>
    public List<OutgoingMessage> TakeOpenRequests()
    {
        List<OutgoingMessage> sent;
        lock (_lock)
        {
            sent = [.. _sent];
            _sent.Clear();
        }

        return OpenIn(sent);
    }

    private static List<OutgoingMessage> OpenIn(List<OutgoingMessage> sent)
    {
        var open = new List<OutgoingMessage>();
        foreach (var message in sent)
        {
            if (message.Type == PeerMessageType.Request)
            {
                open.Add(message);
            }
            else if (message.Type == PeerMessageType.Cancel)
            {
                open.RemoveAll(r => r.Index == message.Index && r.Begin == message.Begin);
            }
        }

        return open;
    }

    public void Enqueue(in OutgoingMessage message)
    {
        lock (_lock)
        {
            _sent.Add(message);
        }
    }

    public void ClearSent()
    {
        lock (_lock)
        {
            _sent.Clear();
        }
    }

    public void Flush()
    {
    }

    public void Expect(in BlockExpectation expectation)
    {
    }

    public void SetPieceCount(int pieceCount)
    {
    }

    public List<OutgoingMessage> TakeUploads() => [];

    public void Close(string reason)
    {
        if (IsClosed)
        {
            return;
        }

        IsClosed = true;
        CloseReason = reason;
        _torrent.Post(new SwarmEvent.PeerClosed(this, reason));
    }

    public void Connect() => _torrent.AdoptLink(this);

    /// <summary>Posts messages as one batch.</summary>
    public void Say(params IncomingMessage[] messages)
    {
        var batch = PeerMessageBatch.Rent();
        foreach (var message in messages)
        {
            batch.Add(message);
        }

        _torrent.Post(new SwarmEvent.PeerMessages(this, batch));
    }

    public void SayBitfield(int pieceCount, Func<int, bool> has)
    {
        var bits = new TorrentPS.Engine.Metainfo.Bitfield(pieceCount);
        for (var i = 0; i < pieceCount; i++)
        {
            bits[i] = has(i);
        }

        Say(new IncomingMessage(PeerMessageType.Bitfield, Length: bits.AsSpan().Length, Payload: bits.ToArray()));
    }

    /// <summary>Delivers blocks as a reading thread would: into their pieces, then one batch telling the loop.</summary>
    public void Deliver(IEnumerable<(int Index, int Begin, byte[] Data)> blocks)
    {
        var batch = PeerMessageBatch.Rent();
        foreach (var (index, begin, data) in blocks)
        {
            var outcome = _torrent.Pieces.Current?.Assembler.Deliver(Id, index, begin, data) ?? BlockOutcome.Unexpected;
            Interlocked.Add(ref _downloaded, data.Length);
            batch.Add(new IncomingMessage(PeerMessageType.Piece, index, begin, data.Length, Outcome: outcome));
        }

        _torrent.Post(new SwarmEvent.PeerMessages(this, batch));
    }

    public override string ToString() => $"sim#{Id}";
}
