namespace TorrentPS.Engine.Storage;

/// <summary>
/// How far a check has come: bytes read and hashed of those to hash (missing data is never read, so it does not
/// count), the rate over the last seconds, and the time left at it (null while unknown).
/// </summary>
public readonly record struct VerificationProgress(long BytesChecked, long TotalBytes, double BytesPerSecond = 0, TimeSpan? TimeRemaining = null);
