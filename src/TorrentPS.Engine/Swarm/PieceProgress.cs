namespace TorrentPS.Engine.Swarm;

/// <summary>The loop's view of a piece in progress: how many requests each block has out. Owned by the loop.</summary>
internal sealed class PieceProgress
{
    private readonly byte[] _requests;

    public PieceProgress(ActivePiece shared, long startedAt)
    {
        Shared = shared;
        StartedAt = startedAt;
        _requests = new byte[shared.BlockCount];
    }

    public ActivePiece Shared { get; }

    public int Index => Shared.Index;

    public int BlockCount => Shared.BlockCount;

    public long StartedAt { get; }

    /// <summary>Peers whose blocks were in an earlier copy of this piece that failed its hash: others are asked first.</summary>
    public int[] Suspects { get; set; } = [];

    public int RequestCount(int block) => _requests[block];

    public void AddRequest(int block)
    {
        if (_requests[block] < byte.MaxValue)
        {
            _requests[block]++;
        }
    }

    public void RemoveRequest(int block)
    {
        if (_requests[block] > 0)
        {
            _requests[block]--;
        }
    }

    /// <summary>A block nobody has been asked for and nobody delivered.</summary>
    public bool IsOpen(int block) => _requests[block] == 0 && !Shared.IsReceived(block);

    /// <summary>Whether any block is open.</summary>
    public bool HasOpenBlock()
    {
        for (var b = 0; b < _requests.Length; b++)
        {
            if (IsOpen(b))
            {
                return true;
            }
        }

        return false;
    }

    public override string ToString() => Shared.ToString();
}
