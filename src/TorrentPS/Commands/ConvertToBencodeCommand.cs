using System.Management.Automation;
using TorrentPS.Bridge;
using TorrentPS.Conversion;
using TorrentPS.Engine.Errors;

namespace TorrentPS.Commands;

/// <summary>ConvertTo-Bencode: hashtables, custom objects, arrays, strings, byte[] and integers to bencode.</summary>
[Cmdlet(VerbsData.ConvertTo, "Bencode")]
[OutputType(typeof(string), typeof(byte[]))]
public sealed class ConvertToBencodeCommand : AsyncCmdlet
{
    /// <summary>The value to encode. Each object sent down the pipeline is encoded on its own.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [AllowNull]
    [AllowEmptyString]
    [AllowEmptyCollection]
    public object? InputObject { get; set; }

    /// <summary>Writes the bencode as one byte[] instead of a string (needed when it holds binary byte strings).</summary>
    [Parameter]
    public SwitchParameter AsByteArray { get; set; }

    protected override void ProcessRecord()
    {
        try
        {
            if (AsByteArray)
            {
                WriteObject(BencodeObjectConverter.Encode(InputObject, PSObjectAdapter.Instance), enumerateCollection: false);
            }
            else
            {
                WriteObject(BencodeObjectConverter.EncodeToText(InputObject, PSObjectAdapter.Instance));
            }
        }
        catch (TorrentPSException ex)
        {
            WriteError(ex, InputObject);
        }
    }
}
