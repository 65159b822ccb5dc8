using System.Management.Automation;
using System.Security;
using TorrentPS.Engine.Bencode;
using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Text;

namespace TorrentPS.Bridge;

/// <summary>Maps engine and system exceptions to ErrorRecords with a stable id and the right category.</summary>
internal static class ErrorRecordFactory
{
    public static ErrorRecord Create(Exception exception, object? target)
    {
        var (errorId, category) = Classify(exception);
        var record = new ErrorRecord(exception, errorId, category, target);
        if (SafeMessage(exception) is { } shown)
        {
            record.ErrorDetails = new ErrorDetails(shown);
        }

        return record;
    }

    /// <summary>
    /// The message the host shows instead of the exception's, or null when it can show the exception's: a system
    /// exception quoting untrusted text (a file name, a server's answer) goes through the same rule as the engine's own
    /// messages, which already do (<see cref="DisplayText"/>).
    /// </summary>
    public static string? SafeMessage(Exception exception)
        => DisplayText.IsSafe(exception.Message, DisplayText.MaxMessageLength) ? null : DisplayText.Message(exception.Message);

    public static (string ErrorId, ErrorCategory Category) Classify(Exception exception) => exception switch
    {
        TorrentPSException t => (t.ErrorId, Map(t.Kind)),
        ItemNotFoundException or System.Management.Automation.DriveNotFoundException or ProviderNotFoundException or System.IO.DriveNotFoundException => ("PathNotFound", ErrorCategory.ObjectNotFound),
        FileNotFoundException or DirectoryNotFoundException => ("PathNotFound", ErrorCategory.ObjectNotFound),
        UnauthorizedAccessException or SecurityException => ("AccessDenied", ErrorCategory.PermissionDenied),
        PathTooLongException => ("PathTooLong", ErrorCategory.InvalidArgument),
        IOException => ("IOError", ErrorCategory.ReadError),
        TimeoutException => ("OperationTimeout", ErrorCategory.OperationTimeout),
        OperationCanceledException => ("OperationStopped", ErrorCategory.OperationStopped),
        ArgumentException => ("InvalidArgument", ErrorCategory.InvalidArgument),
        FormatException => ("InvalidFormat", ErrorCategory.InvalidData),
        _ => ("UnexpectedError", ErrorCategory.NotSpecified),
    };

    public static ErrorCategory Map(TorrentErrorKind kind) => kind switch
    {
        TorrentErrorKind.InvalidData => ErrorCategory.InvalidData,
        TorrentErrorKind.InvalidArgument => ErrorCategory.InvalidArgument,
        TorrentErrorKind.ObjectNotFound => ErrorCategory.ObjectNotFound,
        TorrentErrorKind.NotImplemented => ErrorCategory.NotImplemented,
        TorrentErrorKind.ConnectionError => ErrorCategory.ConnectionError,
        TorrentErrorKind.OperationTimeout => ErrorCategory.OperationTimeout,
        TorrentErrorKind.ProtocolError => ErrorCategory.ProtocolError,
        TorrentErrorKind.ResourceUnavailable => ErrorCategory.ResourceUnavailable,
        TorrentErrorKind.ReadError => ErrorCategory.ReadError,
        TorrentErrorKind.WriteError => ErrorCategory.WriteError,
        TorrentErrorKind.PermissionDenied => ErrorCategory.PermissionDenied,
        TorrentErrorKind.OperationStopped => ErrorCategory.OperationStopped,
        _ => ErrorCategory.NotSpecified,
    };
}
