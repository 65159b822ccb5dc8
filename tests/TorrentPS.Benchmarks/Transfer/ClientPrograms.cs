namespace TorrentPS.Benchmarks.Transfer;

/// <summary>
/// Where each client's program is. Unlabelled: <c>--tps</c> (default: the JIT <c>tps</c> beside this program, built by
/// the project reference), <c>--tps-aot</c> (default: <c>out/tps/tps</c>, as README publishes it), <c>--module</c>
/// (default: <c>out/TorrentPS/TorrentPS.psd1</c>, as build.ps1 lays it out), <c>--probe</c> (default: the JIT <c>probe</c>
/// beside this program, built by the project reference), <c>--probe-aot</c> (default: <c>out/probe/probe</c>, as README
/// publishes it). A build <c>name=folder</c> holds
/// <c>tps/tps</c>, <c>tps-aot/tps</c> and <c>TorrentPS/TorrentPS.psd1</c> (tests/TorrentPS.Benchmarks/publish-build.sh).
/// </summary>
internal sealed class ClientPrograms(TransferSettings settings)
{
    public const string Python = "/usr/bin/python3";

    /// <summary>pwsh: the dotnet global tool's, else the one on PATH.</summary>
    public static string Pwsh
    {
        get
        {
            var tool = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dotnet", "tools", "pwsh");
            return File.Exists(tool) ? tool : "pwsh";
        }
    }

    public string Tps(string? build) => build is null
        ? settings.Tps ?? Path.Combine(AppContext.BaseDirectory, "tps")
        : Path.Combine(BuildFolder(build), "tps", "tps");

    public string TpsAot(string? build) => build is null
        ? settings.TpsAot ?? Path.Combine(RepositoryRoot(), "out", "tps", "tps")
        : Path.Combine(BuildFolder(build), "tps-aot", "tps");

    public string Module(string? build) => build is null
        ? settings.Module ?? Path.Combine(RepositoryRoot(), "out", "TorrentPS", "TorrentPS.psd1")
        : Path.Combine(BuildFolder(build), "TorrentPS", "TorrentPS.psd1");

    public string Probe() => settings.Probe ?? Path.Combine(AppContext.BaseDirectory, "probe");

    public string ProbeAot() => settings.ProbeAot ?? Path.Combine(RepositoryRoot(), "out", "probe", "probe");

    /// <summary>The program a probe client runs (JIT or Native AOT).</summary>
    public string ProbeOf(ClientName client) => client.Kind == "probe-aot" ? ProbeAot() : Probe();

    /// <summary>The program a tps client runs (JIT or Native AOT).</summary>
    public string TpsOf(ClientName client) => client.Program == "tps-aot" ? TpsAot(client.Build) : Tps(client.Build);

    /// <summary>Throws, saying how to build it, when a client's program is missing: before any run, not in the middle.</summary>
    public void Check(ClientName client)
    {
        var (path, how) = client.Program switch
        {
            "tps" => (Tps(client.Build), "dotnet publish src/TorrentPS.Cli -c Release -o <folder>, then --tps <folder>/tps"),
            "tps-aot" => (TpsAot(client.Build), "dotnet publish src/TorrentPS.Cli -c Release -r linux-x64 -p:PublishAot=true -o out/tps"),
            "libtorrent" => (Python, "apt-get install python3-libtorrent"),
            "probe" => (Probe(), "dotnet build tests/TorrentPS.Probe -c Release, or --probe PATH"),
            "probe-aot" => (ProbeAot(), "dotnet publish tests/TorrentPS.Probe -c Release -r linux-x64 -p:PublishAot=true -o out/probe"),
            _ => (Module(client.Build), "dotnet publish src/TorrentPS -c Release (lays out out/TorrentPS)"),
        };
        if (!File.Exists(path))
        {
            throw new ArgumentException($"{client.Label}: {path} does not exist ({(client.Build is null ? how : "tests/TorrentPS.Benchmarks/publish-build.sh lays a build folder out")}).");
        }
    }

    private string BuildFolder(string build) => settings.Builds.TryGetValue(build, out var folder)
        ? folder
        : throw new ArgumentException($"No --build {build}=<folder> was given.");

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "TorrentPS.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("The repository (TorrentPS.sln) is not above this program.");
    }
}
