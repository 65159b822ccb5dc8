namespace TorrentPS.Engine.Session;

/// <summary>What a <see cref="TransferRequest"/>'s destination names.</summary>
/// <remarks>Based on <see cref="long"/> so <c>ConvertTo-Json</c> writes its name (as <c>TorrentState</c>).</remarks>
public enum ContentLayout : long
{
    /// <summary>
    /// The folder that holds the single file or the multi-file torrent's top folder (<c>-Destination</c>,
    /// <c>-DataPath</c>): <c>folder/&lt;Name&gt;</c>.
    /// </summary>
    InFolder,

    /// <summary>The single file itself, or the folder that receives a multi-file torrent's files directly (<c>tps download -o</c>).</summary>
    AtPath,
}
