namespace TorrentPS.Interop.Tests.Infrastructure;

/// <summary>
/// The real <c>tps</c> CLI as a child process (<c>dotnet tps.dll</c>: the test project references the CLI project, so
/// the build copies it next to the tests), for what only a separate process can show, like a SIGKILL mid-download.
/// </summary>
public static class Tps
{
    public static string Assembly => Path.Combine(AppContext.BaseDirectory, "tps.dll");

    /// <summary>Starts <c>tps</c> with the engine's log at <paramref name="logLevel"/> on stderr.</summary>
    public static ExternalProcess Start(IEnumerable<string> arguments, string logLevel = "info")
        => ExternalProcess.Start("dotnet", [Assembly, .. arguments], environment: Environment(logLevel));

    /// <summary>Runs <c>tps</c> to completion; fails when it exits non-zero or outlives <paramref name="timeout"/>. Returns stdout and stderr.</summary>
    public static Task<string> RunAsync(IEnumerable<string> arguments, TimeSpan timeout, string logLevel = "info")
        => ExternalProcess.RunAsync("dotnet", [Assembly, .. arguments], timeout, environment: Environment(logLevel));

    private static Dictionary<string, string> Environment(string logLevel) => new() { ["TPS_LOG"] = logLevel, ["DOTNET_NOLOGO"] = "1" };
}
