using System.Collections;
using System.Management.Automation;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Storage;

namespace TorrentPS.Torrents;

/// <summary>
/// Turns what reaches <c>-File</c> into file patterns: a string as it is (wildcards allowed); a TorrentFile (from
/// Get-TorrentInfo's Files) as its path escaped, so it names that file and nothing else however its name reads; any
/// other object (a deserialized TorrentFile from Import-Clixml or a job, a row of Import-Csv) by its <c>Path</c>
/// property, escaped the same way.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
internal sealed class TorrentFilePatternAttribute : ArgumentTransformationAttribute
{
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
        => (inputData is PSObject { BaseObject: IList } wrapped ? wrapped.BaseObject : inputData) is IList list
            ? list.Cast<object?>().Select(ToPattern).ToArray()
            : ToPattern(inputData);

    /// <summary>The pattern for one value.</summary>
    public static object? ToPattern(object? value)
    {
        switch (value is PSObject wrapped ? wrapped.BaseObject : value)
        {
            case null:
                return null;
            case string text:
                return text;
            case TorrentFile file:
                return FileChoice.Literal(file.Path);
        }

        return PSObject.AsPSObject(value).Properties["Path"]?.Value is string path
            ? FileChoice.Literal(path)
            : value; // PowerShell's own conversion then says what does not fit
    }
}
