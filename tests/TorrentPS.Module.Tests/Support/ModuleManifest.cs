namespace TorrentPS.Module.Tests.Support;

/// <summary>TorrentPS.psd1 as data.</summary>
internal sealed class ModuleManifest
{
    private ModuleManifest(Dictionary<string, object?> data) => Data = data;

    public Dictionary<string, object?> Data { get; }

    public static ModuleManifest Load() => new(PowerShellDataFile.Parse(File.ReadAllText(RepoPaths.Manifest)));

    public string String(string key) => Data.TryGetValue(key, out var v) && v is string s ? s : throw new KeyNotFoundException($"The manifest has no string '{key}'.");

    /// <summary>A key that holds a list (or a single string, which PowerShell also accepts).</summary>
    public IReadOnlyList<string> List(string key) => Data.TryGetValue(key, out var v)
        ? v switch
        {
            List<object?> list => list.Select(i => i as string ?? throw new FormatException($"'{key}' holds a non-string")).ToArray(),
            string s => [s],
            _ => throw new FormatException($"'{key}' is not a list"),
        }
        : [];

    public Dictionary<string, object?> PSData
        => Data.TryGetValue("PrivateData", out var p) && p is Dictionary<string, object?> pd && pd.TryGetValue("PSData", out var d) && d is Dictionary<string, object?> psData
            ? psData
            : throw new KeyNotFoundException("The manifest has no PrivateData.PSData.");
}
