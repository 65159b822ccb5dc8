using System.Management.Automation;
using TorrentPS.Bridge;
using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Paths;
using TorrentPS.Torrents;

namespace TorrentPS.Commands;

/// <summary>Get-TorrentInfo: reads .torrent files into <see cref="TorrentInfo"/> objects.</summary>
[Cmdlet(VerbsCommon.Get, "TorrentInfo", DefaultParameterSetName = PathSet)]
[OutputType(typeof(TorrentInfo))]
public sealed class GetTorrentInfoCommand : AsyncCmdlet
{
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";

    private List<string> _files = [];

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = PathSet)]
    [SupportsWildcards]
    public string[] Path { get; set; } = [];

    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = LiteralPathSet)]
    [Alias("PSPath", "LP", "SourcePath")]
    public string[] LiteralPath { get; set; } = [];

    protected override void ProcessRecord()
    {
        // Session state (path resolution) belongs to the pipeline thread; reading the files does not.
        var literal = ParameterSetName == LiteralPathSet;
        _files = FileSystemPathResolver.Resolve(this, literal ? LiteralPath : Path, literal, WriteError);
        base.ProcessRecord();
    }

    protected override async Task ProcessRecordAsync(CancellationToken cancellationToken)
    {
        foreach (var file in _files)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                var torrent = await TorrentInfo.LoadAsync(file, cancellationToken).ConfigureAwait(false);
                WriteVerbose(TorrentNarration.Read(torrent, file));
                WriteObject(torrent);
            }
            catch (Exception ex) when (ex is TorrentPSException or IOException or UnauthorizedAccessException)
            {
                WriteError(ex, file);
            }
        }
    }
}
