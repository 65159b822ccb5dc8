using System.Management.Automation;
using TorrentPS.Bridge;
using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Paths;

namespace TorrentPS.Torrents;

/// <summary>
/// The one parameter block of the cmdlets that take torrents (Test-Torrent, ConvertTo-MagnetLink, Start-TorrentDownload,
/// Start-TorrentSeed, Save-TorrentPiece): <c>-Path</c> (wildcards; a magnet link given here, or piped as text, is taken as
/// one), <c>-LiteralPath</c> (binds PSPath, so <c>Get-ChildItem *.torrent | …</c> works, and SourcePath, so a TorrentInfo or
/// a DownloadResult that came back through Export-Clixml, a job or a CSV file is read again) with <c>-InfoHash</c> (the
/// info hash that file must have), or <c>-Torrent</c> (a TorrentInfo from Get-TorrentInfo). <see cref="CollectInputs"/>
/// turns this record's arguments into <see cref="TorrentInput"/>s on the pipeline thread.
/// </summary>
public abstract class TorrentInputCmdlet : AsyncCmdlet
{
    internal const string PathSet = "Path";
    internal const string LiteralPathSet = "LiteralPath";
    internal const string TorrentSet = "Torrent";

    /// <summary>Paths of .torrent files (wildcards allowed), or magnet links.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = PathSet)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = [];

    /// <summary>
    /// Paths of .torrent files, used exactly as written. Binds PSPath (Get-ChildItem) and SourcePath (a TorrentInfo or a
    /// DownloadResult, or one that came back from Export-Clixml, a job or a CSV file: the file is read again).
    /// </summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = LiteralPathSet)]
    [Alias("PSPath", "LP", "SourcePath")]
    [ValidateNotNullOrEmpty]
    public string[] LiteralPath { get; set; } = [];

    /// <summary>The info hash the torrent at -LiteralPath must have (a piped object's InfoHash): a changed file is an error.</summary>
    /// <remarks>
    /// Virtual so that a cmdlet with a MagnetLink set puts it there too: a piped MagnetLink binds -MagnetLink by its Uri and
    /// -InfoHash by its (text) InfoHash in the same pass, and both must be in one set.
    /// </remarks>
    [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = LiteralPathSet)]
    [ArgumentCompleter(typeof(Completion.InfoHashCompleter))]
    public virtual string? InfoHash { get; set; }

    /// <summary>A torrent from Get-TorrentInfo.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = TorrentSet)]
    public TorrentInfo Torrent { get; set; } = null!;

    /// <summary>
    /// This record's torrents, in the order given: the piped TorrentInfo, the magnet links among -Path, and the files the
    /// paths resolve to. Each bad path, link or -InfoHash is a non-terminating error and the rest go on. Call it on the
    /// pipeline thread (path resolution reads session state).
    /// </summary>
    private protected List<TorrentInput> CollectInputs()
    {
        var inputs = new List<TorrentInput>();
        switch (ParameterSetName)
        {
            case TorrentSet:
                if (Torrent is not null)
                {
                    inputs.Add(TorrentInput.ForTorrent(Torrent));
                }

                break;
            case LiteralPathSet:
                InfoHash? expected;
                try
                {
                    expected = TorrentReference.ParseExpected(InfoHash);
                }
                catch (TorrentPSException ex)
                {
                    WriteError(ex, InfoHash);
                    break;
                }

                inputs.AddRange(FileSystemPathResolver.Resolve(this, LiteralPath, literal: true, WriteError).Select(file => TorrentInput.ForPath(file, expected)));
                break;
            default:
                var paths = new List<string>();
                foreach (var path in Path)
                {
                    if (!TorrentInput.LooksLikeMagnet(path))
                    {
                        paths.Add(path);
                        continue;
                    }

                    try
                    {
                        inputs.Add(TorrentInput.ForMagnet(MagnetLink.Parse(path.Trim())));
                    }
                    catch (TorrentPSException ex)
                    {
                        WriteError(ex, path);
                    }
                }

                inputs.AddRange(FileSystemPathResolver.Resolve(this, paths, literal: false, WriteError).Select(file => TorrentInput.ForPath(file)));
                break;
        }

        return inputs;
    }
}
