using System.Management.Automation;
using TorrentPS.Bridge;
using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Session;
using TorrentPS.Engine.Storage;
using TorrentPS.Engine.Text;
using TorrentPS.Session;
using TorrentPS.Torrents;

namespace TorrentPS.Commands;

/// <summary>
/// Set-Torrent: changes a torrent's files: <c>-File</c> (wildcards or TorrentFile objects) at <c>-Priority</c> (Skip
/// stops fetching them; High fetches them first). A running torrent re-plans at once, without a restart: newly chosen
/// files take the bytes already kept for them, pieces no longer wanted stop, and the torrent completes when every chosen
/// file is complete. A paused or stopped torrent takes the change when it resumes. The torrents are the session's, chosen
/// as Get-Torrent chooses them (Torrent objects, -Name with wildcards, -InfoHash). With -PassThru, writes each torrent's
/// files with their priorities.
/// </summary>
[Cmdlet(VerbsCommon.Set, "Torrent", DefaultParameterSetName = NameSet, SupportsShouldProcess = true)]
[OutputType(typeof(TorrentFilePriority))]
public sealed class SetTorrentCommand : TorrentSelectorCmdlet
{
    private readonly List<(Torrent Torrent, IReadOnlyList<int> Files)> _changes = [];

    /// <summary>The files to change: paths inside the torrent with wildcards ('*' for every file), or TorrentFile objects.</summary>
    [Parameter(Mandatory = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [TorrentFilePattern]
    public string[] File { get; set; } = [];

    /// <summary>Skip (not fetched), Low, Normal or High (fetched first).</summary>
    [Parameter(Mandatory = true)]
    public FilePriority Priority { get; set; }

    /// <summary>Writes each torrent's files with their priorities once the change applies.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>On the pipeline thread: the files of each torrent chosen, ShouldProcess; the changes run in <see cref="ProcessRecordAsync"/>.</summary>
    private protected override bool Choose(Torrent torrent)
    {
        if (torrent.Info is not { } info)
        {
            WriteError(new TorrentPSException("TorrentMetadataNotKnown", TorrentErrorKind.ResourceUnavailable, $"'{DisplayText.Escape(torrent.Name)}' is still fetching its metadata from peers: its files are not known yet. Try again once it is downloading."), torrent.Name);
            return false;
        }

        var choice = FileChoice.Of(File);
        IReadOnlyList<int> files;
        try
        {
            files = choice.FindFiles(info);
        }
        catch (TorrentPSException ex)
        {
            WriteError(ex, torrent.Name);
            return false;
        }

        if (files.Count == 0)
        {
            WriteWarning($"No file of '{DisplayText.Escape(info.Name)}' matches {choice.Describe()}; nothing changed.");
            return false;
        }

        if (!ShouldProcess(info.Name, $"Set {files.Count} of its files to {Priority} ({string.Join(", ", files.Take(3).Select(i => info.Files[i].Path))}{(files.Count > 3 ? ", ..." : string.Empty)})"))
        {
            return false;
        }

        _changes.Add((torrent, files));
        return true;
    }

    protected override void ProcessRecord()
    {
        _changes.Clear();
        base.ProcessRecord();
    }

    protected override async Task ProcessRecordAsync(CancellationToken cancellationToken)
    {
        foreach (var (torrent, files) in _changes)
        {
            try
            {
                var selection = await torrent.SetFilePriorityAsync(files, Priority).WaitAsync(cancellationToken).ConfigureAwait(false);
                WriteVerbose($"{DisplayText.Escape(torrent.Name)}: {selection}.");
                if (PassThru)
                {
                    foreach (var file in TorrentFilePriority.Of(torrent.Info!, selection))
                    {
                        WriteObject(file);
                    }
                }
            }
            catch (Exception ex) when (ex is TorrentPSException or IOException or UnauthorizedAccessException or ArgumentException)
            {
                WriteError(ex, torrent.Name);
            }
        }
    }
}

/// <summary>One file of a torrent and its priority (Set-Torrent -PassThru).</summary>
/// <param name="Name">The torrent's name.</param>
/// <param name="Path">The file's path inside the torrent.</param>
/// <param name="Length">The file's length in bytes.</param>
/// <param name="Priority">Skip, Low, Normal or High.</param>
public sealed record TorrentFilePriority(string Name, string Path, long Length, FilePriority Priority)
{
    /// <summary>Each file of <paramref name="torrent"/> (padding aside) with its priority in <paramref name="selection"/>.</summary>
    public static IEnumerable<TorrentFilePriority> Of(TorrentInfo torrent, FileSelection selection)
    {
        for (var i = 0; i < torrent.Files.Count; i++)
        {
            if (!torrent.Files[i].IsPadding)
            {
                yield return new TorrentFilePriority(torrent.Name, torrent.Files[i].Path, torrent.Files[i].Length, selection[i]);
            }
        }
    }
}
