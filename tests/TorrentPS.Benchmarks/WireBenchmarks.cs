using BenchmarkDotNet.Attributes;
using TorrentPS.Engine.Wire;

namespace TorrentPS.Benchmarks;

/// <summary>
/// Peer message codec throughput: encode and decode a mixed stream of 1,000 messages (a full 16 KiB
/// piece every tenth, requests, haves, an extended message) in one pooled buffer. Should allocate nothing.
/// </summary>
[MemoryDiagnoser]
public class WireBenchmarks
{
    private const int Messages = 1000;
    private readonly byte[] _block = new byte[PeerMessageLimits.BlockLength];
    private readonly byte[] _extended = "d1:md11:ut_metadatai3eee"u8.ToArray();
    private readonly PeerMessageLimits _limits = PeerMessageLimits.Permissive with { PieceCount = 4096 };
    private byte[] _buffer = [];
    private int _length;

    [GlobalSetup]
    public void Setup()
    {
        _buffer = new byte[Messages * (PeerMessageLimits.BlockLength + 64)];
        _length = Encode();
    }

    [Benchmark]
    public int Encode()
    {
        var span = _buffer.AsSpan();
        var n = 0;
        for (var i = 0; i < Messages; i++)
        {
            n += (i % 10) switch
            {
                0 => PeerMessageEncoder.WritePiece(span[n..], i % 4096, 0, _block),
                1 or 2 or 3 or 4 => PeerMessageEncoder.WriteRequest(span[n..], i % 4096, 16384, 16384),
                5 or 6 => PeerMessageEncoder.WriteHave(span[n..], i % 4096),
                7 => PeerMessageEncoder.WriteExtended(span[n..], 3, _extended),
                8 => PeerMessageEncoder.WriteKeepAlive(span[n..]),
                _ => PeerMessageEncoder.WriteUnchoke(span[n..]),
            };
        }

        return n;
    }

    [Benchmark]
    public long Decode()
    {
        var memory = _buffer.AsMemory(0, _length);
        long sum = 0;
        while (PeerMessageDecoder.TryDecode(memory, _limits, out var message, out var consumed))
        {
            sum += message.Index + message.Length;
            memory = memory[consumed..];
        }

        return sum;
    }
}
