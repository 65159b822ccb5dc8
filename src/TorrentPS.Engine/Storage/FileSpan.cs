namespace TorrentPS.Engine.Storage;

/// <summary>
/// The part of a byte range (a block or a piece) that lies in one file: <see cref="Length"/> bytes at
/// <see cref="FileOffset"/> in file <see cref="FileIndex"/>, which are the bytes at <see cref="BufferOffset"/> of the
/// range's buffer. Padding files yield spans too (the store skips them on write and reads them as zeros).
/// </summary>
internal readonly record struct FileSpan(int FileIndex, long FileOffset, int BufferOffset, int Length);
