using TorrentPS.Engine.Metainfo;

namespace TorrentPS.Engine.Trackers;

/// <summary>
/// How far one discovery (<see cref="TrackerPeerDiscovery"/>) or status query (<see cref="TrackerStatusQuery"/>) has
/// got, as the engine schedules it (tiers, the stagger within a tier, the cap on trackers, the overall deadline):
/// everything a progress display needs, so none re-derives those rules. Immutable; a new one is published at every
/// change, and the last has <see cref="IsComplete"/>.
/// </summary>
public sealed record TrackerBatchProgress
{
    /// <summary>The torrent whose trackers are asked.</summary>
    public required InfoHash InfoHash { get; init; }

    /// <summary>The trackers that are (or were to be) contacted, tier by tier in trying order, each with where it stands.</summary>
    public required IReadOnlyList<TrackerAsk> Trackers { get; init; }

    /// <summary>Trackers the torrent lists beyond <see cref="TrackerDiscoveryOptions.MaxTrackers"/>: never contacted, not in <see cref="Trackers"/>.</summary>
    public int NotContacted { get; init; }

    /// <summary>
    /// How many trackers will have answered or failed by the end, as far as known now: those not called off or left
    /// unasked (once a tier's tracker answers, the rest of that tier leave this count). At the end, <see cref="Finished"/>.
    /// </summary>
    public int Expected { get; init; }

    /// <summary>How many trackers have been asked so far (answered, failed, waited on, or called off after asking).</summary>
    public int Asked { get; init; }

    public int Answered { get; init; }

    public int Failed { get; init; }

    /// <summary>Trackers asked whose answer is awaited now.</summary>
    public int InFlight { get; init; }

    /// <summary>Answered or failed.</summary>
    public int Finished => Answered + Failed;

    /// <summary>Distinct peers reported so far (discovery; the magnet link's own peers included). 0 for a status query.</summary>
    public int Peers { get; init; }

    /// <summary>The tracker that answered or failed last, if any.</summary>
    public TrackerAsk? LastFinished { get; init; }

    /// <summary>When this snapshot was taken (the batch's clock).</summary>
    public required DateTimeOffset At { get; init; }

    /// <summary>The overall deadline: trackers still waited on then are reported timed out.</summary>
    public required DateTimeOffset Deadline { get; init; }

    /// <summary>
    /// The latest the trackers' answers can all be in, by the request timeout, the stagger, the slots and the
    /// deadline (never after <see cref="Deadline"/>); <see cref="At"/> once complete.
    /// </summary>
    public required DateTimeOffset EndsBy { get; init; }

    /// <summary>The most the batch can still take, as of <see cref="At"/>.</summary>
    public TimeSpan TimeRemaining => EndsBy > At ? EndsBy - At : TimeSpan.Zero;

    /// <summary>The batch has ended: nothing more will change.</summary>
    public bool IsComplete { get; init; }
}
