using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Swarm;
using TorrentPS.Engine.Tests.Metainfo;
using TorrentPS.Engine.Wire;

namespace TorrentPS.Engine.Tests.Swarm.Parts;

/// <summary>A small torrent in memory for the parts' tests: its pieces, its context, and what completed pieces tell the loop.</summary>
internal sealed class PartsTorrent : IPieceEvents
{
    public PartsTorrent(int pieces = 64, int pieceLength = 2 * 16384, Bitfield? have = null)
    {
        Content = TestTorrent.Content(pieces * pieceLength, seed: 3);
        Info = TorrentInfo.Parse(TestTorrent.SingleFile("parts.bin", Content, pieceLength).ToBytes());
        Data = new MemoryTorrentData(Info, Content, have);
        Have = have ?? new Bitfield(Info.PieceCount);
        Picker = new PiecePicker(Have, random: new Random(5));
        Context = new PieceContext(Info, Data.Storage, this, maxBufferedBytes: 64L * 1024 * 1024);
    }

    public byte[] Content { get; }

    public TorrentInfo Info { get; }

    public MemoryTorrentData Data { get; }

    public Bitfield Have { get; }

    public PiecePicker Picker { get; }

    public PieceContext Context { get; }

    public List<int> Verified { get; } = [];

    public List<(int Index, int[] Contributors)> Failed { get; } = [];

    public void PieceVerified(int index) => Verified.Add(index);

    public void PieceFailed(int index, int[] contributors) => Failed.Add((index, contributors));

    public void StorageFailed(int index, Exception error) => throw error;

    /// <summary>Delivers a requested block from the content (or corrupted), as a reading thread would; returns the message the loop would get.</summary>
    public IncomingMessage Deliver(int peerId, OutgoingMessage request, bool corrupt = false)
    {
        var data = Content.AsSpan((int)(request.Index * Info.PieceLength) + request.Begin, request.Length).ToArray();
        if (corrupt)
        {
            data[0] ^= 0xFF;
        }

        var outcome = Context.Assembler.Deliver(peerId, request.Index, request.Begin, data);
        return new IncomingMessage(PeerMessageType.Piece, request.Index, request.Begin, request.Length, Outcome: outcome);
    }
}
