namespace TorrentPS.Engine.Swarm;

/// <summary>One connected peer as the choker sees it: a snapshot the loop takes every round.</summary>
/// <param name="Id">The connection's id.</param>
/// <param name="Interested">The peer wants something we have.</param>
/// <param name="Snubbed">It stopped sending what we asked for.</param>
/// <param name="DownloadRate">Bytes per second it sends us.</param>
/// <param name="UploadRate">Bytes per second we send it.</param>
/// <param name="ConnectedAt">When it connected (a timestamp): new peers are favoured for the optimistic slot.</param>
internal readonly record struct ChokeCandidate(int Id, bool Interested, bool Snubbed, double DownloadRate, double UploadRate, long ConnectedAt);
