using System.Reflection;
using TorrentPS.Engine.Peers;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Wire;
using TorrentPS.Module.Tests.Support;

namespace TorrentPS.Module.Tests.Conformance;

/// <summary>
/// What the cmdlets emit goes through PowerShell's formatter, <c>Select-Object *</c> and <c>ConvertTo-Json</c>, which read
/// every public property. A by-ref-like property (<c>ReadOnlySpan&lt;T&gt;</c>, <c>Span&lt;T&gt;</c>) cannot be boxed and
/// errors there, and a raw buffer (<c>ReadOnlyMemory&lt;T&gt;</c>) only shows as noise: both belong behind methods.
/// </summary>
public class OutputTypePropertyTests
{
    private const int MaxDepth = 4;

    [Fact]
    public void The_walk_reaches_the_types_hanging_off_the_output_objects()
    {
        var reached = ReachableProperties().Select(p => p.Property.DeclaringType).ToHashSet();
        Assert.Contains(typeof(TorrentFile), reached);
        Assert.Contains(typeof(TorrentPS.Engine.Peers.TorrentPeer), reached);
        Assert.Contains(typeof(TorrentPS.Engine.Trackers.TrackerStatus), reached);
        Assert.Contains(typeof(TorrentPS.Engine.Swarm.TorrentStatus), reached);
        Assert.Contains(typeof(TorrentPS.Engine.Storage.FileVerification), reached);
        Assert.Contains(typeof(TorrentPS.Engine.Storage.FileSelection), reached);
    }

    /// <summary>
    /// ConvertTo-Json writes every public property by reflection: a TimeSpan becomes a dozen fields, an IPAddress a number
    /// and flags, an InfoHash or a PeerId <c>{"Hex": ...}</c>, a bitfield an object, and the engine's plumbing nests past
    /// the default depth of 2. Output types carry text, numbers of seconds, counts and index lists instead (the typed values
    /// are internal), and enums based on <see cref="long"/>, which ConvertTo-Json writes by name.
    /// </summary>
    [Fact]
    public void No_property_reachable_from_a_cmdlet_output_type_is_a_type_ConvertTo_Json_writes_as_plumbing()
    {
        Type[] plumbing =
        [
            typeof(TimeSpan), typeof(System.Net.IPAddress), typeof(System.Net.IPEndPoint), typeof(InfoHash), typeof(PeerId),
            typeof(Bitfield), typeof(ReservedBits), typeof(ExtensionHandshake), typeof(TorrentPS.Engine.Session.ListenSettings),
            typeof(TorrentPS.Engine.Session.TransferRequest), typeof(TorrentInfo),
        ];
        var offenders = ReachableProperties()
            .Where(p => Unwrap(p.Property.PropertyType).Any(t => plumbing.Contains(t) || (t.IsEnum && Enum.GetUnderlyingType(t) != typeof(long))))
            .Select(p => p.Path)
            .ToArray();
        Assert.True(offenders.Length == 0, $"Properties ConvertTo-Json writes as .NET plumbing (give them plain values): {string.Join(", ", offenders)}");
    }

    [Fact]
    public void No_property_reachable_from_a_cmdlet_output_type_is_by_ref_like()
    {
        var offenders = ReachableProperties().Where(p => p.Property.PropertyType.IsByRefLike).Select(p => p.Path).ToArray();
        Assert.True(offenders.Length == 0, $"By-ref-like properties PowerShell cannot read: {string.Join(", ", offenders)}");
    }

    [Fact]
    public void No_property_reachable_from_a_cmdlet_output_type_is_a_raw_memory_buffer()
    {
        var offenders = ReachableProperties().Where(p => IsMemory(p.Property.PropertyType)).Select(p => p.Path).ToArray();
        Assert.True(offenders.Length == 0, $"Raw buffers on output objects (make them methods): {string.Join(", ", offenders)}");
    }

    [Fact]
    public void The_walk_sees_a_span_property_when_there_is_one()
    {
        var found = Walk([typeof(TypeWithSpan)]).Where(p => p.Property.PropertyType.IsByRefLike).Select(p => p.Path);
        Assert.Equal(["TypeWithSpan.Inner.Bytes"], found);
    }

    private static IEnumerable<(PropertyInfo Property, string Path)> ReachableProperties()
        => Walk(CmdletMetadata.All.SelectMany(c => c.OutputTypes).Distinct());

    /// <summary>
    /// Breadth-first over the public instance properties of our own types, starting at <paramref name="roots"/>, a few levels
    /// deep. Through framework types it follows only what PowerShell shows of them here: element types of arrays and
    /// collections, generic arguments and the value of a nullable.
    /// </summary>
    private static IEnumerable<(PropertyInfo Property, string Path)> Walk(IEnumerable<Type> roots)
    {
        var seen = new HashSet<Type>();
        var queue = new Queue<(Type Type, string Path, int Depth)>(roots.Select(t => (t, t.Name, 0)));
        while (queue.Count > 0)
        {
            var (type, path, depth) = queue.Dequeue();
            foreach (var inner in Unwrap(type))
            {
                if (depth >= MaxDepth || !seen.Add(inner) || !IsOurs(inner))
                {
                    continue;
                }

                foreach (var property in inner.GetProperties(BindingFlags.Public | BindingFlags.Instance))
                {
                    if (property.GetIndexParameters().Length > 0)
                    {
                        continue;
                    }

                    var propertyPath = $"{path}.{property.Name}";
                    yield return (property, propertyPath);
                    if (!property.PropertyType.IsByRefLike)
                    {
                        queue.Enqueue((property.PropertyType, propertyPath, depth + 1));
                    }
                }
            }
        }
    }

    /// <summary>The type itself and, recursively, the element, generic-argument and enumerated types it carries.</summary>
    private static IEnumerable<Type> Unwrap(Type type)
    {
        yield return type;
        if (type.HasElementType)
        {
            foreach (var t in Unwrap(type.GetElementType()!))
            {
                yield return t;
            }
        }

        var carried = type.IsGenericType ? type.GetGenericArguments() : [];
        var enumerated = IsOurs(type)
            ? type.GetInterfaces().Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>)).Select(i => i.GetGenericArguments()[0])
            : [];
        foreach (var t in carried.Concat(enumerated).Where(t => t != type))
        {
            foreach (var u in Unwrap(t))
            {
                yield return u;
            }
        }
    }

    private static bool IsOurs(Type type) => type.Namespace?.StartsWith("TorrentPS", StringComparison.Ordinal) == true;

    private static bool IsMemory(Type type)
        => type.IsGenericType && (type.GetGenericTypeDefinition() == typeof(ReadOnlyMemory<>) || type.GetGenericTypeDefinition() == typeof(Memory<>));

    private sealed class TypeWithSpan
    {
        public InnerWithSpan Inner { get; } = new();
    }

    private sealed class InnerWithSpan
    {
        public ReadOnlySpan<byte> Bytes => [];
    }
}
