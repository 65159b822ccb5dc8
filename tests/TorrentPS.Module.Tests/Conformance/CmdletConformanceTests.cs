using System.Management.Automation;
using System.Reflection;
using TorrentPS.Bridge;
using TorrentPS.Module.Tests.Support;

namespace TorrentPS.Module.Tests.Conformance;

public class CmdletConformanceTests
{
    private static readonly ModuleManifest Manifest = ModuleManifest.Load();

    public static TheoryData<string> Cmdlets => new(CmdletMetadata.All.Select(c => c.Name));

    /// <summary>The approved verbs, read from the constants of PowerShell's Verbs* classes.</summary>
    private static readonly HashSet<string> ApprovedVerbs = typeof(VerbsCommon).Assembly.GetTypes()
        .Where(t => t.IsPublic && t.Namespace == "System.Management.Automation" && t.Name.StartsWith("Verbs", StringComparison.Ordinal))
        .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.Static))
        .Where(f => f.IsLiteral && f.FieldType == typeof(string))
        .Select(f => (string)f.GetRawConstantValue()!)
        .ToHashSet(StringComparer.Ordinal);

    private static CmdletMetadata Get(string name) => CmdletMetadata.All.Single(c => c.Name == name);

    [Fact]
    public void The_module_has_cmdlets_and_the_approved_verb_list_is_read()
    {
        Assert.NotEmpty(CmdletMetadata.All);
        Assert.Contains("Get", ApprovedVerbs);
        Assert.Contains("ConvertFrom", ApprovedVerbs);
        Assert.Contains("Invoke", ApprovedVerbs);
        Assert.True(ApprovedVerbs.Count > 90, $"only {ApprovedVerbs.Count} approved verbs found");
    }

    [Fact]
    public void Every_cmdlet_class_is_exported_by_the_manifest()
    {
        var exported = Manifest.List("CmdletsToExport").ToHashSet(StringComparer.Ordinal);
        var missing = CmdletMetadata.All.Select(c => c.Name).Where(n => !exported.Contains(n)).ToArray();
        Assert.True(missing.Length == 0, $"Cmdlets not in CmdletsToExport: {string.Join(", ", missing)}");
    }

    [Fact]
    public void Every_cmdlet_the_manifest_exports_has_a_cmdlet_class()
    {
        var classes = CmdletMetadata.All.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        var missing = Manifest.List("CmdletsToExport").Where(n => !classes.Contains(n)).ToArray();
        Assert.True(missing.Length == 0, $"CmdletsToExport names cmdlets without a class: {string.Join(", ", missing)}");
    }

    [Fact]
    public void The_manifest_exports_each_cmdlet_once()
    {
        var names = Manifest.List("CmdletsToExport");
        Assert.Equal(names.Count, names.Distinct(StringComparer.OrdinalIgnoreCase).Count());
    }

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void Cmdlets_use_an_approved_verb(string name)
        => Assert.Contains(Get(name).Verb, ApprovedVerbs);

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void Cmdlet_nouns_are_singular(string name)
    {
        var noun = Get(name).Noun;
        Assert.False(noun.EndsWith('s') && !noun.EndsWith("ss", StringComparison.Ordinal), $"{noun} looks plural");
    }

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void Cmdlets_declare_their_output_types(string name)
        => Assert.NotEmpty(Get(name).OutputTypes);

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void Cmdlets_derive_from_AsyncCmdlet_and_are_sealed(string name)
    {
        var type = Get(name).Type;
        Assert.True(type.IsSubclassOf(typeof(AsyncCmdlet)), $"{type.Name} does not derive from AsyncCmdlet");
        Assert.True(type.IsSealed && type.IsPublic, $"{type.Name} is not public sealed");
        Assert.Equal(Get(name).Verb + Get(name).Noun + "Command", type.Name);
    }

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void A_LiteralPath_parameter_binds_PSPath_by_property_name(string name)
    {
        var literal = Get(name).Parameters.SingleOrDefault(p => p.Name == "LiteralPath");
        if (literal is null)
        {
            return;
        }

        Assert.Contains("PSPath", literal.Aliases);
        Assert.True(literal.FromPipelineByPropertyName);
        Assert.False(literal.SupportsWildcards);
    }

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void A_Path_parameter_supports_wildcards(string name)
    {
        var path = Get(name).Parameters.SingleOrDefault(p => p.Name == "Path");
        if (path is not null)
        {
            Assert.True(path.SupportsWildcards, $"{name} -Path does not declare [SupportsWildcards]");
        }
    }
}
