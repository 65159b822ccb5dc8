namespace TorrentPS.Engine.Swarm;

/// <summary>The peers to unchoke this round (every other connected peer is choked), and which of them holds the optimistic slot.</summary>
internal sealed record ChokeDecision(IReadOnlySet<int> Unchoked, int? Optimistic);
