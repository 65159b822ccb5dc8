using System.Management.Automation;
using TorrentPS.Bridge;
using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Paths;

namespace TorrentPS.Commands;

/// <summary>
/// Export-Torrent: writes TorrentInfo objects (read from files, or fetched for magnet links) as .torrent files with their
/// original info dictionary bytes, so the info hash stays the same. A -Path that is a folder receives <c>&lt;Name&gt;.torrent</c>.
/// </summary>
[Cmdlet(VerbsData.Export, "Torrent", SupportsShouldProcess = true)]
[OutputType(typeof(FileInfo))]
public sealed class ExportTorrentCommand : AsyncCmdlet
{
    private string _target = string.Empty;

    /// <summary>The torrent to write (from Get-TorrentInfo).</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    public TorrentInfo Torrent { get; set; } = null!;

    /// <summary>The .torrent file to write, or a folder to write <c>&lt;Name&gt;.torrent</c> in.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = string.Empty;

    /// <summary>Replace a file that exists.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Write the file's FileInfo.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        string resolved;
        try
        {
            resolved = FileSystemPathResolver.ResolveOutput(this, Path);
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            ThrowTerminatingError(ErrorRecordFactory.Create(ex, Path));
            return;
        }

        _target = Directory.Exists(resolved) ? System.IO.Path.Combine(resolved, Torrent.Name + ".torrent") : resolved;
        if (ShouldProcess(_target, $"Export torrent {Torrent.Name}"))
        {
            base.ProcessRecord();
        }
    }

    protected override async Task ProcessRecordAsync(CancellationToken cancellationToken)
    {
        try
        {
            await TorrentFileWriter.SaveAsync(Torrent, _target, Force, cancellationToken).ConfigureAwait(false);
            WriteVerbose($"Wrote {Torrent.Name} ({Torrent.InfoHash}) to {_target}.");
            if (PassThru)
            {
                WriteItem(_target);
            }
        }
        catch (Exception ex) when (ex is TorrentPSException or IOException or UnauthorizedAccessException)
        {
            WriteError(Transfers.TransferErrors.Create(ex, _target));
        }
    }
}
