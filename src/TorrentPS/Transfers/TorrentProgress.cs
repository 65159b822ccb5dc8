using System.Globalization;
using TorrentPS.Bridge.Progress;
using TorrentPS.Engine.Session;
using TorrentPS.Engine.Swarm;
using TorrentPS.Formatting;

namespace TorrentPS.Transfers;

/// <summary>
/// A running torrent's progress: its status snapshots (drained from the engine's feed, never on the torrent's loop)
/// become one activity per torrent — percent, bytes of total, rate, peers and time remaining while downloading;
/// <c>Fetching metadata from N peers</c> first for a magnet link; uploaded bytes, rate, ratio and peers (and how far
/// towards the seed goal, with the time left) while seeding — with a child activity while the data already on disk is
/// checked. Every figure comes from the snapshot: this class only words it. Each activity writes at most four updates
/// a second and ends with a Completed record carrying the outcome. Thread-safe.
/// </summary>
internal sealed class TorrentProgress
{
    private readonly object _gate = new();
    private readonly Func<string, long, TransferProgress?, TransferProgress> _start;
    private readonly Action<ProgressUpdate?> _write;
    private readonly TransferProgress _main;
    private readonly string _name;
    private TransferProgress? _checking;
    private TorrentState? _phase;

    /// <param name="activity">The activity text (<c>Downloading ubuntu.iso</c>).</param>
    /// <param name="name">The torrent's name, for the child activity.</param>
    /// <param name="start">Starts an activity (text, total, parent), so the cmdlet completes any left open.</param>
    /// <param name="write">Writes an update (null: throttled, nothing to write).</param>
    /// <param name="parent">The activity this one is a child of (Wait-Torrent's overall one); none by default.</param>
    public TorrentProgress(string activity, string name, Func<string, long, TransferProgress?, TransferProgress> start, Action<ProgressUpdate?> write, TransferProgress? parent = null)
    {
        _name = name;
        _start = start;
        _write = write;
        _main = start(activity, 0, parent);
    }

    public int ActivityId => _main.ActivityId;

    /// <summary>The text of the child activity while the data on disk is checked.</summary>
    public static string CheckingActivity(string name) => $"Checking {name}";

    /// <summary>Turns a status snapshot into progress updates (ignores the final snapshot: <see cref="Complete"/> ends the activity).</summary>
    public void Report(TorrentStatus status)
    {
        lock (_gate)
        {
            if (status.State is TorrentState.Completed or TorrentState.Stopped or TorrentState.Failed)
            {
                return;
            }

            if (status.State == TorrentState.Checking)
            {
                _checking ??= _start(CheckingActivity(_name), status.Length, _main);
                _write(_checking.Report(new ProgressSnapshot(status.CheckedBytes, status.Length) { RatePerSecond = status.CheckRate, SecondsRemaining = ProgressSnapshot.Seconds(status.TimeRemainingSpan) }));
            }
            else
            {
                EndCheckingLocked();
            }

            var snapshot = Snapshot(status) with { NewPhase = _phase != status.State };
            _phase = status.State;
            _write(_main.Report(snapshot));
        }
    }

    /// <summary>
    /// Ends the activities with the outcome: <paramref name="summary"/>, else <see cref="Summary"/>
    /// (<c>Completed: 40.0 MiB downloaded in 12.3 s at 3.25 MiB/s</c>, <c>Stopped with 12 of 40 pieces</c>).
    /// </summary>
    public void Complete(DownloadResult result, string? summary = null)
    {
        lock (_gate)
        {
            EndCheckingLocked();
            _write(_main.Complete(summary ?? Summary(result)));
        }
    }

    /// <summary>Ends the activities with <paramref name="text"/> (a wait that ended, or was cut short).</summary>
    public void End(string text)
    {
        lock (_gate)
        {
            EndCheckingLocked();
            _write(_main.Complete(text));
        }
    }

    /// <summary>Ends the activities after a failure: <c>Failed: &lt;message&gt;</c>.</summary>
    public void Fail(Exception error)
    {
        lock (_gate)
        {
            EndCheckingLocked();
            _write(_main.Complete("Failed: " + error.Message));
        }
    }

    /// <summary>
    /// The status text at the end: what was downloaded (and uploaded), or for a seed (<paramref name="seed"/>) what was
    /// uploaded; for a run that did not complete, how far it got.
    /// </summary>
    public static string Summary(DownloadResult result, bool seed = false)
    {
        if (result.State != TorrentState.Completed)
        {
            return string.Format(CultureInfo.InvariantCulture, "{0} with {1} of {2} pieces", result.State, result.VerifiedPieces, result.PieceCount);
        }

        var uploaded = string.Format(CultureInfo.InvariantCulture, "{0} uploaded (ratio {1:0.00})", ByteSize.Format(result.Uploaded), result.Ratio);
        if (seed)
        {
            return string.Format(CultureInfo.InvariantCulture, "Completed in {0}, {1}", Duration.Format(result.ElapsedSpan), uploaded);
        }

        var text = string.Format(CultureInfo.InvariantCulture, "Completed: {0} downloaded in {1} at {2}", ByteSize.Format(result.Downloaded), Duration.Format(result.ElapsedSpan), ByteSize.FormatRate(result.AverageRate));
        return result.Uploaded > 0 ? text + ", " + uploaded : text;
    }

    private void EndCheckingLocked()
    {
        if (_checking is not null)
        {
            _write(_checking.Complete("Checked"));
            _checking = null;
        }
    }

    private static ProgressSnapshot Snapshot(TorrentStatus status) => status.State switch
    {
        TorrentState.Checking => new ProgressSnapshot(0, 0) { Status = "Checking the data already on disk" },
        TorrentState.FetchingMetadata => new ProgressSnapshot(0, 0)
        {
            Status = string.Format(CultureInfo.InvariantCulture, "Fetching metadata from {0}", Count(status.MetadataPeers, "peer")),
            CurrentOperation = Peers(status),
        },
        TorrentState.Seeding => Seeding(status),
        TorrentState.Stopping => new ProgressSnapshot(status.VerifiedBytes, status.TotalBytes) { Status = "Stopping: saving progress and telling trackers" },
        _ => Downloading(status),
    };

    private static ProgressSnapshot Downloading(TorrentStatus status)
    {
        var text = string.Format(CultureInfo.InvariantCulture, "{0} of {1}", ByteSize.Format(status.VerifiedBytes), ByteSize.Format(status.TotalBytes));
        if (status.DownloadRate > 0)
        {
            text += " at " + ByteSize.FormatRate(status.DownloadRate);
        }

        text += ", " + Count(status.PeersConnected, "peer");
        if (status.Seeds > 0)
        {
            text += string.Format(CultureInfo.InvariantCulture, " ({0})", Count(status.Seeds, "seed"));
        }

        return new ProgressSnapshot(status.VerifiedBytes, status.TotalBytes)
        {
            Status = text,
            SecondsRemaining = ProgressSnapshot.Seconds(status.TimeRemainingSpan),
            CurrentOperation = Peers(status),
        };
    }

    /// <summary>Uploaded, rate, ratio and peers; percent and time remaining towards the seed goal (the engine's figures).</summary>
    private static ProgressSnapshot Seeding(TorrentStatus status)
    {
        var text = string.Format(CultureInfo.InvariantCulture, "Seeding: {0} uploaded", ByteSize.Format(status.Uploaded));
        if (status.UploadRate > 0)
        {
            text += " at " + ByteSize.FormatRate(status.UploadRate);
        }

        text += string.Format(CultureInfo.InvariantCulture, ", ratio {0:0.00}, {1}", status.Ratio, Count(status.PeersConnected, "peer"));
        const long Scale = 10_000;
        return new ProgressSnapshot(status.SeedGoalPercent is { } done ? (long)(done / 100 * Scale) : 0, status.SeedGoalPercent is null ? 0 : Scale)
        {
            Status = text,
            SecondsRemaining = ProgressSnapshot.Seconds(status.TimeRemainingSpan),
            CurrentOperation = Peers(status),
        };
    }


    /// <summary>Under the bar: the peers known, and why nothing happens when no peer is connected.</summary>
    private static string Peers(TorrentStatus status)
    {
        var text = string.Format(CultureInfo.InvariantCulture, "{0} connected of {1} known", Count(status.PeersConnected, "peer"), status.PeersKnown);
        return status.PeersConnected == 0 && !string.IsNullOrEmpty(status.LastError) ? text + "; last error: " + status.LastError : text;
    }

    private static string Count(int count, string noun)
        => count.ToString(CultureInfo.InvariantCulture) + " " + (count == 1 ? noun : noun + "s");
}
