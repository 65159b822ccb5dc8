using System.Security.Cryptography;
using TorrentPS.Engine.Peers;
using TorrentPS.Engine.Wire;

namespace TorrentPS.Engine.Session;

/// <summary>
/// Process-wide client state shared by every torrent started from any runspace: our peer id, the
/// tracker key and the listen port (0 while nothing listens). Limits and the listener join it as
/// their issues come.
/// </summary>
public sealed class TorrentSession
{
    private int _listenPort;

    public TorrentSession(PeerId? peerId = null)
    {
        PeerId = peerId ?? PeerId.Generate();
        TrackerKey = (uint)RandomNumberGenerator.GetInt32(int.MaxValue);
    }

    /// <summary>The one session of this process.</summary>
    public static TorrentSession Shared { get; } = new();

    public PeerId PeerId { get; }

    /// <summary>The random <c>key</c> sent to trackers so they can recognise us across IP changes.</summary>
    public uint TrackerKey { get; }

    /// <summary>The TCP port peers can reach us on; announced to trackers. 0 when not listening.</summary>
    public int ListenPort
    {
        get => Volatile.Read(ref _listenPort);
        set => Volatile.Write(ref _listenPort, value);
    }
}
