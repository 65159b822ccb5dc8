using System.Management.Automation;
using System.Reflection;
using TorrentPS.Bridge;
using TorrentPS.Engine.Peers;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Trackers;
using TorrentPS.Engine.Wire;

namespace TorrentPS.Module.Tests.Conformance;

/// <summary>
/// What PowerShell's parameter binder would refuse or get wrong, found from metadata: clashing names, ambiguous
/// positions or pipeline parameters within a set, and properties of our own objects that bind by name where nobody
/// meant them to.
/// </summary>
public class ParameterBindingTests
{
    private const string AllSets = "__AllParameterSets";

    // The common parameters and their aliases (PowerShell 7.4+): a cmdlet parameter or alias with one of these names
    // makes the cmdlet fail to load ("A parameter with the name '...' was defined multiple times").
    private static readonly string[] CommonNames =
    [
        "Verbose", "vb", "Debug", "db", "ErrorAction", "ea", "WarningAction", "wa", "InformationAction", "infa",
        "ProgressAction", "proga", "ErrorVariable", "ev", "WarningVariable", "wv", "InformationVariable", "iv",
        "OutVariable", "ov", "OutBuffer", "ob", "PipelineVariable", "pv", "WhatIf", "wi", "Confirm", "cf",
    ];

    public static TheoryData<string> CmdletNames => new(CmdletTypes().Select(t => CmdletName(t)));

    [Theory]
    [MemberData(nameof(CmdletNames))]
    public void Parameter_names_and_aliases_are_unique_and_clash_with_no_common_parameter(string name)
    {
        var names = Parameters(Cmdlet(name)).SelectMany(p => p.Aliases.Prepend(p.Name)).ToArray();
        Assert.Equal(names.Length, names.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.Empty(names.Intersect(CommonNames, StringComparer.OrdinalIgnoreCase));
    }

    [Theory]
    [MemberData(nameof(CmdletNames))]
    public void The_default_parameter_set_exists(string name)
    {
        var type = Cmdlet(name);
        var defaultSet = (string?)type.GetCustomAttributesData().Single(a => a.AttributeType == typeof(CmdletAttribute))
            .NamedArguments.SingleOrDefault(n => n.MemberName == nameof(CmdletAttribute.DefaultParameterSetName)).TypedValue.Value;
        var sets = SetNames(type);
        if (sets.Count > 1)
        {
            Assert.Contains(defaultSet, sets);
        }
    }

    [Theory]
    [MemberData(nameof(CmdletNames))]
    public void Within_each_parameter_set_positions_are_unique_and_one_parameter_at_most_takes_the_whole_pipeline_object(string name)
    {
        var type = Cmdlet(name);
        foreach (var set in SetNames(type))
        {
            var members = Parameters(type).SelectMany(p => p.Sets.Where(s => s.Set == set || s.Set == AllSets).Select(s => (p.Name, s))).ToArray();
            var positions = members.Where(m => m.s.Position >= 0).Select(m => m.s.Position).ToArray();
            Assert.True(positions.Length == positions.Distinct().Count(), $"{name}, set {set}: two parameters share a position.");
            // Save-TorrentPiece -Index takes numbers from the pipeline when the torrent is given as an argument (`0..3 |
            // Save-TorrentPiece x.torrent -Destination d`), and so does -TorrentFile of the download cmdlets with TorrentFile
            // objects (`$t.Files | Where-Object ... | Start-TorrentDownload -Torrent $t`); a parameter bound on the command
            // line takes no pipeline input. (-TorrentFile takes only TorrentFile objects: no string or file converts to one.)
            var byValue = members.Where(m => m.s.FromPipeline && !(name == "Save-TorrentPiece" && m.Name == "Index") && !(name is "Start-TorrentDownload" or "Start-MagnetDownload" && m.Name == "TorrentFile")).ToArray();
            Assert.True(byValue.Length <= 1, $"{name}, set {set}: more than one parameter takes pipeline input by value.");
        }
    }

    /// <summary>
    /// Every (cmdlet parameter ← object property) pair by which one of our own output objects binds by property name.
    /// Each is intended; a new property on an engine type, or a new alias, that adds to this list binds silently and
    /// must be looked at (e.g. a TorrentPeer's InfoHash must never reach a parameter on its own).
    /// </summary>
    [Fact]
    public void Our_objects_bind_by_property_name_only_where_intended()
    {
        Type[] outputs = [typeof(TorrentInfo), typeof(TorrentFile), typeof(MagnetLink), typeof(InfoHash), typeof(TorrentPeer), typeof(PeerHandshake), typeof(TrackerStatus), typeof(Engine.Session.DownloadResult), typeof(Engine.Storage.VerificationResult)];
        var bindings = new List<string>();
        foreach (var type in CmdletTypes())
        {
            foreach (var parameter in Parameters(type).Where(p => p.Sets.Any(s => s.FromPipelineByPropertyName)))
            {
                foreach (var output in outputs)
                {
                    foreach (var property in output.GetProperties(BindingFlags.Public | BindingFlags.Instance))
                    {
                        if (parameter.Aliases.Prepend(parameter.Name).Contains(property.Name, StringComparer.OrdinalIgnoreCase))
                        {
                            bindings.Add($"{CmdletName(type)} -{parameter.Name} <- {output.Name}.{property.Name}");
                        }
                    }
                }
            }
        }

        // A torrent that came back from a file or a job binds by SourcePath (read again) and InfoHash (checked: -InfoHash is
        // only in the LiteralPath sets, so alone it binds nothing); a DownloadResult binds the same way, and -DataPath of
        // Test-Torrent and Start-TorrentSeed by its DataPath (only in their LiteralPath sets, so it comes with SourcePath);
        // a peer by Address, Port and InfoHash (the AddressInfoHash set, which our own TorrentPeer and PeerHandshake never
        // reach: they bind -Peer first).
        Assert.Equal(
            [
                "ConvertFrom-MagnetLink -Link <- MagnetLink.Uri",
                "ConvertTo-MagnetLink -InfoHash <- DownloadResult.InfoHash",
                "ConvertTo-MagnetLink -InfoHash <- MagnetLink.InfoHash",
                "ConvertTo-MagnetLink -InfoHash <- PeerHandshake.InfoHash",
                "ConvertTo-MagnetLink -InfoHash <- TorrentInfo.InfoHash",
                "ConvertTo-MagnetLink -InfoHash <- TorrentPeer.InfoHash",
                "ConvertTo-MagnetLink -InfoHash <- TrackerStatus.InfoHash",
                "ConvertTo-MagnetLink -InfoHash <- VerificationResult.InfoHash",
                "ConvertTo-MagnetLink -LiteralPath <- DownloadResult.SourcePath",
                "ConvertTo-MagnetLink -LiteralPath <- TorrentInfo.SourcePath",
                "Get-TorrentInfo -InfoHash <- DownloadResult.InfoHash",
                "Get-TorrentInfo -InfoHash <- MagnetLink.InfoHash",
                "Get-TorrentInfo -InfoHash <- PeerHandshake.InfoHash",
                "Get-TorrentInfo -InfoHash <- TorrentInfo.InfoHash",
                "Get-TorrentInfo -InfoHash <- TorrentPeer.InfoHash",
                "Get-TorrentInfo -InfoHash <- TrackerStatus.InfoHash",
                "Get-TorrentInfo -InfoHash <- VerificationResult.InfoHash",
                "Get-TorrentInfo -LiteralPath <- DownloadResult.SourcePath",
                "Get-TorrentInfo -LiteralPath <- TorrentInfo.SourcePath",
                "Get-TorrentInfo -MagnetLink <- MagnetLink.Uri",
                "Get-TorrentPeer -InfoHash <- DownloadResult.InfoHash",
                "Get-TorrentPeer -InfoHash <- MagnetLink.InfoHash",
                "Get-TorrentPeer -InfoHash <- PeerHandshake.InfoHash",
                "Get-TorrentPeer -InfoHash <- TorrentInfo.InfoHash",
                "Get-TorrentPeer -InfoHash <- TorrentPeer.InfoHash",
                "Get-TorrentPeer -InfoHash <- TrackerStatus.InfoHash",
                "Get-TorrentPeer -InfoHash <- VerificationResult.InfoHash",
                "Get-TorrentPeer -LiteralPath <- DownloadResult.SourcePath",
                "Get-TorrentPeer -LiteralPath <- TorrentInfo.SourcePath",
                "Get-TorrentPeer -MagnetLink <- MagnetLink.Uri",
                "Get-TorrentTracker -InfoHash <- DownloadResult.InfoHash",
                "Get-TorrentTracker -InfoHash <- MagnetLink.InfoHash",
                "Get-TorrentTracker -InfoHash <- PeerHandshake.InfoHash",
                "Get-TorrentTracker -InfoHash <- TorrentInfo.InfoHash",
                "Get-TorrentTracker -InfoHash <- TorrentPeer.InfoHash",
                "Get-TorrentTracker -InfoHash <- TrackerStatus.InfoHash",
                "Get-TorrentTracker -InfoHash <- VerificationResult.InfoHash",
                "Get-TorrentTracker -LiteralPath <- DownloadResult.SourcePath",
                "Get-TorrentTracker -LiteralPath <- TorrentInfo.SourcePath",
                "Get-TorrentTracker -MagnetLink <- MagnetLink.Uri",
                "Invoke-PeerHandshake -Address <- PeerHandshake.EndPoint",
                "Invoke-PeerHandshake -Address <- TorrentPeer.Address",
                "Invoke-PeerHandshake -Address <- TorrentPeer.EndPoint",
                "Invoke-PeerHandshake -InfoHash <- DownloadResult.InfoHash",
                "Invoke-PeerHandshake -InfoHash <- MagnetLink.InfoHash",
                "Invoke-PeerHandshake -InfoHash <- PeerHandshake.InfoHash",
                "Invoke-PeerHandshake -InfoHash <- TorrentInfo.InfoHash",
                "Invoke-PeerHandshake -InfoHash <- TorrentPeer.InfoHash",
                "Invoke-PeerHandshake -InfoHash <- TrackerStatus.InfoHash",
                "Invoke-PeerHandshake -InfoHash <- VerificationResult.InfoHash",
                "Invoke-PeerHandshake -Peer <- PeerHandshake.Peer",
                "Invoke-PeerHandshake -Port <- TorrentPeer.Port",
                "Save-TorrentPiece -InfoHash <- DownloadResult.InfoHash",
                "Save-TorrentPiece -InfoHash <- MagnetLink.InfoHash",
                "Save-TorrentPiece -InfoHash <- PeerHandshake.InfoHash",
                "Save-TorrentPiece -InfoHash <- TorrentInfo.InfoHash",
                "Save-TorrentPiece -InfoHash <- TorrentPeer.InfoHash",
                "Save-TorrentPiece -InfoHash <- TrackerStatus.InfoHash",
                "Save-TorrentPiece -InfoHash <- VerificationResult.InfoHash",
                "Save-TorrentPiece -LiteralPath <- DownloadResult.SourcePath",
                "Save-TorrentPiece -LiteralPath <- TorrentInfo.SourcePath",
                "Start-MagnetDownload -InfoHash <- DownloadResult.InfoHash",
                "Start-MagnetDownload -InfoHash <- MagnetLink.InfoHash",
                "Start-MagnetDownload -InfoHash <- PeerHandshake.InfoHash",
                "Start-MagnetDownload -InfoHash <- TorrentInfo.InfoHash",
                "Start-MagnetDownload -InfoHash <- TorrentPeer.InfoHash",
                "Start-MagnetDownload -InfoHash <- TrackerStatus.InfoHash",
                "Start-MagnetDownload -InfoHash <- VerificationResult.InfoHash",
                "Start-MagnetDownload -LiteralPath <- DownloadResult.SourcePath",
                "Start-MagnetDownload -LiteralPath <- TorrentInfo.SourcePath",
                "Start-MagnetDownload -MagnetLink <- MagnetLink.Uri",
                "Start-TorrentDownload -InfoHash <- DownloadResult.InfoHash",
                "Start-TorrentDownload -InfoHash <- MagnetLink.InfoHash",
                "Start-TorrentDownload -InfoHash <- PeerHandshake.InfoHash",
                "Start-TorrentDownload -InfoHash <- TorrentInfo.InfoHash",
                "Start-TorrentDownload -InfoHash <- TorrentPeer.InfoHash",
                "Start-TorrentDownload -InfoHash <- TrackerStatus.InfoHash",
                "Start-TorrentDownload -InfoHash <- VerificationResult.InfoHash",
                "Start-TorrentDownload -LiteralPath <- DownloadResult.SourcePath",
                "Start-TorrentDownload -LiteralPath <- TorrentInfo.SourcePath",
                "Start-TorrentSeed -DataPath <- DownloadResult.DataPath",
                "Start-TorrentSeed -InfoHash <- DownloadResult.InfoHash",
                "Start-TorrentSeed -InfoHash <- MagnetLink.InfoHash",
                "Start-TorrentSeed -InfoHash <- PeerHandshake.InfoHash",
                "Start-TorrentSeed -InfoHash <- TorrentInfo.InfoHash",
                "Start-TorrentSeed -InfoHash <- TorrentPeer.InfoHash",
                "Start-TorrentSeed -InfoHash <- TrackerStatus.InfoHash",
                "Start-TorrentSeed -InfoHash <- VerificationResult.InfoHash",
                "Start-TorrentSeed -LiteralPath <- DownloadResult.SourcePath",
                "Start-TorrentSeed -LiteralPath <- TorrentInfo.SourcePath",
                "Test-Torrent -DataPath <- DownloadResult.DataPath",
                "Test-Torrent -InfoHash <- DownloadResult.InfoHash",
                "Test-Torrent -InfoHash <- MagnetLink.InfoHash",
                "Test-Torrent -InfoHash <- PeerHandshake.InfoHash",
                "Test-Torrent -InfoHash <- TorrentInfo.InfoHash",
                "Test-Torrent -InfoHash <- TorrentPeer.InfoHash",
                "Test-Torrent -InfoHash <- TrackerStatus.InfoHash",
                "Test-Torrent -InfoHash <- VerificationResult.InfoHash",
                "Test-Torrent -LiteralPath <- DownloadResult.SourcePath",
                "Test-Torrent -LiteralPath <- TorrentInfo.SourcePath",
            ],
            bindings.Order(StringComparer.Ordinal));
    }

    /// <summary>
    /// PowerShell converts a string argument to a parameter's type through a public constructor taking one string or a
    /// static Parse(string). Parameters typed as our objects must not have one: `Invoke-PeerHandshake 127.0.0.1:6881`
    /// would otherwise bind the text to -Peer (default set, position 0) instead of -Address.
    /// </summary>
    [Theory]
    [InlineData(typeof(TorrentInfo))]
    [InlineData(typeof(TorrentPeer))]
    public void Object_parameters_cannot_be_made_from_a_string(Type type)
    {
        Assert.Null(type.GetConstructor([typeof(string)]));
        Assert.Null(type.GetMethod("Parse", BindingFlags.Public | BindingFlags.Static, [typeof(string)]));
        Assert.Null(type.GetMethod("Parse", BindingFlags.Public | BindingFlags.Static, [typeof(string), typeof(IFormatProvider)]));
    }

    /// <summary>
    /// PowerShell binds a positional argument to the default parameter set first, without type coercion; a parameter
    /// of type object there takes anything, so a parameter of another set at the same position is never reached
    /// positionally. The one such case is known and documented (ConvertFrom-Bencode -Path must be named); a new one
    /// must be looked at.
    /// </summary>
    [Fact]
    public void Positional_parameters_shadowed_by_an_object_parameter_of_the_default_set_are_known()
    {
        var shadowed = new List<string>();
        foreach (var type in CmdletTypes())
        {
            var defaultSet = (string?)type.GetCustomAttributesData().Single(a => a.AttributeType == typeof(CmdletAttribute))
                .NamedArguments.SingleOrDefault(n => n.MemberName == nameof(CmdletAttribute.DefaultParameterSetName)).TypedValue.Value;
            if (defaultSet is null)
            {
                continue;
            }

            var objectPositions = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Where(p => p.PropertyType == typeof(object))
                .SelectMany(p => Parameters(type).Single(b => b.Name == p.Name).Sets)
                .Where(s => s.Set == defaultSet && s.Position >= 0)
                .Select(s => s.Position)
                .ToHashSet();
            foreach (var parameter in Parameters(type))
            {
                if (parameter.Sets.Any(s => s.Set != defaultSet && s.Set != AllSets && objectPositions.Contains(s.Position)))
                {
                    shadowed.Add($"{CmdletName(type)} -{parameter.Name}");
                }
            }
        }

        Assert.Equal(["ConvertFrom-Bencode -Path"], shadowed);
    }

    private static IEnumerable<Type> CmdletTypes()
        => typeof(AsyncCmdlet).Assembly.GetTypes().Where(t => !t.IsAbstract && t.GetCustomAttributesData().Any(a => a.AttributeType == typeof(CmdletAttribute)));

    private static string CmdletName(Type type)
    {
        var attribute = type.GetCustomAttributesData().Single(a => a.AttributeType == typeof(CmdletAttribute));
        return $"{attribute.ConstructorArguments[0].Value}-{attribute.ConstructorArguments[1].Value}";
    }

    private static Type Cmdlet(string name) => CmdletTypes().Single(t => CmdletName(t) == name);

    private static IReadOnlyList<string> SetNames(Type type)
    {
        var named = Parameters(type).SelectMany(p => p.Sets).Select(s => s.Set).Where(s => s != AllSets).Distinct().ToList();
        return named.Count > 0 ? named : [AllSets];
    }

    private static IEnumerable<BoundParameter> Parameters(Type type)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var attributes = property.GetCustomAttributesData();
            var sets = attributes.Where(a => a.AttributeType == typeof(ParameterAttribute)).Select(a =>
            {
                object? Named(string member) => a.NamedArguments.SingleOrDefault(n => n.MemberName == member).TypedValue.Value;
                return new ParameterSetEntry(
                    (string?)Named(nameof(ParameterAttribute.ParameterSetName)) ?? AllSets,
                    (int?)Named(nameof(ParameterAttribute.Position)) ?? -1,
                    Named(nameof(ParameterAttribute.ValueFromPipeline)) is true,
                    Named(nameof(ParameterAttribute.ValueFromPipelineByPropertyName)) is true);
            }).ToArray();
            if (sets.Length == 0)
            {
                continue;
            }

            var aliases = attributes.Where(a => a.AttributeType == typeof(AliasAttribute))
                .SelectMany(a => a.ConstructorArguments)
                .SelectMany(arg => arg.Value is IEnumerable<CustomAttributeTypedArgument> items ? items.Select(i => (string)i.Value!) : [(string)arg.Value!])
                .ToArray();
            yield return new BoundParameter(property.Name, aliases, sets);
        }
    }

    private sealed record ParameterSetEntry(string Set, int Position, bool FromPipeline, bool FromPipelineByPropertyName);

    private sealed record BoundParameter(string Name, IReadOnlyList<string> Aliases, IReadOnlyList<ParameterSetEntry> Sets);
}
