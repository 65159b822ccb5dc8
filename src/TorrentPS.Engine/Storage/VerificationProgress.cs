namespace TorrentPS.Engine.Storage;

/// <summary>How far a check has come: bytes read and hashed of those to hash (missing data is never read, so it does not count).</summary>
public readonly record struct VerificationProgress(long BytesChecked, long TotalBytes);
