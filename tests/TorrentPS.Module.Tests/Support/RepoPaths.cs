namespace TorrentPS.Module.Tests.Support;

/// <summary>Files of the repository the tests run from (found by walking up to TorrentPS.sln).</summary>
internal static class RepoPaths
{
    private static readonly Lazy<string> LazyRoot = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "TorrentPS.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No TorrentPS.sln above {AppContext.BaseDirectory}.");
    });

    public static string Root => LazyRoot.Value;

    public static string Manifest => Path.Combine(Root, "TorrentPS.psd1");

    public static string ModuleProjectDir => Path.Combine(Root, "src", "TorrentPS");

    public static string HelpDir => Path.Combine(Root, "docs", "en-US");

    public static string Combine(params string[] parts) => Path.Combine([Root, .. parts]);
}
