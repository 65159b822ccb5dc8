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

    private readonly List<WorkItem> _work = [];
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
        // On the pipeline thread: what to read (session state, pipeline objects). Reading and decoding, which may
        // take long or wait on a pipe, run in ProcessRecordAsync, where Ctrl+C reaches them.
        _work.Clear();
        if (ParameterSetName == InputObjectSet)
        {
            _collector ??= new BencodeInputCollector(PSObjectAdapter.Instance);
            switch (PSObjectAdapter.Instance.Adapt(InputObject))
            {
                case FileInfo file:
                    // Get-ChildItem *.torrent | ConvertFrom-Bencode: the object binds here, so read the file it names.
                    _work.Add(new(file.FullName, default, file.FullName));
                    break;
                case DirectoryInfo directory:
                    WriteError(PathResolutionException.IsDirectory(directory.FullName), InputObject);
                    return;
                default:
                    try
                    {
                        if (_collector.TryTake(InputObject, out var data))
                        {
                            _work.Add(new(null, data, InputObject));
                        }
                    }
                    catch (Exception ex) when (ex is Engine.Errors.TorrentPSException)
                    {
                        WriteError(ex, InputObject);
                    }

                    break;
            }
        }
        else
        {
            var literal = ParameterSetName == LiteralPathSet;
            foreach (var file in FileSystemPathResolver.Resolve(this, literal ? LiteralPath : Path, literal, WriteError))
            {
                _work.Add(new(file, default, file));
            }
        }

        base.ProcessRecord();
    }

    protected override async Task ProcessRecordAsync(CancellationToken cancellationToken)
    {
        foreach (var item in _work)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var data = item.Data;
            if (item.File is { } file)
            {
                try
                {
                    // The bound Get-TorrentInfo reads with: an endless device or a pipe fails with InvalidBencode, never exhausts memory.
                    data = await BencodeFile.ReadAsync(file, BencodeReaderOptions.Default.MaxInputLength, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is Engine.Errors.TorrentPSException or IOException or UnauthorizedAccessException)
                {
                    WriteError(ex, file);
                    continue;
                }
            }

            Emit(data, item.Target, item.File, cancellationToken);
        }
    }

    protected override Task EndProcessingAsync(CancellationToken cancellationToken)
    {
        if (_collector is { HasPending: true })
        {
            Emit(_collector.TakePending(), null, null, cancellationToken);
        }

        return Task.CompletedTask;
    }

    private void Emit(ReadOnlyMemory<byte> data, object? target, string? file, CancellationToken cancellationToken)
    {
        WriteVerbose(Torrents.TorrentNarration.Decoding(data.Length, file));
        object value;
        try
        {
            value = BencodeObjectConverter.Decode(data, cancellationToken);
        }
        catch (BencodeException ex)
        {
            WriteError(ex.WithSource(file), target);
            return;
        }
        catch (Engine.Errors.TorrentPSException ex)
        {
            WriteError(ex, target);
            return;
        }

        WriteObject(value, enumerateCollection: value is object[] && !NoEnumerate);
    }

    /// <summary>One input to decode: a file to read, or bytes already in hand.</summary>
    private readonly record struct WorkItem(string? File, ReadOnlyMemory<byte> Data, object? Target);
}
