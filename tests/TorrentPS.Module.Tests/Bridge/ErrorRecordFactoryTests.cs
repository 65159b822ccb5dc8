using System.Management.Automation;
using TorrentPS.Bridge;
using TorrentPS.Conversion;
using TorrentPS.Engine.Bencode;
using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Paths;

namespace TorrentPS.Module.Tests.Bridge;

public class ErrorRecordFactoryTests
{
    public static TheoryData<Exception, string, ErrorCategory> Cases => new()
    {
        { new BencodeException(3, "bad"), "InvalidBencode", ErrorCategory.InvalidData },
        { new InvalidTorrentException("no info"), "InvalidTorrent", ErrorCategory.InvalidData },
        { new InvalidMagnetLinkException("x", "no xt"), "InvalidMagnetLink", ErrorCategory.InvalidArgument },
        { new UnsupportedTorrentException("v2"), "UnsupportedTorrent", ErrorCategory.NotImplemented },
        { new UnsupportedBencodeValueException("$", "null"), "UnsupportedBencodeValue", ErrorCategory.InvalidArgument },
        { new BencodeNotTextException(), "BencodeNotText", ErrorCategory.InvalidData },
        { PathResolutionException.NotFileSystem("HKLM:\\x", "Registry"), "NotFileSystemPath", ErrorCategory.InvalidArgument },
        { PathResolutionException.IsDirectory("/tmp"), "PathIsDirectory", ErrorCategory.InvalidArgument },
        { PathResolutionException.NotFound("/nope"), "PathNotFound", ErrorCategory.ObjectNotFound },
        { new TorrentPSException("TrackerFailed", TorrentErrorKind.ConnectionError, "down"), "TrackerFailed", ErrorCategory.ConnectionError },
        { new ItemNotFoundException("x"), "PathNotFound", ErrorCategory.ObjectNotFound },
        { new FileNotFoundException("x"), "PathNotFound", ErrorCategory.ObjectNotFound },
        { new DirectoryNotFoundException("x"), "PathNotFound", ErrorCategory.ObjectNotFound },
        { new System.IO.DriveNotFoundException("x"), "PathNotFound", ErrorCategory.ObjectNotFound },
        { new UnauthorizedAccessException("x"), "AccessDenied", ErrorCategory.PermissionDenied },
        { new IOException("x"), "IOError", ErrorCategory.ReadError },
        { new TimeoutException("x"), "OperationTimeout", ErrorCategory.OperationTimeout },
        { new OperationCanceledException("x"), "OperationStopped", ErrorCategory.OperationStopped },
        { new ArgumentException("x"), "InvalidArgument", ErrorCategory.InvalidArgument },
        { new FormatException("x"), "InvalidFormat", ErrorCategory.InvalidData },
        { new InvalidOperationException("x"), "UnexpectedError", ErrorCategory.NotSpecified },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Exceptions_map_to_stable_error_ids_and_categories(Exception exception, string errorId, ErrorCategory category)
        => Assert.Equal((errorId, category), ErrorRecordFactory.Classify(exception));

    [Fact]
    public void Every_engine_error_kind_has_its_own_category()
    {
        var categories = Enum.GetValues<TorrentErrorKind>().Select(ErrorRecordFactory.Map).ToArray();
        Assert.DoesNotContain(ErrorCategory.NotSpecified, categories);
        Assert.Equal(categories.Length, categories.Distinct().Count());
    }

    [Fact]
    public void A_system_exception_quoting_control_characters_is_shown_escaped()
    {
        var error = new IOException("cannot read 'evil\n\u001b[2J.torrent'");

        Assert.Equal("cannot read 'evil\\n\\x1b[2J.torrent'", ErrorRecordFactory.SafeMessage(error));
    }

    [Fact]
    public void A_plain_message_needs_no_details()
        => Assert.Null(ErrorRecordFactory.SafeMessage(new IOException("disk full")));
}
