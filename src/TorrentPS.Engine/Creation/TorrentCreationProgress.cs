namespace TorrentPS.Engine.Creation;

/// <summary>How far the hashing of a new torrent has come: bytes of the files read and hashed, of all their bytes.</summary>
public readonly record struct TorrentCreationProgress(long BytesHashed, long TotalBytes);
