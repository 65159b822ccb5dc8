using TorrentPS.Engine.Errors;

namespace TorrentPS.Engine.Metainfo;

/// <summary>A magnet link that cannot be used: not a magnet URI, or no usable <c>xt=urn:btih:</c>.</summary>
internal sealed class InvalidMagnetLinkException : TorrentPSException
{
    public InvalidMagnetLinkException(string link, string reason)
        : base("InvalidMagnetLink", TorrentErrorKind.InvalidArgument, $"Invalid magnet link: {reason}")
    {
        Link = link;
        Reason = reason;
    }

    public string Link { get; }

    public string Reason { get; }
}
