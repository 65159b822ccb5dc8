using System.Net;
using TorrentPS.Engine.Peers;
using TorrentPS.Engine.Swarm;
using TorrentPS.Engine.Wire;

namespace TorrentPS.Engine.Tests.Swarm.Parts;

/// <summary>A connection for one part's tests: records what is queued and flushed, and whether it was closed. No loop, no threads.</summary>
internal sealed class RecordingLink : IPeerLink
{
    private static int _nextId;

    public RecordingLink(bool outgoing = true, bool fast = true, IPEndPoint? endPoint = null, PeerId? peerId = null)
    {
        Id = Interlocked.Increment(ref _nextId);
        IsOutgoing = outgoing;
        FastExtension = fast;
        EndPoint = endPoint ?? new IPEndPoint(new IPAddress([127, 0, 3, (byte)(Id % 250 + 2)]), 6881 + Id);
        PeerId = peerId ?? PeerId.Generate();
    }

    public int Id { get; }

    public IPEndPoint EndPoint { get; }

    public PeerId PeerId { get; }

    public bool IsOutgoing { get; }

    public bool FastExtension { get; }

    public bool ExtensionProtocol => true;

    public long DownloadedBytes { get; set; }

    public long UploadedBytes { get; set; }

    public int QueuedUploads => Uploads.Count;

    public bool AmChoking { get; set; } = true;

    public List<OutgoingMessage> Queued { get; } = [];

    public List<OutgoingMessage> Uploads { get; } = [];

    public int Flushes { get; private set; }

    public BlockExpectation Expectation { get; private set; } = BlockExpectation.Nothing(0);

    public long ExpectedBytes => Expectation.Bytes;

    public string? ClosedFor { get; private set; }

    public void Enqueue(in OutgoingMessage message) => Queued.Add(message);

    public void Flush() => Flushes++;

    public void Expect(in BlockExpectation expectation) => Expectation = expectation;

    public void SetPieceCount(int pieceCount)
    {
    }

    public List<OutgoingMessage> TakeUploads()
    {
        var taken = Uploads.ToList();
        Uploads.Clear();
        return taken;
    }

    public void Close(string reason) => ClosedFor ??= reason;

    /// <summary>The types of what was queued, in order.</summary>
    public List<PeerMessageType> Types => Queued.Select(m => m.Type).ToList();

    public override string ToString() => EndPoint.ToString();
}

/// <summary>Dials recorded, not made.</summary>
internal sealed class RecordingDialer : IPeerDialer
{
    public List<IPEndPoint> Dialled { get; } = [];

    /// <summary>The shorter handshake time-out each dial was given (null: the torrent's own).</summary>
    public List<TimeSpan?> Timeouts { get; } = [];

    public void Dial(IPEndPoint endPoint, TimeSpan? handshakeTimeout = null)
    {
        Dialled.Add(endPoint);
        Timeouts.Add(handshakeTimeout);
    }
}

/// <summary>A session's connection bound, counted.</summary>
internal sealed class CountingBudget(int max = 1000) : IConnectionBudget
{
    public int InUse { get; private set; }

    public bool TryAcquire()
    {
        if (InUse >= max)
        {
            return false;
        }

        InUse++;
        return true;
    }

    public void Release() => InUse--;
}
