using System.Text.RegularExpressions;
using TorrentPS.Engine.Errors;

namespace TorrentPS.Engine.Tests.Architecture;

/// <summary>
/// The engine's layers, as <c>shared/DESIGN.md</c> orders them, checked on the compiled assembly: a folder (its
/// namespace) may use the folders to its left and those of its own group, never one to its right, and every
/// namespace has its place in the order.
/// </summary>
/// <remarks>
/// Read from the metadata and IL (<see cref="EngineTypeReferences"/>) with System.Reflection.Metadata, which the
/// runtime ships: no package to restore, and the test says exactly what it counts as a use (a field's type, a
/// signature, a local, a call, a generic argument, a type named only inside a lambda), where NetArchTest and
/// ArchUnitNET each read through Mono.Cecil with rules of their own.
/// </remarks>
public partial class LayeringTests
{
    private const string EngineNamespace = "TorrentPS.Engine";

    /// <summary>
    /// DESIGN's order, left to right: <c>{Errors, Text, Rates} &lt;- Bencode &lt;- Metainfo &lt;- Peers &lt;- {Wire, Trackers, Dht,
    /// LocalDiscovery, Storage} &lt;- {Extensions, Creation} &lt;- Swarm &lt;- Session</c>. A folder not listed fails
    /// <see cref="Every_engine_namespace_has_its_place_in_the_order"/>: a new one is placed here deliberately.
    /// </summary>
    internal static readonly string[][] Order =
    [
        ["Errors", "Text", "Rates"],
        ["Bencode"],
        ["Metainfo"],
        ["Peers"],
        ["Wire", "Trackers", "Dht", "LocalDiscovery", "Storage"],
        ["Extensions", "Creation"],
        ["Swarm"],
        ["Session"],
    ];

    private static readonly string EnginePath = typeof(TorrentPSException).Assembly.Location;

    [Fact]
    public void No_engine_folder_uses_one_to_its_right()
    {
        var violations = Violations(EnginePath, EngineNamespace);

        Assert.True(violations.Count == 0, "Layers used against DESIGN's order:" + Environment.NewLine + string.Join(Environment.NewLine, violations));
    }

    [Fact]
    public void Every_engine_namespace_has_its_place_in_the_order()
    {
        var unplaced = EngineTypeReferences.TopLevelTypes(EnginePath)
            .Where(t => !IsCompilerGenerated(t.Key) && LayerOf(t.Value, EngineNamespace) is null)
            .Select(t => $"{t.Key} (namespace '{t.Value}')")
            .Order(StringComparer.Ordinal)
            .ToArray();

        Assert.True(unplaced.Length == 0, "Types outside the layers of LayeringTests.Order (add the folder to the order where it belongs):" + Environment.NewLine + string.Join(Environment.NewLine, unplaced));
    }

    [Fact]
    public void Every_engine_source_file_declares_the_namespace_of_its_folder()
    {
        var root = Path.Combine(RepoRoot(), "src", "TorrentPS.Engine");
        var wrong = new List<string>();
        foreach (var file in Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(root, file);
            if (relative.StartsWith("obj" + Path.DirectorySeparatorChar, StringComparison.Ordinal) || relative.StartsWith("bin" + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                continue;
            }

            var folder = Path.GetDirectoryName(relative)!.Replace(Path.DirectorySeparatorChar, '.');
            var expected = folder.Length == 0 ? EngineNamespace : EngineNamespace + "." + folder;
            foreach (Match declared in NamespaceLine().Matches(File.ReadAllText(file)))
            {
                if (declared.Groups[1].Value != expected)
                {
                    wrong.Add($"{relative}: namespace {declared.Groups[1].Value}, expected {expected}");
                }
            }
        }

        Assert.True(wrong.Count == 0, "The layer test reads namespaces, so each must be its folder's:" + Environment.NewLine + string.Join(Environment.NewLine, wrong));
    }

    /// <summary>
    /// The reader finds uses that no <c>using</c> line shows and only uses: the fixture types below (in this test
    /// assembly, in namespaces named like the engine's layers) use a layer to their right in each way it can happen,
    /// and a type that only imports one stays clean.
    /// </summary>
    [Fact]
    public void A_use_to_the_right_is_found_wherever_it_hides()
    {
        var violations = Violations(typeof(LayeringTests).Assembly.Location, typeof(Fixture.Wire.WireThing).Namespace![..^".Wire".Length]);

        string Found(string from) => string.Join(Environment.NewLine, violations.Where(v => v.Contains($".Metainfo.{from} uses ", StringComparison.Ordinal)));
        Assert.Contains("field type", Found(nameof(Fixture.Metainfo.UsesInAField)));
        Assert.Contains("signature", Found(nameof(Fixture.Metainfo.UsesInASignature)));
        Assert.Contains("method body", Found(nameof(Fixture.Metainfo.UsesInABodyOnly)));
        Assert.Contains("method body", Found(nameof(Fixture.Metainfo.UsesInALambda)));
        Assert.Contains("signature", Found(nameof(Fixture.Metainfo.UsesAsAGenericArgument)));
        Assert.Contains("base type", Found(nameof(Fixture.Metainfo.DerivesFromIt)));
        Assert.Contains("catch", Found(nameof(Fixture.Metainfo.CatchesIt)));
        Assert.Empty(Found(nameof(Fixture.Metainfo.OnlyImportsIt)));
        Assert.DoesNotContain(violations, v => v.Contains(".Wire.WireThing uses ", StringComparison.Ordinal)); // leftward: allowed
        Assert.Contains("Metainfo uses Wire", Found(nameof(Fixture.Metainfo.UsesInAField)));
    }

    /// <summary>Each use of a layer to the right, one line each: <c>X uses Y (Wire), Metainfo uses Wire: where</c>.</summary>
    internal static List<string> Violations(string assemblyPath, string rootNamespace)
    {
        var types = EngineTypeReferences.TopLevelTypes(assemblyPath);
        var violations = new List<string>();
        foreach (var use in EngineTypeReferences.Read(assemblyPath))
        {
            if (LayerOf(types[use.From], rootNamespace) is not { } from || LayerOf(types[use.To], rootNamespace) is not { } to)
            {
                continue; // compiler-generated helpers, or (reported by its own test) a namespace outside the order
            }

            if (to.Rank > from.Rank)
            {
                violations.Add($"{use.From} uses {use.To}: {from.Name} uses {to.Name}, which is to its right ({use.Where})");
            }
        }

        return violations.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>The layer of a namespace under <paramref name="rootNamespace"/> (<c>Trackers</c> for <c>….Trackers</c> and <c>….Trackers.Udp</c>), or null.</summary>
    private static (string Name, int Rank)? LayerOf(string ns, string rootNamespace)
    {
        if (!ns.StartsWith(rootNamespace + ".", StringComparison.Ordinal))
        {
            return null;
        }

        var folder = ns[(rootNamespace.Length + 1)..].Split('.')[0];
        for (var rank = 0; rank < Order.Length; rank++)
        {
            if (Order[rank].Contains(folder, StringComparer.Ordinal))
            {
                return (folder, rank);
            }
        }

        return null;
    }

    /// <summary>What the compiler adds at the top level (<c>&lt;PrivateImplementationDetails&gt;</c>, collection expression helpers).</summary>
    private static bool IsCompilerGenerated(string fullName) => fullName.StartsWith('<');

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "TorrentPS.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("TorrentPS.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"^\s*namespace\s+([\w.]+)", RegexOptions.Multiline)]
    private static partial Regex NamespaceLine();
}
