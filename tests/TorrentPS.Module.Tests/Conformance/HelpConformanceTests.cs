using TorrentPS.Module.Tests.Support;

namespace TorrentPS.Module.Tests.Conformance;

public class HelpConformanceTests
{
    private static readonly string[] RequiredSections = ["SYNOPSIS", "SYNTAX", "DESCRIPTION", "EXAMPLES", "PARAMETERS", "INPUTS", "OUTPUTS", "NOTES", "RELATED LINKS"];

    public static TheoryData<string> Cmdlets => new(CmdletMetadata.All.Select(c => c.Name));

    private static CmdletMetadata Get(string name) => CmdletMetadata.All.Single(c => c.Name == name);

    private static HelpMarkdown Help(string name)
    {
        var path = Path.Combine(RepoPaths.HelpDir, name + ".md");
        Assert.True(File.Exists(path), $"docs/en-US/{name}.md does not exist");
        return HelpMarkdown.Load(path);
    }

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void Every_cmdlet_has_a_help_file_with_PlatyPS_front_matter(string name)
    {
        var help = Help(name);
        Assert.Equal("TorrentPS.dll-Help.xml", help.FrontMatter.GetValueOrDefault("external help file"));
        Assert.Equal("TorrentPS", help.FrontMatter.GetValueOrDefault("Module Name"));
        Assert.Equal("2.0.0", help.FrontMatter.GetValueOrDefault("schema"));
        Assert.True(help.FrontMatter.ContainsKey("online version"), "front matter lacks 'online version:'");
        Assert.StartsWith("# " + name, help.Text[(help.Text.IndexOf("\n# ", StringComparison.Ordinal) + 1)..]);
    }

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void Help_files_have_every_section_and_at_least_two_examples(string name)
    {
        var help = Help(name);
        foreach (var section in RequiredSections)
        {
            Assert.True(help.Sections.ContainsKey(section), $"{name}.md has no '## {section}'");
        }

        foreach (var section in new[] { "SYNOPSIS", "DESCRIPTION", "INPUTS", "OUTPUTS" })
        {
            Assert.False(string.IsNullOrWhiteSpace(help.Sections[section]) || help.Sections[section].Contains("{{", StringComparison.Ordinal), $"{name}.md: '## {section}' is empty or a placeholder");
        }

        Assert.True(help.Examples.Count >= 2, $"{name}.md has {help.Examples.Count} examples");
        Assert.DoesNotContain("{{", help.Text, StringComparison.Ordinal);
        Assert.Contains("CommonParameters", help.OtherParameterHeadings);
    }

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void Help_documents_exactly_the_parameters_the_cmdlet_has(string name)
    {
        var help = Help(name);
        var actual = Get(name).Parameters.Select(p => p.Name).Order(StringComparer.OrdinalIgnoreCase).ToArray();
        var documented = help.Parameters.Keys.Order(StringComparer.OrdinalIgnoreCase).ToArray();
        Assert.Equal(actual, documented, StringComparer.OrdinalIgnoreCase);
    }

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void Help_parameter_blocks_match_type_aliases_and_pipeline_input(string name)
    {
        var help = Help(name);
        foreach (var parameter in Get(name).Parameters.Where(p => help.Parameters.ContainsKey(p.Name)))
        {
            var types = help.ParameterField(parameter.Name, "Type");
            Assert.True(types.Count > 0, $"{name} -{parameter.Name}: no yaml block with 'Type:'");
            Assert.All(types, t => Assert.Equal(parameter.Type.Name, t, StringComparer.OrdinalIgnoreCase));

            var aliases = help.ParameterField(parameter.Name, "Aliases").SelectMany(a => a.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).ToHashSet(StringComparer.OrdinalIgnoreCase);
            Assert.True(aliases.SetEquals(parameter.Aliases), $"{name} -{parameter.Name}: help aliases [{string.Join(", ", aliases)}], code aliases [{string.Join(", ", parameter.Aliases)}]");

            var pipeline = help.ParameterField(parameter.Name, "Accept pipeline input");
            var takesPipeline = parameter.FromPipeline || parameter.FromPipelineByPropertyName;
            Assert.True(pipeline.Any(p => p.StartsWith("True", StringComparison.OrdinalIgnoreCase)) == takesPipeline, $"{name} -{parameter.Name}: 'Accept pipeline input' says [{string.Join(" | ", pipeline)}]");
            if (parameter.FromPipeline)
            {
                Assert.Contains(pipeline, p => p.Contains("ByValue", StringComparison.Ordinal));
            }

            if (parameter.FromPipelineByPropertyName)
            {
                Assert.Contains(pipeline, p => p.Contains("ByPropertyName", StringComparison.Ordinal));
            }

            var wildcards = help.ParameterField(parameter.Name, "Accept wildcard characters");
            Assert.All(wildcards, w => Assert.Equal(parameter.SupportsWildcards ? "True" : "False", w));
        }
    }

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void Examples_start_at_a_PS_prompt(string name)
    {
        var help = Help(name);
        var examples = System.Text.RegularExpressions.Regex.Matches(help.Text, "(?m)^### Example[^\n]*\n```powershell\n(?<first>[^\n]*)");
        Assert.Equal(help.Examples.Count, examples.Count);
        foreach (System.Text.RegularExpressions.Match example in examples)
        {
            Assert.StartsWith("PS> ", example.Groups["first"].Value, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("PS C:\\>", help.Text, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void The_online_version_is_the_page_in_the_project_repository(string name)
    {
        var project = ((string)ModuleManifest.Load().PSData["ProjectUri"]!).TrimEnd('/');
        Assert.Equal($"{project}/blob/main/docs/en-US/{name}.md", Help(name).FrontMatter.GetValueOrDefault("online version"));
    }

    [Fact]
    public void The_about_topic_keeps_lists_and_tables_in_text_blocks_that_fit_80_columns_once_indented()
    {
        // PlatyPS 0.14.2 reflows about topics: bullet lists and pipe tables run together, links lose their text.
        var inBlock = false;
        foreach (var line in File.ReadAllLines(Path.Combine(RepoPaths.HelpDir, "about_TorrentPS.md")))
        {
            if (line.StartsWith("```", StringComparison.Ordinal))
            {
                inBlock = !inBlock;
                continue;
            }

            if (inBlock)
            {
                Assert.True(line.Length <= 76, $"longer than 76 characters (80 once indented): {line}");
            }
            else
            {
                Assert.DoesNotMatch(@"^\s*([-*+] |\d+\. |\|)|\]\(", line);
            }
        }

        Assert.False(inBlock, "a code block is not closed");
    }

    [Fact]
    public void The_module_page_lists_every_exported_cmdlet()
    {
        var page = HelpMarkdown.Load(Path.Combine(RepoPaths.HelpDir, "TorrentPS.md"));
        Assert.Equal("TorrentPS", page.FrontMatter.GetValueOrDefault("Module Name"));
        Assert.Equal("6f0d3c8e-5b1a-4c52-9a77-2e4b8d1f0a93", page.FrontMatter.GetValueOrDefault("Module Guid"));
        foreach (var name in ModuleManifest.Load().List("CmdletsToExport"))
        {
            Assert.Contains($"### [{name}]({name}.md)", page.Text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_about_topic_exists_with_its_sections()
    {
        var text = File.ReadAllText(Path.Combine(RepoPaths.HelpDir, "about_TorrentPS.md"));
        foreach (var heading in new[] { "## about_TorrentPS", "# SHORT DESCRIPTION", "# LONG DESCRIPTION", "# EXAMPLES", "# SEE ALSO" })
        {
            Assert.Contains(heading, text, StringComparison.Ordinal);
        }

        foreach (var errorId in new[] { "InvalidBencode", "InvalidTorrent", "InvalidMagnetLink", "UnsupportedBencodeValue", "PathNotFound" })
        {
            Assert.Contains(errorId, text, StringComparison.Ordinal);
        }
    }
}
