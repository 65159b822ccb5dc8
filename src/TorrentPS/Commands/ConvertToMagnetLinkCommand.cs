using System.Management.Automation;
using TorrentPS.Bridge;
using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Paths;
using TorrentPS.Torrents;

namespace TorrentPS.Commands;

/// <summary>
/// ConvertTo-MagnetLink: the magnet link of a torrent, as a string or a <see cref="MagnetLink"/>. A TorrentInfo that
/// came back through Import-Clixml, a job or a CSV file binds by its SourcePath and InfoHash and is read again.
/// </summary>
[Cmdlet(VerbsData.ConvertTo, "MagnetLink", DefaultParameterSetName = TorrentSet)]
[OutputType(typeof(string), typeof(MagnetLink))]
public sealed class ConvertToMagnetLinkCommand : AsyncCmdlet
{
    private const string TorrentSet = "Torrent";
    private const string LiteralPathSet = "LiteralPath";

    private List<string> _files = [];

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = TorrentSet)]
    public TorrentInfo Torrent { get; set; } = null!;

    /// <summary>Paths of .torrent files, used exactly as written; binds a deserialized TorrentInfo's SourcePath.</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = LiteralPathSet)]
    [Alias("PSPath", "LP", "SourcePath")]
    [ValidateNotNullOrEmpty]
    public string[] LiteralPath { get; set; } = [];

    /// <summary>The info hash the torrent at -LiteralPath must have (a piped TorrentInfo's InfoHash).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = LiteralPathSet)]
    [ArgumentCompleter(typeof(Completion.InfoHashCompleter))]
    public string? InfoHash { get; set; }

    /// <summary>Writes a <see cref="MagnetLink"/> object instead of the link text.</summary>
    [Parameter]
    public SwitchParameter AsObject { get; set; }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == TorrentSet)
        {
            Write(Torrent);
            return;
        }

        // Paths resolve on the pipeline thread; the files are read by the async bridge.
        _files = FileSystemPathResolver.Resolve(this, LiteralPath, literal: true, WriteError);
        base.ProcessRecord();
    }

    protected override async Task ProcessRecordAsync(CancellationToken cancellationToken)
    {
        InfoHash? expected;
        try
        {
            expected = TorrentReference.ParseExpected(InfoHash);
        }
        catch (TorrentPSException ex)
        {
            WriteError(ex, InfoHash);
            return;
        }

        foreach (var file in _files)
        {
            try
            {
                Write(await TorrentReference.LoadAsync(file, expected, cancellationToken).ConfigureAwait(false));
            }
            catch (Exception ex) when (ex is TorrentPSException or IOException or UnauthorizedAccessException)
            {
                WriteError(ex, file);
            }
        }
    }

    private void Write(TorrentInfo torrent)
    {
        var magnet = torrent.ToMagnetLink();
        WriteObject(AsObject ? magnet : magnet.ToString());
    }
}
