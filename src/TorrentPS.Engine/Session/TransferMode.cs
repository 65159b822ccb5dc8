namespace TorrentPS.Engine.Session;

/// <summary>What a <see cref="TransferRequest"/> asks a run of its torrent to do.</summary>
/// <remarks>Based on <see cref="long"/> so <c>ConvertTo-Json</c> writes its name (as <c>TorrentState</c>).</remarks>
public enum TransferMode : long
{
    /// <summary>Download what is missing (then seed toward a goal, if one is given).</summary>
    Download,

    /// <summary>Serve the data already there; download nothing.</summary>
    Seed,

    /// <summary>Fetch some pieces, each into a file of its own (<c>Save-TorrentPiece</c>); not kept after it ends.</summary>
    Pieces,

    /// <summary>Fetch a magnet link's metadata and nothing else; not kept after it ends.</summary>
    Metadata,
}
