namespace TorrentPS.Engine.Storage;

/// <summary>How a <see cref="PieceStore"/> uses the disk.</summary>
internal sealed record PieceStoreOptions
{
    public static PieceStoreOptions Default { get; } = new();

    /// <summary>The most file handles kept open at once (least recently used closed first). At least 1.</summary>
    public int MaxOpenFiles { get; init; } = 16;

    /// <summary>Open files for reading only and never create anything (seeding, verification).</summary>
    public bool ReadOnly { get; init; }
}
