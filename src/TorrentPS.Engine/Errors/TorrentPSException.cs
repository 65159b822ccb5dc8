namespace TorrentPS.Engine.Errors;

/// <summary>
/// Base of every error the engine reports on purpose. <see cref="ErrorId"/> is stable (it becomes the
/// PowerShell <c>FullyQualifiedErrorId</c>); <see cref="Kind"/> picks the error category.
/// </summary>
public class TorrentPSException : Exception
{
    public TorrentPSException(string errorId, TorrentErrorKind kind, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        ErrorId = errorId;
        Kind = kind;
    }

    /// <summary>Stable identifier such as <c>InvalidBencode</c> or <c>TrackerFailed</c>.</summary>
    public string ErrorId { get; }

    public TorrentErrorKind Kind { get; }
}
