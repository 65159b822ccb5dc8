using System.Management.Automation;
using TorrentPS.Bridge;
using TorrentPS.Conversion;
using TorrentPS.Engine.Bencode;
using TorrentPS.Paths;

namespace TorrentPS.Commands;

/// <summary>ConvertFrom-Bencode: bencode (text, bytes or files) to ordered hashtables, arrays, strings and integers.</summary>
[Cmdlet(VerbsData.ConvertFrom, "Bencode", DefaultParameterSetName = InputObjectSet)]
[OutputType(typeof(System.Collections.Specialized.OrderedDictionary), typeof(object[]), typeof(string), typeof(byte[]), typeof(long))]
public sealed class ConvertFromBencodeCommand : AsyncCmdlet
{
    private const string InputObjectSet = "InputObject";
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";

    private BencodeInputCollector? _collector;

    /// <summary>Bencode as a string (read as UTF-8), a byte[], or bytes sent down the pipeline one by one.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = InputObjectSet)]
    [AllowEmptyString]
    public object InputObject { get; set; } = null!;

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet)]
    [SupportsWildcards]
    public string[] Path { get; set; } = [];

    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = LiteralPathSet)]
    [Alias("PSPath", "LP")]
    public string[] LiteralPath { get; set; } = [];

    /// <summary>Writes a top-level list as one array instead of one object per item.</summary>
    [Parameter]
    public SwitchParameter NoEnumerate { get; set; }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == InputObjectSet)
        {
            _collector ??= new BencodeInputCollector(PSObjectAdapter.Instance);
            if (PSObjectAdapter.Instance.Adapt(InputObject) is FileInfo file)
            {
                // Get-ChildItem *.torrent | ConvertFrom-Bencode: the object binds here, so read the file it names.
                ReadFile(file.FullName);
                return;
            }

            try
            {
                if (_collector.TryTake(InputObject, out var data))
                {
                    Emit(data, InputObject);
                }
            }
            catch (Exception ex) when (ex is Engine.Errors.TorrentPSException)
            {
                WriteError(ex, InputObject);
            }

            return;
        }

        var literal = ParameterSetName == LiteralPathSet;
        foreach (var file in FileSystemPathResolver.Resolve(this, literal ? LiteralPath : Path, literal, WriteError))
        {
            ReadFile(file);
        }
    }

    protected override void EndProcessing()
    {
        if (_collector is { HasPending: true })
        {
            Emit(_collector.TakePending(), null);
        }
    }

    private void ReadFile(string file)
    {
        try
        {
            var length = new FileInfo(file).Length;
            if (length > BencodeReaderOptions.Default.MaxInputLength)
            {
                // Refused before reading: a multi-gigabyte file given by mistake is never loaded.
                WriteError(new BencodeException(0, $"input of {length} bytes is larger than the limit of {BencodeReaderOptions.Default.MaxInputLength} bytes"), file);
                return;
            }

            Emit(File.ReadAllBytes(file), file, file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            WriteError(ex, file);
        }
    }

    private void Emit(ReadOnlyMemory<byte> data, object? target, string? file = null)
    {
        WriteVerbose(Torrents.TorrentNarration.Decoding(data.Length, file));
        object value;
        try
        {
            value = BencodeObjectConverter.Decode(data);
        }
        catch (Engine.Errors.TorrentPSException ex)
        {
            WriteError(ex, target);
            return;
        }

        WriteObject(value, enumerateCollection: value is object[] && !NoEnumerate);
    }
}
