using TorrentPS.Engine.Errors;

namespace TorrentPS.Engine.Session;

/// <summary>
/// Where the session keeps its state (the torrent list, resume data, settings) for the user: <c>$TORRENTPS_STATE</c>
/// when set; else <c>%LOCALAPPDATA%\TorrentPS</c> on Windows, <c>$XDG_DATA_HOME/TorrentPS</c> or
/// <c>~/.local/share/TorrentPS</c> elsewhere. With <c>TORRENTPS_TEST</c> set (the test helpers set it), a session that
/// would use the real per-user folder fails loudly instead: tests never touch the user's state.
/// </summary>
public static class StateFolder
{
    /// <summary>The variable that moves the state folder.</summary>
    internal const string Variable = "TORRENTPS_STATE";

    /// <summary>The variable the test helpers set: the per-user folder is then refused.</summary>
    internal const string TestVariable = "TORRENTPS_TEST";

    /// <summary>The folder to use: <c>$TORRENTPS_STATE</c>, else the per-user default.</summary>
    /// <exception cref="TorrentPSException"><c>StateFolderInTest</c>: a test would use the real per-user folder.</exception>
    public static string Resolve() => Resolve(Environment.GetEnvironmentVariable);

    /// <summary><see cref="Resolve()"/> with the environment read through <paramref name="environment"/> (tests).</summary>
    internal static string Resolve(Func<string, string?> environment)
    {
        if (environment(Variable) is { Length: > 0 } moved)
        {
            return Path.GetFullPath(moved);
        }

        var folder = Default();
        if (!string.IsNullOrEmpty(environment(TestVariable)))
        {
            throw new TorrentPSException(
                "StateFolderInTest",
                TorrentErrorKind.InvalidArgument,
                $"{TestVariable} is set but {Variable} is not: a test would use the real state folder {folder}. Point {Variable} at a temporary folder.");
        }

        return folder;
    }

    /// <summary>
    /// For a test process: sets <see cref="TestVariable"/>, so a session that would use the real per-user folder fails
    /// loudly, and points <see cref="Variable"/> (unless already set) at a temporary folder named after
    /// <paramref name="name"/> and the process (child processes inherit both).
    /// </summary>
    internal static void KeepTestsOutOfTheUsersState(string name)
    {
        Environment.SetEnvironmentVariable(TestVariable, "1");
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(Variable)))
        {
            Environment.SetEnvironmentVariable(Variable, Path.Combine(Path.GetTempPath(), $"{name}-{Environment.ProcessId}"));
        }
    }

    /// <summary>The per-user default, whatever the variables say.</summary>
    internal static string Default()
    {
        if (OperatingSystem.IsWindows())
        {
            return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "TorrentPS");
        }

        var data = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
        if (string.IsNullOrEmpty(data) || !Path.IsPathRooted(data))
        {
            data = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share");
        }

        return Path.Combine(data, "TorrentPS");
    }
}
