namespace TorrentPS.Engine.Errors;

/// <summary>
/// What kind of failure an engine exception reports. The module maps each kind to a PowerShell
/// <c>ErrorCategory</c>; the engine itself knows nothing of PowerShell.
/// </summary>
public enum TorrentErrorKind
{
    InvalidData,
    InvalidArgument,
    ObjectNotFound,
    NotImplemented,
    ConnectionError,
    OperationTimeout,
    ProtocolError,
    ResourceUnavailable,
    ReadError,
    WriteError,
    PermissionDenied,
    OperationStopped,

    /// <summary>Something is already there (a file that is not to be overwritten).</summary>
    ResourceExists,
}
