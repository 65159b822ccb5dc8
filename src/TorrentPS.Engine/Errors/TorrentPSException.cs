using TorrentPS.Engine.Text;

namespace TorrentPS.Engine.Errors;

/// <summary>
/// Base of every error the engine reports on purpose. <see cref="ErrorId"/> is stable (it becomes the
/// PowerShell <c>FullyQualifiedErrorId</c>); <see cref="Kind"/> picks the error category. The message goes through
/// <see cref="DisplayText.Message"/>: whatever a torrent, tracker or peer put into it, it shows as one line of bounded
/// length with no control characters (properties such as a tracker's <c>Reason</c> keep the raw text).
/// </summary>
public class TorrentPSException : Exception
{
    public TorrentPSException(string errorId, TorrentErrorKind kind, string message, Exception? innerException = null)
        : base(DisplayText.Message(message), innerException)
    {
        ErrorId = errorId;
        Kind = kind;
    }

    /// <summary>Stable identifier such as <c>InvalidBencode</c> or <c>TrackerFailed</c>.</summary>
    public string ErrorId { get; }

    public TorrentErrorKind Kind { get; }
}
