using TorrentPS.Engine.Errors;

namespace TorrentPS.Engine.LocalDiscovery;

/// <summary>A datagram on the local discovery port that is not a BT-SEARCH announce we can read (BEP 14).</summary>
internal sealed class InvalidLocalDiscoveryMessageException : TorrentPSException
{
    public InvalidLocalDiscoveryMessageException(string reason)
        : base("InvalidLocalDiscoveryMessage", TorrentErrorKind.InvalidData, $"Invalid local discovery announce: {reason}")
    {
        Reason = reason;
    }

    /// <summary>What is wrong, without the prefix.</summary>
    public string Reason { get; }
}
