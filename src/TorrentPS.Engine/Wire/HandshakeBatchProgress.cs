using TorrentPS.Engine.Peers;

namespace TorrentPS.Engine.Wire;

/// <summary>
/// How far a batch of handshakes (<see cref="PeerHandshaker.HandshakeManyAsync(IEnumerable{TorrentPeer}, HandshakeOptions?, int, System.Threading.Channels.ChannelWriter{HandshakeBatchProgress}, CancellationToken)"/>)
/// has got, as the handshaker runs it (so many at once, each within its timeouts): what a progress display needs.
/// Immutable; a new one is published at every change, and the last has <see cref="IsComplete"/>.
/// </summary>
public sealed record HandshakeBatchProgress
{
    /// <summary>The peers of the batch, as far as known: all of them once <see cref="AllKnown"/>.</summary>
    public int Expected { get; init; }

    /// <summary>Whether every peer of the batch is known (a lazily enumerated batch is counted as it is read).</summary>
    public bool AllKnown { get; init; }

    /// <summary>Handshakes begun so far.</summary>
    public int Started { get; init; }

    public int Succeeded { get; init; }

    public int Failed { get; init; }

    /// <summary>Handshakes under way now.</summary>
    public int InFlight { get; init; }

    /// <summary>Succeeded or failed.</summary>
    public int Finished => Succeeded + Failed;

    /// <summary>The peer whose handshake ended last, if any, and whether it succeeded.</summary>
    public TorrentPeer? LastFinished { get; init; }

    public bool LastSucceeded { get; init; }

    /// <summary>When this snapshot was taken (the handshaker's clock).</summary>
    public required DateTimeOffset At { get; init; }

    /// <summary>
    /// The latest the batch can end by the handshake timeouts (each peer's connect, handshake and extension handshake
    /// in turn, so many at once); null while the batch's size is not known. <see cref="At"/> once complete.
    /// </summary>
    public DateTimeOffset? EndsBy { get; init; }

    /// <summary>The most the batch can still take as of <see cref="At"/>; null while not known.</summary>
    public TimeSpan? TimeRemaining => EndsBy is { } end ? (end > At ? end - At : TimeSpan.Zero) : null;

    /// <summary>Handshakes finished per second, over the last few seconds.</summary>
    public double RatePerSecond { get; init; }

    /// <summary>
    /// The time the rest should take at <see cref="RatePerSecond"/>, never more than <see cref="TimeRemaining"/> (which
    /// stands in while there is no rate yet); null while neither is known.
    /// </summary>
    public TimeSpan? EstimatedRemaining
    {
        get
        {
            var left = Expected - Finished;
            if (!AllKnown || RatePerSecond <= 0 || left <= 0)
            {
                return left <= 0 && AllKnown ? TimeSpan.Zero : TimeRemaining;
            }

            var byRate = TimeSpan.FromSeconds(left / RatePerSecond);
            return TimeRemaining is { } most && most < byRate ? most : byRate;
        }
    }

    /// <summary>The batch has ended: nothing more will change.</summary>
    public bool IsComplete { get; init; }
}
