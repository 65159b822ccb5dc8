using System.Management.Automation;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Paths;
using TorrentPS.Storage;

namespace TorrentPS.Transfers;

/// <summary>
/// The transfer cmdlets that take torrents: <c>-Path</c> (wildcards), <c>-LiteralPath</c> (binds PSPath, so
/// <c>Get-ChildItem *.torrent | …</c> works) or <c>-Torrent</c> (a TorrentInfo from Get-TorrentInfo).
/// </summary>
public abstract class TorrentTransferCmdlet : TransferCmdlet
{
    internal const string PathSet = "Path";
    internal const string LiteralPathSet = "LiteralPath";
    internal const string TorrentSet = "Torrent";

    /// <summary>Paths of .torrent files; wildcards allowed.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = PathSet)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = [];

    /// <summary>
    /// Paths of .torrent files, used exactly as written. Binds PSPath (Get-ChildItem) and SourcePath (a TorrentInfo that came
    /// back from Export-Clixml, a job or a CSV file, and so is read again).
    /// </summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = LiteralPathSet)]
    [Alias("PSPath", "LP", "SourcePath")]
    [ValidateNotNullOrEmpty]
    public string[] LiteralPath { get; set; } = [];

    /// <summary>A torrent from Get-TorrentInfo.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = TorrentSet)]
    public TorrentInfo Torrent { get; set; } = null!;

    /// <summary>This record's torrents: the piped TorrentInfo, or the files the paths resolve to (each bad path is a non-terminating error).</summary>
    private protected IEnumerable<(TorrentCheckInput Input, string Description)> Inputs()
    {
        if (ParameterSetName == TorrentSet)
        {
            return Torrent is null ? [] : [(TorrentCheckInput.ForTorrent(Torrent), Torrent.Name)];
        }

        var literal = ParameterSetName == LiteralPathSet;
        return FileSystemPathResolver.Resolve(this, literal ? LiteralPath : Path, literal, WriteError)
            .Select(file => (TorrentCheckInput.ForPath(file), file));
    }
}
