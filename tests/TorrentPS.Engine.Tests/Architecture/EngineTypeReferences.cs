using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace TorrentPS.Engine.Tests.Architecture;

/// <summary>
/// Which of an assembly's own types each of its types uses, read from the compiled metadata rather than the source:
/// base types and interfaces, generic constraints, field, method, property and event signatures, local variables,
/// caught exception types, attributes, and every type, field and method token in the method bodies' IL (with the
/// generic arguments of the instantiations they name). A <c>using</c> line that nothing uses leaves no trace here;
/// a type named in full without one does.
/// </summary>
/// <remarks>
/// Nested types (lambdas' closures and async state machines included) count as their outermost declaring type, so
/// a use inside a lambda is its method's. Only the assembly's own types are reported: uses of other assemblies' types
/// are type references, which lead elsewhere.
/// </remarks>
internal sealed class EngineTypeReferences
{
    private static readonly ImmutableDictionary<ushort, OperandType> OperandTypes = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToImmutableDictionary(o => (ushort)o.Value, o => o.OperandType);

    private readonly PEReader _pe;
    private readonly MetadataReader _md;
    private readonly SignatureCollector _signatures;

    private EngineTypeReferences(PEReader pe)
    {
        _pe = pe;
        _md = pe.GetMetadataReader();
        _signatures = new SignatureCollector(_md);
    }

    /// <summary>One use: <paramref name="From"/> (a top-level type's full name) uses <paramref name="To"/>, found at <paramref name="Where"/>.</summary>
    public sealed record Use(string From, string To, string Where);

    /// <summary>Every top-level type of the assembly at <paramref name="path"/>, by full name, with its namespace.</summary>
    public static IReadOnlyDictionary<string, string> TopLevelTypes(string path)
    {
        using var stream = File.OpenRead(path);
        using var pe = new PEReader(stream);
        var md = pe.GetMetadataReader();
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var handle in md.TypeDefinitions)
        {
            var type = md.GetTypeDefinition(handle);
            if (!type.GetDeclaringType().IsNil)
            {
                continue;
            }

            types[FullName(md, handle)] = md.GetString(type.Namespace);
        }

        return types;
    }

    /// <summary>Every use of one of the assembly's types by another of its types (a type's uses of itself left out).</summary>
    public static IReadOnlyList<Use> Read(string path)
    {
        using var stream = File.OpenRead(path);
        using var pe = new PEReader(stream);
        return new EngineTypeReferences(pe).ReadAll();
    }

    private static string FullName(MetadataReader md, TypeDefinitionHandle handle)
    {
        var type = md.GetTypeDefinition(handle);
        var name = md.GetString(type.Name);
        var declaring = type.GetDeclaringType();
        if (!declaring.IsNil)
        {
            return FullName(md, declaring) + "+" + name;
        }

        var ns = md.GetString(type.Namespace);
        return ns.Length == 0 ? name : ns + "." + name;
    }

    private TypeDefinitionHandle Outermost(TypeDefinitionHandle handle)
    {
        while (true)
        {
            var declaring = _md.GetTypeDefinition(handle).GetDeclaringType();
            if (declaring.IsNil)
            {
                return handle;
            }

            handle = declaring;
        }
    }

    private List<Use> ReadAll()
    {
        var uses = new List<Use>();
        foreach (var handle in _md.TypeDefinitions)
        {
            var from = Outermost(handle);
            var fromName = FullName(_md, from);
            var found = new List<(TypeDefinitionHandle To, string Where)>();
            ReadType(handle, found);
            foreach (var (to, where) in found)
            {
                var target = Outermost(to);
                if (target != from)
                {
                    uses.Add(new Use(fromName, FullName(_md, target), where));
                }
            }
        }

        return uses;
    }

    private void ReadType(TypeDefinitionHandle handle, List<(TypeDefinitionHandle, string)> found)
    {
        var type = _md.GetTypeDefinition(handle);
        var typeName = FullName(_md, handle);
        void Add(IEnumerable<TypeDefinitionHandle> types, string where)
        {
            foreach (var t in types)
            {
                found.Add((t, where));
            }
        }

        Add(Types(type.BaseType), $"{typeName}: base type");
        foreach (var i in type.GetInterfaceImplementations())
        {
            Add(Types(_md.GetInterfaceImplementation(i).Interface), $"{typeName}: interface");
        }

        Add(GenericConstraints(type.GetGenericParameters()), $"{typeName}: generic constraint");
        Add(Attributes(type.GetCustomAttributes()), $"{typeName}: attribute");

        foreach (var f in type.GetFields())
        {
            var field = _md.GetFieldDefinition(f);
            var where = $"{typeName}.{_md.GetString(field.Name)}";
            Add(field.DecodeSignature(_signatures, null), where + ": field type");
            Add(Attributes(field.GetCustomAttributes()), where + ": attribute");
        }

        foreach (var p in type.GetProperties())
        {
            var property = _md.GetPropertyDefinition(p);
            var signature = property.DecodeSignature(_signatures, null);
            Add(signature.ReturnType.Concat(signature.ParameterTypes.SelectMany(t => t)), $"{typeName}.{_md.GetString(property.Name)}: property type");
        }

        foreach (var e in type.GetEvents())
        {
            var @event = _md.GetEventDefinition(e);
            Add(Types(@event.Type), $"{typeName}.{_md.GetString(@event.Name)}: event type");
        }

        foreach (var m in type.GetMethods())
        {
            ReadMethod(m, typeName, Add);
        }
    }

    private void ReadMethod(MethodDefinitionHandle handle, string typeName, Action<IEnumerable<TypeDefinitionHandle>, string> add)
    {
        var method = _md.GetMethodDefinition(handle);
        var where = $"{typeName}.{_md.GetString(method.Name)}";
        var signature = method.DecodeSignature(_signatures, null);
        add(signature.ReturnType.Concat(signature.ParameterTypes.SelectMany(t => t)), where + ": signature");
        add(GenericConstraints(method.GetGenericParameters()), where + ": generic constraint");
        add(Attributes(method.GetCustomAttributes()), where + ": attribute");
        if (method.RelativeVirtualAddress == 0)
        {
            return;
        }

        var body = _pe.GetMethodBody(method.RelativeVirtualAddress);
        if (!body.LocalSignature.IsNil)
        {
            var locals = _md.GetStandaloneSignature(body.LocalSignature).DecodeLocalSignature(_signatures, null);
            add(locals.SelectMany(t => t), where + ": local variable");
        }

        foreach (var region in body.ExceptionRegions)
        {
            if (region.Kind == ExceptionRegionKind.Catch)
            {
                add(Types(region.CatchType), where + ": catch");
            }
        }

        var il = body.GetILReader();
        while (il.RemainingBytes > 0)
        {
            var code = (ushort)il.ReadByte();
            if (code == 0xFE)
            {
                code = (ushort)(0xFE00 | il.ReadByte());
            }

            switch (OperandTypes[code])
            {
                case OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineType or OperandType.InlineTok or OperandType.InlineSig:
                    add(TokenTypes(MetadataTokens.EntityHandle(il.ReadInt32())), where + ": method body");
                    break;
                case OperandType.InlineNone:
                    break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                    il.Offset += 1;
                    break;
                case OperandType.InlineVar:
                    il.Offset += 2;
                    break;
                case OperandType.InlineI8 or OperandType.InlineR:
                    il.Offset += 8;
                    break;
                case OperandType.InlineSwitch:
                    var targets = il.ReadInt32(); // read before the offset: `il.Offset += 4 * il.ReadInt32()` would add to the old offset
                    il.Offset += 4 * targets;
                    break;
                default:
                    il.Offset += 4;
                    break;
            }
        }
    }

    /// <summary>The types an IL token names: a type, a field's or method's declaring type and signature, an instantiation's arguments.</summary>
    private IEnumerable<TypeDefinitionHandle> TokenTypes(EntityHandle token)
    {
        switch (token.Kind)
        {
            case HandleKind.TypeDefinition or HandleKind.TypeReference or HandleKind.TypeSpecification:
                return Types(token);
            case HandleKind.FieldDefinition:
            {
                var field = _md.GetFieldDefinition((FieldDefinitionHandle)token);
                return [field.GetDeclaringType(), .. field.DecodeSignature(_signatures, null)];
            }

            case HandleKind.MethodDefinition:
            {
                var method = _md.GetMethodDefinition((MethodDefinitionHandle)token);
                var signature = method.DecodeSignature(_signatures, null);
                return [method.GetDeclaringType(), .. signature.ReturnType, .. signature.ParameterTypes.SelectMany(t => t)];
            }

            case HandleKind.MemberReference:
            {
                var member = _md.GetMemberReference((MemberReferenceHandle)token);
                var parent = member.Parent.Kind is HandleKind.TypeDefinition or HandleKind.TypeReference or HandleKind.TypeSpecification ? Types(member.Parent) : [];
                if (member.GetKind() == MemberReferenceKind.Field)
                {
                    return [.. parent, .. member.DecodeFieldSignature(_signatures, null)];
                }

                var signature = member.DecodeMethodSignature(_signatures, null);
                return [.. parent, .. signature.ReturnType, .. signature.ParameterTypes.SelectMany(t => t)];
            }

            case HandleKind.MethodSpecification:
            {
                var specification = _md.GetMethodSpecification((MethodSpecificationHandle)token);
                return [.. TokenTypes(specification.Method), .. specification.DecodeSignature(_signatures, null).SelectMany(t => t)];
            }

            case HandleKind.StandaloneSignature:
            {
                var signature = _md.GetStandaloneSignature((StandaloneSignatureHandle)token).DecodeMethodSignature(_signatures, null);
                return [.. signature.ReturnType, .. signature.ParameterTypes.SelectMany(t => t)];
            }

            default:
                return [];
        }
    }

    private ImmutableArray<TypeDefinitionHandle> Types(EntityHandle handle) => handle.IsNil ? [] : handle.Kind switch
    {
        HandleKind.TypeDefinition => [(TypeDefinitionHandle)handle],
        HandleKind.TypeSpecification => _md.GetTypeSpecification((TypeSpecificationHandle)handle).DecodeSignature(_signatures, null),
        _ => [],
    };

    private IEnumerable<TypeDefinitionHandle> GenericConstraints(GenericParameterHandleCollection parameters)
        => parameters.SelectMany(p => _md.GetGenericParameter(p).GetConstraints())
            .SelectMany(c => Types(_md.GetGenericParameterConstraint(c).Type));

    private IEnumerable<TypeDefinitionHandle> Attributes(CustomAttributeHandleCollection attributes)
        => attributes.SelectMany(a => TokenTypes(_md.GetCustomAttribute(a).Constructor));

    /// <summary>Decodes signatures into the assembly's own types they mention (generic arguments, array elements, modifiers included).</summary>
    private sealed class SignatureCollector(MetadataReader md) : ISignatureTypeProvider<ImmutableArray<TypeDefinitionHandle>, object?>
    {
        public ImmutableArray<TypeDefinitionHandle> GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind) => [handle];

        public ImmutableArray<TypeDefinitionHandle> GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind) => [];

        public ImmutableArray<TypeDefinitionHandle> GetTypeFromSpecification(MetadataReader reader, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind)
            => md.GetTypeSpecification(handle).DecodeSignature(this, genericContext);

        public ImmutableArray<TypeDefinitionHandle> GetGenericInstantiation(ImmutableArray<TypeDefinitionHandle> genericType, ImmutableArray<ImmutableArray<TypeDefinitionHandle>> typeArguments)
            => [.. genericType, .. typeArguments.SelectMany(t => t)];

        public ImmutableArray<TypeDefinitionHandle> GetArrayType(ImmutableArray<TypeDefinitionHandle> elementType, ArrayShape shape) => elementType;

        public ImmutableArray<TypeDefinitionHandle> GetSZArrayType(ImmutableArray<TypeDefinitionHandle> elementType) => elementType;

        public ImmutableArray<TypeDefinitionHandle> GetByReferenceType(ImmutableArray<TypeDefinitionHandle> elementType) => elementType;

        public ImmutableArray<TypeDefinitionHandle> GetPointerType(ImmutableArray<TypeDefinitionHandle> elementType) => elementType;

        public ImmutableArray<TypeDefinitionHandle> GetPinnedType(ImmutableArray<TypeDefinitionHandle> elementType) => elementType;

        public ImmutableArray<TypeDefinitionHandle> GetModifiedType(ImmutableArray<TypeDefinitionHandle> modifier, ImmutableArray<TypeDefinitionHandle> unmodifiedType, bool isRequired)
            => [.. modifier, .. unmodifiedType];

        public ImmutableArray<TypeDefinitionHandle> GetFunctionPointerType(MethodSignature<ImmutableArray<TypeDefinitionHandle>> signature)
            => [.. signature.ReturnType, .. signature.ParameterTypes.SelectMany(t => t)];

        public ImmutableArray<TypeDefinitionHandle> GetPrimitiveType(PrimitiveTypeCode typeCode) => [];

        public ImmutableArray<TypeDefinitionHandle> GetGenericMethodParameter(object? genericContext, int index) => [];

        public ImmutableArray<TypeDefinitionHandle> GetGenericTypeParameter(object? genericContext, int index) => [];
    }
}
