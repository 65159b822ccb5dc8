namespace TorrentPS.Interop.Tests.Infrastructure;

/// <summary>
/// A shell script a client runs when its download completes (aria2's <c>--on-bt-download-complete</c>, transmission's
/// <c>-f</c>): it creates a marker file. Absolute paths throughout, as transmission runs it with cwd <c>/</c>.
/// </summary>
public sealed class CompletionMarker
{
    public CompletionMarker(string folder)
    {
        ScriptPath = Path.Combine(folder, "completed.sh");
        MarkerPath = Path.Combine(folder, "completed.marker");
        File.WriteAllText(ScriptPath, $"#!/bin/sh\ntouch '{MarkerPath}'\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(ScriptPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    public string ScriptPath { get; }

    public string MarkerPath { get; }

    /// <summary>Waits for the marker; fails with the client's output when it exits first or the time runs out.</summary>
    public async Task WaitAsync(ExternalProcess process, string client, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!File.Exists(MarkerPath))
        {
            if (process.HasExited)
            {
                // The client may exit while its hook is still running: give the hook a few seconds on a loaded machine.
                for (var waited = 0; waited < 5000; waited += 100)
                {
                    if (File.Exists(MarkerPath))
                    {
                        return;
                    }

                    await Task.Delay(100);
                }

                throw new InvalidOperationException($"{client} exited before completing its download:\n{process.Output}");
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{client} did not complete its download within {timeout}:\n{process.Output}");
            }

            await Task.Delay(100);
        }
    }
}
