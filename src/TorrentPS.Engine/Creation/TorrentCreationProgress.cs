namespace TorrentPS.Engine.Creation;

/// <summary>
/// How far the hashing of a new torrent has come: bytes of the files read and hashed, of all their bytes; the rate over
/// the last seconds, and the time left at it (null while unknown).
/// </summary>
public readonly record struct TorrentCreationProgress(long BytesHashed, long TotalBytes, double BytesPerSecond = 0, TimeSpan? TimeRemaining = null);
