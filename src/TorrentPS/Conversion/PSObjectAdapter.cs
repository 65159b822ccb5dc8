using System.Management.Automation;

namespace TorrentPS.Conversion;

/// <summary>
/// The thin PowerShell side of <see cref="BencodeObjectConverter"/>: a PSObject becomes the object it
/// wraps, and a PSCustomObject becomes a <see cref="PropertyBag"/> of its properties. Everything else
/// about the conversion works on plain .NET values (and is tested without PowerShell).
/// </summary>
internal sealed class PSObjectAdapter : IBencodeObjectAdapter
{
    public static PSObjectAdapter Instance { get; } = new();

    public object? Adapt(object? value)
    {
        if (value is not PSObject psObject)
        {
            return value;
        }

        var baseObject = psObject.BaseObject;
        if (baseObject is not PSCustomObject)
        {
            return baseObject;
        }

        var properties = new List<KeyValuePair<string, object?>>();
        foreach (var property in psObject.Properties)
        {
            if (property.IsGettable)
            {
                properties.Add(new(property.Name, property.Value));
            }
        }

        return new PropertyBag(properties);
    }
}
