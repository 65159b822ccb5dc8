using TorrentPS.Engine.Session;
using TorrentPS.Engine.Swarm;

namespace TorrentPS.Engine.Tests.Session;

/// <summary>Waits on what a held <see cref="Torrent"/> tells (its events), never on a clock.</summary>
internal static class HeldTorrents
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>Returns once <paramref name="torrent"/> is in <paramref name="state"/> (at once when it is).</summary>
    public static async Task WaitForStateAsync(Torrent torrent, TorrentState state)
    {
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnChange(object? sender, TorrentEventArgs e)
        {
            if (e.State == state)
            {
                reached.TrySetResult();
            }
        }

        torrent.StateChanged += OnChange;
        try
        {
            if (torrent.State == state)
            {
                return;
            }

            await reached.Task.WaitAsync(Patience);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"{torrent.Name} stayed {torrent.State} ({torrent.Error}), never {state}");
        }
        finally
        {
            torrent.StateChanged -= OnChange;
        }
    }

    /// <summary>A temporary folder, deleted with its content at the end.</summary>
    public static TempFolder Folder() => new();

    internal sealed class TempFolder : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("torrentps-session-").FullName;

        public string Sub(string name) => Directory.CreateDirectory(System.IO.Path.Combine(Path, name)).FullName;

        public void Dispose()
        {
            try
            {
                Directory.Delete(Path, recursive: true);
            }
            catch (IOException)
            {
                // A file still open by a run that is ending; the temp folder is cleaned by the system.
            }
        }
    }
}
