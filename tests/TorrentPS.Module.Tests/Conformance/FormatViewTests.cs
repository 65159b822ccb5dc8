using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using TorrentPS.Bridge;
using TorrentPS.Module.Tests.Support;

namespace TorrentPS.Module.Tests.Conformance;

public partial class FormatViewTests
{
    private static readonly XDocument Formats = XDocument.Load(Path.Combine(RepoPaths.ModuleProjectDir, "TorrentPS.Format.ps1xml"));

    private static readonly Assembly[] ModuleAssemblies = [typeof(AsyncCmdlet).Assembly, typeof(TorrentPS.Engine.Metainfo.TorrentInfo).Assembly];

    private static IEnumerable<XElement> Views => Formats.Descendants("View");

    private static Type? FindType(string fullName) => ModuleAssemblies.Select(a => a.GetType(fullName)).FirstOrDefault(t => t is not null);

    [Fact]
    public void Every_TorrentPS_output_type_has_a_view()
    {
        var viewed = Views.SelectMany(v => v.Descendants("TypeName")).Select(t => t.Value.Trim()).ToHashSet(StringComparer.Ordinal);
        var missing = CmdletMetadata.All
            .SelectMany(c => c.OutputTypes.Select(t => (Cmdlet: c.Name, Type: t)))
            .Where(o => o.Type.FullName!.StartsWith("TorrentPS.", StringComparison.Ordinal) && !viewed.Contains(o.Type.FullName))
            .Select(o => $"{o.Type.FullName} (from {o.Cmdlet})")
            .ToArray();
        Assert.True(missing.Length == 0, $"Output types without a view: {string.Join(", ", missing)}");
    }

    [Fact]
    public void The_types_and_properties_views_name_exist()
    {
        foreach (var view in Views)
        {
            var typeName = view.Element("ViewSelectedBy")!.Elements("TypeName").Single().Value.Trim();
            var type = FindType(typeName);
            Assert.True(type is not null, $"view '{view.Element("Name")?.Value}' selects the unknown type {typeName}");
            foreach (var property in view.Descendants("PropertyName").Select(p => p.Value.Trim()))
            {
                Assert.True(type.GetProperty(property) is not null, $"view '{view.Element("Name")?.Value}': {typeName} has no property {property}");
            }
        }
    }

    [Fact]
    public void Views_have_unique_names_and_table_columns_match_headers()
    {
        var names = Views.Select(v => v.Element("Name")!.Value).ToArray();
        Assert.Equal(names.Length, names.Distinct(StringComparer.Ordinal).Count());
        foreach (var table in Formats.Descendants("TableControl"))
        {
            var headers = table.Element("TableHeaders")!.Elements("TableColumnHeader").Count();
            Assert.All(table.Descendants("TableColumnItems"), items => Assert.Equal(headers, items.Elements("TableColumnItem").Count()));
        }
    }

    [Fact]
    public void Script_blocks_call_only_public_static_helpers_that_exist()
    {
        var calls = Formats.Descendants("ScriptBlock")
            .SelectMany(s => StaticCall().Matches(s.Value))
            .Select(m => (Type: m.Groups["type"].Value, Method: m.Groups["method"].Value))
            .Where(c => c.Type.StartsWith("TorrentPS.", StringComparison.Ordinal))
            .ToArray();
        Assert.NotEmpty(calls);
        foreach (var (typeName, method) in calls)
        {
            var type = FindType(typeName);
            Assert.True(type is { IsPublic: true }, $"[{typeName}] is not a public type of the module");
            Assert.True(type.GetMethods(BindingFlags.Public | BindingFlags.Static).Any(m => m.Name == method), $"[{typeName}]::{method} does not exist");
        }
    }

    [GeneratedRegex(@"\[(?<type>[\w.]+)\]::(?<method>\w+)")]
    private static partial Regex StaticCall();
}
