using System.Management.Automation;
using TorrentPS.Bridge;
using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Session;
using TorrentPS.Engine.Storage;
using TorrentPS.Torrents;

namespace TorrentPS.Commands;

/// <summary>
/// Set-Torrent: changes a running torrent's files while it runs: <c>-File</c> (wildcards or TorrentFile objects) at
/// <c>-Priority</c> (Skip stops fetching them; High fetches them first). The torrent re-plans at once, without a restart:
/// newly chosen files take the bytes already kept for them, pieces no longer wanted stop, and the torrent completes when
/// every chosen file is complete. The torrents are those of this process's session, named by -Name (wildcards) or
/// -InfoHash. With -PassThru, writes each torrent's files with their priorities.
/// </summary>
[Cmdlet(VerbsCommon.Set, "Torrent", DefaultParameterSetName = NameSet, SupportsShouldProcess = true)]
[OutputType(typeof(TorrentFilePriority))]
public sealed class SetTorrentCommand : AsyncCmdlet
{
    private const string NameSet = "Name";
    private const string InfoHashSet = "InfoHash";

    private readonly List<(Torrent Torrent, IReadOnlyList<int> Files)> _changes = [];

    /// <summary>The names of running torrents; wildcards allowed.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = NameSet)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] Name { get; set; } = [];

    /// <summary>Info hashes of running torrents (40 hex digits or 32 base32 characters).</summary>
    [Parameter(Mandatory = true, ParameterSetName = InfoHashSet)]
    [ValidateNotNullOrEmpty]
    public string[] InfoHash { get; set; } = [];

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

    /// <summary>On the pipeline thread: the torrents and files chosen, ShouldProcess; the changes run in <see cref="ProcessRecordAsync"/>.</summary>
    protected override void ProcessRecord()
    {
        _changes.Clear();
        var choice = FileChoice.Of(File);
        foreach (var torrent in Selected())
        {
            if (torrent.Info is not { } info)
            {
                WriteError(new TorrentPSException("TorrentMetadataNotKnown", TorrentErrorKind.ResourceUnavailable, $"'{torrent.Name}' is still fetching its metadata from peers: its files are not known yet. Try again once it is downloading."), torrent.Name);
                continue;
            }

            IReadOnlyList<int> files;
            try
            {
                files = choice.FindFiles(info);
            }
            catch (TorrentPSException ex)
            {
                WriteError(ex, torrent.Name);
                continue;
            }

            if (files.Count == 0)
            {
                WriteWarning($"No file of '{Engine.Text.DisplayText.Escape(info.Name)}' matches {choice.Describe()}; nothing changed.");
                continue;
            }

            if (ShouldProcess(info.Name, $"Set {files.Count} of its files to {Priority} ({string.Join(", ", files.Take(3).Select(i => info.Files[i].Path))}{(files.Count > 3 ? ", ..." : string.Empty)})"))
            {
                _changes.Add((torrent, files));
            }
        }

        base.ProcessRecord();
    }

    protected override async Task ProcessRecordAsync(CancellationToken cancellationToken)
    {
        foreach (var (torrent, files) in _changes)
        {
            try
            {
                var selection = await torrent.SetFilePriorityAsync(files, Priority).WaitAsync(cancellationToken).ConfigureAwait(false);
                WriteVerbose($"{Engine.Text.DisplayText.Escape(torrent.Name)}: {selection}.");
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

    /// <summary>The running torrents named; a literal name or an info hash no running torrent has is an error.</summary>
    private List<Torrent> Selected()
    {
        var running = TorrentSession.Shared.Torrents.Where(t => !t.Completion.IsCompleted).ToList();
        var chosen = new List<Torrent>();
        if (ParameterSetName == InfoHashSet)
        {
            foreach (var text in InfoHash)
            {
                Engine.Metainfo.InfoHash hash;
                try
                {
                    hash = Engine.Metainfo.InfoHash.Parse(text);
                }
                catch (Exception ex) when (ex is FormatException or ArgumentException or TorrentPSException)
                {
                    WriteError(new TorrentPSException("InvalidInfoHash", TorrentErrorKind.InvalidArgument, $"'{text}' is not an info hash: 40 hexadecimal digits or 32 base32 characters.", ex), text);
                    continue;
                }

                AddOrReport(running.Where(t => t.InfoHash == hash).ToList(), text, wildcard: false, chosen);
            }

            return chosen;
        }

        foreach (var name in Name)
        {
            var pattern = WildcardPattern.Get(name, WildcardOptions.IgnoreCase);
            AddOrReport(running.Where(t => pattern.IsMatch(t.Name)).ToList(), name, WildcardPattern.ContainsWildcardCharacters(name), chosen);
        }

        return chosen;
    }

    private void AddOrReport(List<Torrent> found, string asked, bool wildcard, List<Torrent> chosen)
    {
        if (found.Count == 0 && !wildcard)
        {
            WriteError(new TorrentPSException("TorrentNotFound", TorrentErrorKind.ObjectNotFound, $"No running torrent of this session is '{Engine.Text.DisplayText.Escape(asked)}'."), asked);
        }

        chosen.AddRange(found.Where(t => !chosen.Contains(t)));
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
