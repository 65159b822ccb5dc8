using System.Reflection;
using TorrentPS.Commands;
using TorrentPS.Engine.Peers;
using TorrentPS.Engine.Trackers;

namespace TorrentPS.Module.Tests.Trackers;

/// <summary>Cmdlet attributes read from metadata (no PowerShell runtime here).</summary>
public class TrackerCmdletMetadataTests
{
    private static CustomAttributeData Attribute(MemberInfo member, string name)
        => Assert.Single(member.GetCustomAttributesData(), a => a.AttributeType.Name == name);

    private static IEnumerable<CustomAttributeData> Attributes(MemberInfo member, string name)
        => member.GetCustomAttributesData().Where(a => a.AttributeType.Name == name);

    private static object? Named(CustomAttributeData attribute, string name)
        => attribute.NamedArguments.SingleOrDefault(a => a.MemberName == name).TypedValue.Value;

    [Theory]
    [InlineData(typeof(GetTorrentPeerCommand), "TorrentPeer", typeof(TorrentPeer))]
    [InlineData(typeof(GetTorrentTrackerCommand), "TorrentTracker", typeof(TrackerStatus))]
    public void Cmdlet_has_approved_verb_singular_noun_and_output_type(Type cmdlet, string noun, Type output)
    {
        var attribute = Attribute(cmdlet, "CmdletAttribute");
        Assert.Equal(["Get", noun], attribute.ConstructorArguments.Select(a => (string)a.Value!));
        Assert.Equal("Path", Named(attribute, "DefaultParameterSetName"));
        var outputType = Attribute(cmdlet, "OutputTypeAttribute");
        Assert.Contains(output, ((IEnumerable<CustomAttributeTypedArgument>)outputType.ConstructorArguments[0].Value!).Select(a => (Type)a.Value!));
    }

    [Theory]
    [InlineData(typeof(GetTorrentPeerCommand))]
    [InlineData(typeof(GetTorrentTrackerCommand))]
    public void Inputs_bind_from_the_pipeline_in_four_sets(Type cmdlet)
    {
        string? SetOf(string property) => (string?)Named(Attribute(cmdlet.GetProperty(property)!, "ParameterAttribute"), "ParameterSetName");

        Assert.Equal("Torrent", SetOf("Torrent"));
        Assert.Equal(true, Named(Attribute(cmdlet.GetProperty("Torrent")!, "ParameterAttribute"), "ValueFromPipeline"));
        Assert.Equal("Path", SetOf("Path"));
        Assert.Equal(0, Named(Attribute(cmdlet.GetProperty("Path")!, "ParameterAttribute"), "Position"));
        Assert.Equal("LiteralPath", SetOf("LiteralPath"));
        Assert.Equal(true, Named(Attribute(cmdlet.GetProperty("LiteralPath")!, "ParameterAttribute"), "ValueFromPipelineByPropertyName"));
        Assert.Contains("PSPath", ((IEnumerable<CustomAttributeTypedArgument>)Attribute(cmdlet.GetProperty("LiteralPath")!, "AliasAttribute").ConstructorArguments[0].Value!).Select(a => (string)a.Value!));
        Assert.Equal("MagnetLink", SetOf("MagnetLink"));
        Assert.Contains("Uri", ((IEnumerable<CustomAttributeTypedArgument>)Attribute(cmdlet.GetProperty("MagnetLink")!, "AliasAttribute").ConstructorArguments[0].Value!).Select(a => (string)a.Value!));
        Assert.Null(SetOf("Tracker"));
        Assert.Equal([1, 3600], Attribute(cmdlet.GetProperty("TimeoutSec")!, "ValidateRangeAttribute").ConstructorArguments.Select(a => Convert.ToInt32(a.Value)));
        Assert.Single(Attributes(cmdlet.GetProperty("Path")!, "SupportsWildcardsAttribute"));
    }
}
