namespace TorrentPS.Module.Tests.Support;

/// <summary>A PlatyPS markdown help file, read as text: front matter, sections and parameter blocks.</summary>
internal sealed class HelpMarkdown
{
    private HelpMarkdown(string path, string text)
    {
        Path = path;
        Text = text;
        var lines = text.ReplaceLineEndings("\n").Split('\n');
        var i = 0;
        if (lines.Length > 0 && lines[0].Trim() == "---")
        {
            for (i = 1; i < lines.Length && lines[i].Trim() != "---"; i++)
            {
                var colon = lines[i].IndexOf(':');
                if (colon > 0)
                {
                    FrontMatter[lines[i][..colon].Trim()] = lines[i][(colon + 1)..].Trim();
                }
            }

            i++;
        }

        string? section = null;
        string? parameter = null;
        for (; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.StartsWith("## ", StringComparison.Ordinal))
            {
                section = line[3..].Trim();
                parameter = null;
                Sections[section] = string.Empty;
                continue;
            }

            if (section == "PARAMETERS" && line.StartsWith("### ", StringComparison.Ordinal))
            {
                var heading = line[4..].Trim();
                parameter = heading.StartsWith('-') ? heading[1..] : null;
                if (parameter is not null)
                {
                    Parameters[parameter] = string.Empty;
                }
                else
                {
                    OtherParameterHeadings.Add(heading);
                }

                continue;
            }

            if (section == "EXAMPLES" && line.StartsWith("### ", StringComparison.Ordinal))
            {
                Examples.Add(line[4..].Trim());
            }

            if (parameter is not null)
            {
                Parameters[parameter] += line + "\n";
            }
            else if (section is not null)
            {
                Sections[section] += line + "\n";
            }
        }
    }

    public string Path { get; }

    public string Text { get; }

    public Dictionary<string, string> FrontMatter { get; } = new(StringComparer.Ordinal);

    /// <summary>Level-2 sections (SYNOPSIS, SYNTAX, …) and their text.</summary>
    public Dictionary<string, string> Sections { get; } = new(StringComparer.Ordinal);

    /// <summary><c>### -Name</c> blocks under PARAMETERS and their text (description and yaml).</summary>
    public Dictionary<string, string> Parameters { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Headings under PARAMETERS that are not parameters (CommonParameters).</summary>
    public List<string> OtherParameterHeadings { get; } = [];

    public List<string> Examples { get; } = [];

    public static HelpMarkdown Load(string path) => new(path, File.ReadAllText(path));

    /// <summary>The values of a <c>Key: value</c> line in a parameter's yaml blocks (one block per parameter set that differs).</summary>
    public IReadOnlyList<string> ParameterField(string parameter, string field)
        => Parameters[parameter].Split('\n')
            .Where(line => line.StartsWith(field + ":", StringComparison.Ordinal))
            .Select(line => line[(field.Length + 1)..].Trim())
            .ToArray();
}
