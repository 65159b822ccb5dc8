namespace TorrentPS.Interop.Tests.Infrastructure;

/// <summary>
/// What a test of torrents without trackers holds: a temporary folder and the libtorrent DHT nodes and peers it started
/// (stopped in reverse order, then the folder deleted, when the test ends).
/// </summary>
public sealed class DhtSwarm(string folderPrefix, TimeSpan patience) : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _running = [];

    public TempDirectory Folder { get; } = new(folderPrefix);

    /// <summary>How long a test waits for anything of the swarm.</summary>
    public TimeSpan Patience { get; } = patience;

    /// <summary>Something to dispose with the swarm (a session, a process).</summary>
    public T Track<T>(T running)
        where T : IAsyncDisposable
    {
        _running.Add(running);
        return running;
    }

    /// <summary>A libtorrent DHT node (a seeder, a downloader) of this swarm.</summary>
    public async Task<LibtorrentDhtNode> StartAsync(LibtorrentDhtNodeOptions options) => Track(await LibtorrentDhtNode.StartAsync(options));

    /// <summary><paramref name="count"/> plain libtorrent DHT nodes that know each other.</summary>
    public Task<List<LibtorrentDhtNode>> NetworkAsync(int count) => LibtorrentDhtNode.StartNetworkAsync(count, r => Track(r), Patience);

    public async ValueTask DisposeAsync()
    {
        foreach (var running in Enumerable.Reverse(_running))
        {
            await running.DisposeAsync();
        }

        Folder.Dispose();
    }
}
