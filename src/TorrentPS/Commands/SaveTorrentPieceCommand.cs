using System.Globalization;
using System.Management.Automation;
using TorrentPS.Bridge;
using TorrentPS.Paths;
using TorrentPS.Torrents;
using TorrentPS.Transfers;

namespace TorrentPS.Commands;

/// <summary>
/// Save-TorrentPiece: downloads pieces of a torrent from its peers, checks each against its hash and writes its bytes to a
/// file (whole, or not at all); writes each file's FileInfo. -Index takes several indexes, and numbers piped in
/// (<c>$result.InvalidPieces | Save-TorrentPiece x.torrent -Destination ./pieces</c>). One piece goes to the file
/// -Destination names; several go to <c>piece-&lt;index&gt;</c> files in the folder it names. All the pieces of a torrent
/// come in one run of it.
/// </summary>
[Cmdlet(VerbsData.Save, "TorrentPiece", DefaultParameterSetName = PathSet, SupportsShouldProcess = true)]
[OutputType(typeof(FileInfo))]
public sealed class SaveTorrentPieceCommand : TransferCmdlet
{
    private readonly List<(TorrentInput Input, SortedSet<int> Indexes)> _wanted = [];
    private string _destination = string.Empty;
    private bool _destinationIsFolder;

    /// <summary>The indexes of the pieces, from 0; numbers piped in are indexes too.</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipeline = true)]
    [ValidateRange(0, int.MaxValue)]
    public int[] Index { get; set; } = [];

    /// <summary>
    /// The file one piece's bytes are written to (replaced if it exists); for several pieces, or a folder that exists or a
    /// path that ends with a separator, the folder that receives <c>piece-&lt;index&gt;</c> files.
    /// </summary>
    [Parameter(Mandatory = true, Position = 2)]
    [ValidateNotNullOrEmpty]
    public string Destination { get; set; } = string.Empty;

    /// <summary>Give up after this many seconds without any progress; 0 waits until stopped.</summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int TimeoutSec { get; set; } = TransferSettings.DefaultTimeoutSec;

    private protected override TransferSettings Settings => new() { TimeoutSec = TimeoutSec };

    protected override void BeginProcessing()
    {
        try
        {
            _destination = FileSystemPathResolver.ResolveOutput(this, Destination, literal: true);
            _destinationIsFolder = Directory.Exists(_destination) || Destination.EndsWith('/') || Destination.EndsWith(System.IO.Path.DirectorySeparatorChar);
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            ThrowTerminatingError(ErrorRecordFactory.Create(ex, Destination));
        }

        base.BeginProcessing();
    }

    protected override void ProcessRecord()
    {
        foreach (var input in CollectInputs())
        {
            // The same torrent named again (a number piped in each record, the path bound once) adds to its pieces.
            var entry = _wanted.FirstOrDefault(w => SameTorrent(w.Input, input));
            if (entry.Indexes is null)
            {
                entry = (input, new SortedSet<int>());
                _wanted.Add(entry);
            }

            foreach (var index in Index)
            {
                if (!entry.Indexes.Contains(index) && ShouldProcess(_destination, string.Create(CultureInfo.InvariantCulture, $"Save piece {index} of {input.Description}")))
                {
                    entry.Indexes.Add(index);
                }
            }
        }
    }

    protected override void EndProcessing()
    {
        var several = _wanted.Count(w => w.Indexes.Count > 0) > 1;
        foreach (var (input, indexes) in _wanted.Where(w => w.Indexes.Count > 0))
        {
            Add(new PieceDownload(input, Files(input, indexes, several)));
        }

        base.EndProcessing();
    }

    /// <summary>Where each piece goes: the destination file for one piece, else <c>piece-&lt;index&gt;</c> files in the destination folder.</summary>
    private Dictionary<int, string> Files(TorrentInput input, SortedSet<int> indexes, bool severalTorrents)
    {
        if (indexes.Count == 1 && !_destinationIsFolder && !severalTorrents)
        {
            return new Dictionary<int, string> { [indexes.Min] = _destination };
        }

        // Several torrents into one folder: each file starts with its torrent's name so none overwrites another's.
        var prefix = severalTorrents ? System.IO.Path.GetFileNameWithoutExtension(input.Description) + "-" : string.Empty;
        return indexes.ToDictionary(i => i, i => System.IO.Path.Combine(_destination, string.Create(CultureInfo.InvariantCulture, $"{prefix}piece-{i}")));
    }

    private static bool SameTorrent(TorrentInput a, TorrentInput b)
        => (a.Path is not null && a.Path == b.Path)
           || (a.Torrent is not null && ReferenceEquals(a.Torrent, b.Torrent))
           || (a.Magnet is not null && b.Magnet is not null && a.Magnet.Hash.Equals(b.Magnet.Hash));
}
