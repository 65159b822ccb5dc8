using System.Management.Automation;
using TorrentPS.Bridge;
using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Session;
using TorrentPS.Engine.Swarm;

namespace TorrentPS.Session;

/// <summary>
/// Base of the cmdlets that act on the session's torrents (Get-Torrent, Suspend-, Resume-, Stop-, Remove-, Wait-Torrent):
/// <c>-Torrent</c> (Torrent objects from the pipeline), <c>-Name</c> (wildcards) or <c>-InfoHash</c>. The choice is made by <see cref="TorrentSelection"/>; a literal name or an
/// info hash the session does not hold is a non-terminating <c>TorrentNotFound</c> error. The first command to use the
/// session shows what went wrong when its state folder was opened.
/// </summary>
public abstract class TorrentSelectorCmdlet : AsyncCmdlet
{
    internal const string NameSet = "Name";
    internal const string TorrentSet = "Torrent";
    internal const string InfoHashSet = "InfoHash";

    /// <summary>Torrent objects (from Get-Torrent, a job's Torrent, a StateChanged event).</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = TorrentSet)]
    [ValidateNotNull]
    public Torrent[] Torrent { get; set; } = [];

    /// <summary>The names of torrents; wildcards allowed.</summary>
    [Parameter(Position = 0, ParameterSetName = NameSet)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] Name { get; set; } = [];

    /// <summary>
    /// Info hashes (40 hex digits or 32 base32 characters). Not bound from piped objects: a peer, a tracker status or a
    /// check result carries an info hash too, and must not choose a torrent to stop or remove on its own.
    /// </summary>
    [Parameter(Mandatory = true, ParameterSetName = InfoHashSet)]
    [ValidateNotNullOrEmpty]
    public string[] InfoHash { get; set; } = [];

    /// <summary>The session the torrents are in.</summary>
    internal static TorrentSession Session => ModuleSession.Session;

    /// <summary>Whether the command needs torrents named (Stop-Torrent does; Get-Torrent lists every torrent without a name).</summary>
    private protected virtual bool NeedsSelection => true;

    /// <summary>States that narrow the choice (Get-Torrent -State); none by default.</summary>
    private protected virtual IReadOnlyCollection<TorrentState>? StateFilter => null;

    protected override void BeginProcessing()
    {
        foreach (var warning in ModuleSession.TakeWarnings())
        {
            WriteWarning(warning);
        }

        base.BeginProcessing();
    }

    /// <summary>The torrents this record chose (and <see cref="Choose"/> let through), for <see cref="AsyncCmdlet.ProcessRecordAsync"/>.</summary>
    private protected IReadOnlyList<Torrent> Chosen { get; private set; } = [];

    /// <summary>On the pipeline thread: the torrents chosen (errors written for those not held), then the work on the thread pool.</summary>
    protected override void ProcessRecord()
    {
        Chosen = Selected().Where(Choose).ToArray();
        base.ProcessRecord();
    }

    /// <summary>Whether to act on <paramref name="torrent"/> (ShouldProcess); on the pipeline thread. Yes by default.</summary>
    private protected virtual bool Choose(Torrent torrent) => true;

    /// <summary>This record's torrents; writes an error for each name or info hash not held.</summary>
    private IReadOnlyList<Torrent> Selected()
    {
        if (ParameterSetName == TorrentSet)
        {
            return Torrent.Where(t => t is not null).ToArray();
        }

        IReadOnlyList<InfoHash>? hashes = null;
        if (ParameterSetName == InfoHashSet)
        {
            try
            {
                hashes = TorrentSelection.ParseInfoHashes(InfoHash);
            }
            catch (TorrentPSException ex)
            {
                WriteError(ex, InfoHash);
                return [];
            }
        }

        if (ParameterSetName == NameSet && Name.Length == 0 && NeedsSelection)
        {
            ThrowTerminatingError(ErrorRecordFactory.Create(
                new TorrentPSException("TorrentNotNamed", TorrentErrorKind.InvalidArgument, $"{MyInvocation.MyCommand.Name} acts on the torrents named: give -Name (wildcards; '*' for every torrent), -InfoHash, or pipe Torrent objects from Get-Torrent."),
                null));
        }

        var names = Name.Select(n => new TorrentSelection.NamePattern(n, WildcardPattern.Get(n, WildcardOptions.IgnoreCase).IsMatch, WildcardPattern.ContainsWildcardCharacters(n))).ToArray();
        var (selected, notFound) = TorrentSelection.Select(Session.Torrents, names, hashes, StateFilter);
        foreach (var (target, error) in notFound)
        {
            WriteError(error, target);
        }

        return selected;
    }
}
