namespace TorrentPS.Conversion;

/// <summary>
/// Lets <see cref="BencodeObjectConverter"/> see through a host's wrapper objects (PowerShell's PSObject)
/// without knowing the host. <see cref="Adapt"/> returns the value itself, the value it wraps, or a
/// <see cref="PropertyBag"/> for an object whose properties should become a dictionary.
/// </summary>
public interface IBencodeObjectAdapter
{
    object? Adapt(object? value);
}

/// <summary>The properties of a property-bag object (a PSCustomObject), in their declared order.</summary>
public sealed record PropertyBag(IReadOnlyList<KeyValuePair<string, object?>> Properties);

/// <summary>The adapter for plain .NET values: nothing is wrapped.</summary>
public sealed class PlainObjectAdapter : IBencodeObjectAdapter
{
    public static PlainObjectAdapter Instance { get; } = new();

    public object? Adapt(object? value) => value;
}
