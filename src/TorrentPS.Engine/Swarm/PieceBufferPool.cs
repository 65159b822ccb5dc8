namespace TorrentPS.Engine.Swarm;

/// <summary>
/// Buffers of one torrent's piece length, reused from piece to piece. The shared array pool keeps what a thread returns
/// in per-thread and per-core caches, and piece buffers are taken on the loop and given back on connection threads, so
/// they would pile up there; this pool keeps at most what the torrent's buffered-bytes limit allows. Thread-safe.
/// </summary>
internal sealed class PieceBufferPool(int bufferLength, int maxKept)
{
    private readonly Stack<byte[]> _free = new();

    public int BufferLength => bufferLength;

    public byte[] Rent()
    {
        lock (_free)
        {
            if (_free.TryPop(out var buffer))
            {
                return buffer;
            }
        }

        return GC.AllocateUninitializedArray<byte>(bufferLength);
    }

    public void Return(byte[] buffer)
    {
        if (buffer.Length != bufferLength)
        {
            return;
        }

        lock (_free)
        {
            if (_free.Count < maxKept)
            {
                _free.Push(buffer);
            }
        }
    }
}
