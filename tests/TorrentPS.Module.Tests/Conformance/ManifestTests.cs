using System.Xml.Linq;
using TorrentPS.Module.Tests.Support;

namespace TorrentPS.Module.Tests.Conformance;

public class ManifestTests
{
    private static readonly ModuleManifest Manifest = ModuleManifest.Load();

    [Fact]
    public void The_root_module_is_the_module_assembly()
        => Assert.Equal("TorrentPS.dll", Manifest.String("RootModule"));

    [Fact]
    public void The_manifest_has_a_fixed_guid()
        => Assert.Equal(Guid.Parse("6f0d3c8e-5b1a-4c52-9a77-2e4b8d1f0a93"), Guid.Parse(Manifest.String("GUID")));

    [Fact]
    public void The_module_needs_PowerShell_7_4_Core()
    {
        Assert.Equal(["Core"], Manifest.List("CompatiblePSEditions"));
        Assert.Equal("7.4", Manifest.String("PowerShellVersion"));
    }

    [Fact]
    public void ModuleVersion_equals_the_Version_in_Directory_Build_props()
    {
        var version = XDocument.Load(RepoPaths.Combine("Directory.Build.props")).Descendants("Version").Single().Value;
        Assert.Equal(version, Manifest.String("ModuleVersion"));
    }

    [Theory]
    [InlineData("CmdletsToExport")]
    [InlineData("FunctionsToExport")]
    [InlineData("VariablesToExport")]
    [InlineData("AliasesToExport")]
    public void Exports_are_explicit_lists_without_wildcards(string key)
    {
        Assert.True(Manifest.Data.ContainsKey(key), $"{key} is missing: without it PowerShell exports everything");
        Assert.All(Manifest.List(key), name => Assert.DoesNotContain('*', name));
    }

    [Fact]
    public void No_functions_variables_or_aliases_are_exported()
    {
        Assert.Empty(Manifest.List("FunctionsToExport"));
        Assert.Empty(Manifest.List("VariablesToExport"));
        Assert.Empty(Manifest.List("AliasesToExport"));
    }

    [Fact]
    public void Format_and_type_files_named_by_the_manifest_exist_and_are_published_with_the_module()
    {
        var project = File.ReadAllText(Path.Combine(RepoPaths.ModuleProjectDir, "TorrentPS.csproj"));
        var files = Manifest.List("FormatsToProcess").Concat(Manifest.List("TypesToProcess")).ToArray();
        Assert.NotEmpty(Manifest.List("FormatsToProcess"));
        Assert.All(files, file =>
        {
            Assert.True(File.Exists(Path.Combine(RepoPaths.ModuleProjectDir, file)), $"{file} does not exist in src/TorrentPS");
            Assert.Matches($"<None (Include|Update)=\"{System.Text.RegularExpressions.Regex.Escape(file)}\"[^>]*CopyToPublishDirectory=\"PreserveNewest\"", project);
        });
    }

    [Fact]
    public void Format_files_are_well_formed_with_one_list_of_views()
    {
        foreach (var file in Manifest.List("FormatsToProcess"))
        {
            var document = XDocument.Load(Path.Combine(RepoPaths.ModuleProjectDir, file));
            Assert.Equal("Configuration", document.Root!.Name.LocalName);
            Assert.Single(document.Root.Elements("ViewDefinitions"));
        }
    }

    [Fact]
    public void PSData_has_tags_license_project_and_release_notes()
    {
        var psData = Manifest.PSData;
        var tags = Assert.IsType<List<object?>>(psData["Tags"]);
        Assert.Contains("PSEdition_Core", tags);
        Assert.All(tags, tag => Assert.DoesNotContain(' ', (string)tag!));
        Assert.True(Uri.IsWellFormedUriString((string)psData["LicenseUri"]!, UriKind.Absolute));
        Assert.True(Uri.IsWellFormedUriString((string)psData["ProjectUri"]!, UriKind.Absolute));
        Assert.False(string.IsNullOrWhiteSpace((string?)psData["ReleaseNotes"]));
    }

    [Fact]
    public void PowerShell_is_referenced_at_compile_time_only_so_the_module_never_ships_it()
    {
        var project = XDocument.Load(Path.Combine(RepoPaths.ModuleProjectDir, "TorrentPS.csproj"));
        var reference = project.Descendants("PackageReference").Single(r => (string?)r.Attribute("Include") == "PowerShellStandard.Library");
        Assert.Equal("all", (string?)reference.Attribute("PrivateAssets"));
        Assert.Equal("runtime", (string?)reference.Attribute("ExcludeAssets"));
        Assert.Contains(project.Descendants("PublishDir"), d => d.Value.Contains("out/TorrentPS/", StringComparison.Ordinal));
    }

    [Fact]
    public void The_license_uri_points_at_the_LICENSE_file_the_module_ships()
    {
        var project = ((string)Manifest.PSData["ProjectUri"]!).TrimEnd('/');
        Assert.Equal($"{project}/blob/main/LICENSE", Manifest.PSData["LicenseUri"]);
        Assert.StartsWith("MIT License", File.ReadAllText(RepoPaths.Combine("LICENSE")), StringComparison.Ordinal);
        Assert.Contains("MIT", Manifest.String("Copyright"), StringComparison.Ordinal);
        var projectFile = File.ReadAllText(Path.Combine(RepoPaths.ModuleProjectDir, "TorrentPS.csproj"));
        Assert.Matches("<None Include=\"\\$\\(RepoRoot\\)LICENSE\"[^>]*CopyToPublishDirectory=\"PreserveNewest\"", projectFile);
    }

    [Fact]
    public void The_manifest_has_a_description_and_author()
    {
        Assert.False(string.IsNullOrWhiteSpace(Manifest.String("Description")));
        Assert.False(string.IsNullOrWhiteSpace(Manifest.String("Author")));
    }

    /// <summary>The gallery shows these: they describe a client that downloads and seeds, not an inspection-only module.</summary>
    [Fact]
    public void Description_and_release_notes_say_the_module_downloads_and_seeds()
    {
        var description = Manifest.String("Description");
        Assert.Contains("download", description, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("seed", description, StringComparison.OrdinalIgnoreCase);
        var notes = (string)Manifest.PSData["ReleaseNotes"]!;
        foreach (var cmdlet in new[] { "Start-TorrentDownload", "Start-MagnetDownload", "Start-TorrentSeed", "Test-Torrent", "Save-TorrentPiece", "Export-Torrent" })
        {
            Assert.Contains(cmdlet, notes, StringComparison.Ordinal);
        }
    }
}
