using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Swarm;

namespace TorrentPS.Engine.Session;

/// <summary>
/// What a <see cref="Torrent"/>'s events carry (<c>$Event.SourceEventArgs</c> in a <c>Register-ObjectEvent</c> action):
/// the torrent, its state before and after, and what the event is about (the result, the error, the metadata).
/// </summary>
public sealed class TorrentEventArgs : EventArgs
{
    internal TorrentEventArgs(Torrent torrent, TorrentState previousState, TorrentState state)
    {
        Torrent = torrent;
        PreviousState = previousState;
        State = state;
    }

    public Torrent Torrent { get; }

    public TorrentState PreviousState { get; }

    public TorrentState State { get; }

    /// <summary>How the run ended (<see cref="Torrent.Completed"/> at the end of a run, <see cref="Torrent.Failed"/>); null otherwise.</summary>
    public DownloadResult? Result { get; init; }

    /// <summary>What went wrong (<see cref="Torrent.Failed"/>); null otherwise.</summary>
    public Exception? Error { get; init; }

    /// <summary>The metadata that arrived (<see cref="Torrent.MetadataReceived"/>); null otherwise.</summary>
    public TorrentInfo? Info { get; init; }

    public override string ToString() => $"{Torrent.Name}: {PreviousState} -> {State}";
}
