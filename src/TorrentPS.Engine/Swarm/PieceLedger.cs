using Microsoft.Extensions.Logging;
using TorrentPS.Engine.Metainfo;

namespace TorrentPS.Engine.Swarm;

/// <summary>
/// The torrent's account of its pieces: which are verified (and how many of the wanted bytes that makes), which failed
/// their hash and whom that blames (a peer blamed for too many is banned), and when progress is due to be saved. Owned
/// by the loop; the check's thread only reports bytes checked.
/// </summary>
internal sealed class PieceLedger : IProgress<long>
{
    /// <summary>Blame that bans a peer: a piece it supplied alone counts 2, one it shared counts 1.</summary>
    public const int BanStrikes = 4;

    private readonly IConnectedPeers _peers;
    private readonly ProgressWatchdog _watchdog;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _name;
    private readonly TimeSpan _checkpointInterval;
    private readonly Action<string> _noteError;
    private PiecePicker? _picker;
    private PieceContext? _context;
    private long _checkedBytes;
    private long _wantedBytes;
    private long _verifiedWantedBytes;
    private bool _dirty;
    private long _lastCheckpointAt;

    public PieceLedger(IConnectedPeers peers, ProgressWatchdog watchdog, TimeSpan checkpointInterval, Action<string> noteError, TimeProvider time, ILogger logger, string name)
    {
        _noteError = noteError;
        _peers = peers;
        _watchdog = watchdog;
        _checkpointInterval = checkpointInterval;
        _time = time;
        _logger = logger;
        _name = name;
    }

    /// <summary>Bytes of the wanted pieces in all. Read whole from any thread (trackers hear what is left).</summary>
    public long WantedBytes => Volatile.Read(ref _wantedBytes);

    /// <summary>Bytes of the wanted pieces verified. Read whole from any thread.</summary>
    public long VerifiedWantedBytes => Volatile.Read(ref _verifiedWantedBytes);

    /// <summary>While checking: bytes of existing data hashed so far (reported from the check's thread).</summary>
    public long CheckedBytes => Volatile.Read(ref _checkedBytes);

    /// <summary>Pieces verified (wanted or not).</summary>
    public int VerifiedPieces => _picker?.Have.Count ?? 0;

    /// <summary>Pieces that failed their hash in this run.</summary>
    public int HashFailures { get; private set; }

    public bool IsComplete => _picker is { IsComplete: true };

    /// <summary>The check of the data on disk ended: these pieces are here.</summary>
    public void Begin(PiecePicker picker, PieceContext context, Bitfield verified, bool worthSaving)
    {
        _picker = picker;
        _context = context;
        for (var i = verified.NextIndex(0); i >= 0; i = verified.NextIndex(i + 1))
        {
            context.Verified.Add(i);
        }

        CountWanted();
        _dirty = worthSaving;
        _watchdog.Progressed(_time.GetTimestamp());
    }

    /// <summary>The picker follows another plan (other files chosen): the wanted bytes, and those verified, are counted again.</summary>
    public void OnReplanned()
    {
        if (_picker is null)
        {
            return;
        }

        CountWanted();
        // The record keeps the selection: save it soon, even when nothing new was verified.
        _dirty = true;
    }

    private void CountWanted()
    {
        var info = _context!.Torrent;
        var wantedPieces = _picker!.Wanted;
        var have = _picker.Have;
        long wanted = 0;
        long verifiedWanted = 0;
        for (var i = wantedPieces.NextIndex(0); i >= 0; i = wantedPieces.NextIndex(i + 1))
        {
            var length = info.GetPieceLength(i);
            wanted += length;
            verifiedWanted += have[i] ? length : 0;
        }

        Volatile.Write(ref _wantedBytes, wanted);
        Volatile.Write(ref _verifiedWantedBytes, verifiedWanted);
    }

    void IProgress<long>.Report(long value) => Volatile.Write(ref _checkedBytes, value);

    /// <summary>A piece hashed right and was written: true when it is new (it may now be uploaded and announced).</summary>
    public bool OnVerified(int index)
    {
        if (_picker is null || _context is null || _picker.Have[index])
        {
            return false;
        }

        _picker.MarkVerified(index);
        _context.Verified.Add(index);
        _context.Assembler.Remove(index);
        if (_picker.Wanted[index])
        {
            Volatile.Write(ref _verifiedWantedBytes, _verifiedWantedBytes + _context.Torrent.GetPieceLength(index));
        }

        _dirty = true;
        _watchdog.Progressed(_time.GetTimestamp());
        return true;
    }

    /// <summary>A piece failed its hash: its blocks are missing again, and the peers that supplied them are blamed; repeat offenders are banned.</summary>
    public void OnFailed(int index, int[] contributors)
    {
        HashFailures++;
        _noteError($"piece {index} failed its hash check");
        _logger.LogWarning("{Torrent}: piece {Index} failed its hash check; it will be fetched again (blocks from {Peers})", _name, index, string.Join(", ", contributors.Select(Describe)));
        if (_picker?.GetProgress(index) is { } progress)
        {
            progress.Suspects = contributors;
        }

        var blame = contributors.Length == 1 ? 2 : 1;
        foreach (var id in contributors)
        {
            if (!_peers.TryGet(id, out var peer))
            {
                continue;
            }

            peer.Strikes += blame;
            if (peer.Strikes >= BanStrikes)
            {
                _peers.Ban(peer, $"sent data that failed the hash check of {peer.Strikes / 2}+ pieces");
            }
        }
    }

    /// <summary>
    /// The pieces to save now, when a save is due (something was verified since the last one, and the interval passed
    /// or <paramref name="force"/>); null when none is. The caller saves them off the loop.
    /// </summary>
    public Bitfield? TakeCheckpoint(long now, bool force = false)
    {
        if (_picker is null || !_dirty || (!force && _time.GetElapsedTime(_lastCheckpointAt, now) < _checkpointInterval))
        {
            return null;
        }

        _dirty = false;
        _lastCheckpointAt = now;
        return _picker.Have.Clone();
    }

    /// <summary>The pieces verified now (for the final save), or null before the pieces are known.</summary>
    public Bitfield? Snapshot() => _picker?.Have.Clone();

    private string Describe(int id) => _peers.TryGet(id, out var peer) ? peer.ToString() : $"#{id} (gone)";
}
