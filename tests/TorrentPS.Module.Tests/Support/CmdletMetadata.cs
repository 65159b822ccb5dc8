using System.Management.Automation;
using System.Reflection;
using TorrentPS.Bridge;

namespace TorrentPS.Module.Tests.Support;

/// <summary>A cmdlet class as its metadata describes it (read with CustomAttributeData: no PowerShell runs).</summary>
internal sealed record CmdletMetadata(Type Type, string Verb, string Noun, IReadOnlyList<Type> OutputTypes, IReadOnlyList<ParameterMetadata> Parameters)
{
    public string Name => $"{Verb}-{Noun}";

    public override string ToString() => Name;

    public static IReadOnlyList<CmdletMetadata> All { get; } = typeof(AsyncCmdlet).Assembly.GetTypes()
        .Select(Read)
        .OfType<CmdletMetadata>()
        .OrderBy(c => c.Name, StringComparer.Ordinal)
        .ToArray();

    private static CmdletMetadata? Read(Type type)
    {
        var cmdlet = type.GetCustomAttributesData().FirstOrDefault(a => a.AttributeType == typeof(CmdletAttribute));
        if (cmdlet is null)
        {
            return null;
        }

        var outputTypes = type.GetCustomAttributesData()
            .Where(a => a.AttributeType == typeof(OutputTypeAttribute))
            .SelectMany(a => a.ConstructorArguments)
            .SelectMany(arg => arg.Value is IEnumerable<CustomAttributeTypedArgument> items ? items.Select(i => i.Value) : [arg.Value])
            .OfType<Type>()
            .ToArray();
        var parameters = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(ParameterMetadata.Read)
            .OfType<ParameterMetadata>()
            .ToArray();
        return new CmdletMetadata(type, (string)cmdlet.ConstructorArguments[0].Value!, (string)cmdlet.ConstructorArguments[1].Value!, outputTypes, parameters);
    }
}

/// <summary>One [Parameter] property: its attributes across parameter sets.</summary>
internal sealed record ParameterMetadata(string Name, Type Type, IReadOnlyList<string> Aliases, bool FromPipeline, bool FromPipelineByPropertyName, bool SupportsWildcards)
{
    public static ParameterMetadata? Read(PropertyInfo property)
    {
        var attributes = property.GetCustomAttributesData();
        var parameterAttributes = attributes.Where(a => a.AttributeType == typeof(ParameterAttribute)).ToArray();
        if (parameterAttributes.Length == 0)
        {
            return null;
        }

        bool Named(string name) => parameterAttributes.Any(a => a.NamedArguments.Any(n => n.MemberName == name && n.TypedValue.Value is true));
        var aliases = attributes.Where(a => a.AttributeType == typeof(AliasAttribute))
            .SelectMany(a => a.ConstructorArguments)
            .SelectMany(arg => arg.Value is IEnumerable<CustomAttributeTypedArgument> items ? items.Select(i => (string)i.Value!) : [(string)arg.Value!])
            .ToArray();
        return new ParameterMetadata(
            property.Name,
            property.PropertyType,
            aliases,
            Named(nameof(ParameterAttribute.ValueFromPipeline)),
            Named(nameof(ParameterAttribute.ValueFromPipelineByPropertyName)),
            attributes.Any(a => a.AttributeType == typeof(SupportsWildcardsAttribute)));
    }
}
