using System.Management.Automation;
using TorrentPS.Bridge;
using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Paths;

namespace TorrentPS.Commands;

/// <summary>
/// Export-Torrent: writes TorrentInfo objects (read from files, or fetched for magnet links) as .torrent files with their
/// original info dictionary bytes, so the info hash stays the same. A -Path that is a folder, ends with a separator or does
/// not end with <c>.torrent</c> is a folder (made when missing) that receives <c>&lt;Name&gt;.torrent</c>.
/// </summary>
[Cmdlet(VerbsData.Export, "Torrent", SupportsShouldProcess = true)]
[OutputType(typeof(FileInfo))]
public sealed class ExportTorrentCommand : AsyncCmdlet
{
    private string _target = string.Empty;

    /// <summary>The torrent to write (from Get-TorrentInfo).</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    public TorrentInfo Torrent { get; set; } = null!;

    /// <summary>The .torrent file to write, or a folder to write <c>&lt;Name&gt;.torrent</c> in (any path not ending with .torrent).</summary>
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

        if (!NamesFolder(Path, resolved))
        {
            _target = resolved;
        }
        else
        {
            _target = System.IO.Path.Combine(resolved, Torrent.Name + ".torrent");
            if (!Directory.Exists(resolved))
            {
                if (!ShouldProcess(resolved, "Create folder"))
                {
                    return;
                }

                try
                {
                    Directory.CreateDirectory(resolved);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    WriteError(Transfers.TransferErrors.Create(ex, resolved));
                    return;
                }
            }
        }

        if (ShouldProcess(_target, $"Export torrent {Torrent.Name}"))
        {
            base.ProcessRecord();
        }
    }

    /// <summary>
    /// -Path is a folder to write <c>&lt;Name&gt;.torrent</c> in when it is one, ends with a separator, or does not name a
    /// .torrent file (<c>-Path ./torrents</c>); it is made when missing.
    /// </summary>
    internal static bool NamesFolder(string path, string resolved)
        => Directory.Exists(resolved)
           || path.EndsWith('/') || path.EndsWith(System.IO.Path.DirectorySeparatorChar)
           || !resolved.EndsWith(".torrent", StringComparison.OrdinalIgnoreCase);

    protected override async Task ProcessRecordAsync(CancellationToken cancellationToken)
    {
        try
        {
            await TorrentFileWriter.SaveAsync(Torrent, _target, Force, cancellationToken).ConfigureAwait(false);
            WriteVerbose($"Wrote {Torrent.Name} ({Torrent.Hash}) to {_target}.");
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
