using System.Management.Automation;
using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Session;

namespace TorrentPS.Session;

/// <summary>
/// The module's side of the process-wide session: on import its state folder is opened (<see cref="StateFolder"/>: the
/// saved torrents are listed, none starts); when the process exits, or the last import of the module is removed, the
/// running torrents checkpoint and tell their trackers <c>stopped</c> (bounded by <see cref="CloseTimeout"/>) and the
/// list is saved. What went wrong while opening (a damaged list, a folder another process holds) is kept for the first
/// command that uses the session to show as warnings: an import has no stream to write them to.
/// </summary>
public sealed class ModuleSession : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    /// <summary>The longest the end of the process waits for running torrents to stop.</summary>
    public static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(8);

    private static readonly object Gate = new();
    private static readonly List<string> PendingWarnings = [];
    private static int _imports;
    private static bool _exitHooked;

    /// <summary>The session every command of the module uses.</summary>
    public static TorrentSession Session => TorrentSession.Shared;

    /// <summary>Import-Module: the state folder is opened (once per process) and the end of the process hooked.</summary>
    /// <exception cref="TorrentPSException"><c>StateFolderInTest</c>: a test would use the real per-user folder (the import fails loudly).</exception>
    public void OnImport()
    {
        lock (Gate)
        {
            _imports++;
            if (!_exitHooked)
            {
                _exitHooked = true;
                AppDomain.CurrentDomain.ProcessExit += (_, _) => Close();
            }
        }

        OpenState(StateFolder.Resolve());
    }

    /// <summary>Remove-Module (or Import-Module -Force): when no import is left, the torrents stop and the list is saved.</summary>
    public void OnRemove(PSModuleInfo psModuleInfo)
    {
        lock (Gate)
        {
            if (--_imports > 0)
            {
                return;
            }

            _imports = 0;
        }

        Close();
    }

    /// <summary>Uses <paramref name="path"/> as the state folder; problems become warnings for the next command.</summary>
    internal static void OpenState(string path)
    {
        IReadOnlyList<string> problems;
        try
        {
            problems = Session.OpenState(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            problems = [$"The state folder {path} cannot be used ({ex.Message}): torrents are not saved."];
        }

        lock (Gate)
        {
            PendingWarnings.AddRange(problems.Select(p => $"TorrentPS state folder {path}: {p}"));
            if (Session.StateInUseElsewhere)
            {
                PendingWarnings.Add($"The state folder {path} is in use by another TorrentPS process: this session's torrents are not saved there, and that process's are not listed. Set-TorrentSession -StatePath chooses another.");
            }
        }
    }

    /// <summary>The warnings from opening the state, once (the first command to ask shows them).</summary>
    internal static IReadOnlyList<string> TakeWarnings()
    {
        lock (Gate)
        {
            var warnings = PendingWarnings.ToArray();
            PendingWarnings.Clear();
            return warnings;
        }
    }

    /// <summary>Stops the running torrents (progress saved, trackers told) and saves the list, within <see cref="CloseTimeout"/>.</summary>
    private static void Close()
    {
        try
        {
            // The process is ending (or the module is leaving): nothing here can be awaited, so it is waited for, bounded.
            Task.Run(() => Session.CloseAsync(CloseTimeout)).Wait(CloseTimeout + TimeSpan.FromSeconds(1));
        }
        catch (AggregateException)
        {
            // Closing is best effort: what was saved stays saved.
        }
    }
}
