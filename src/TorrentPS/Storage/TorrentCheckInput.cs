using TorrentPS.Engine.Metainfo;

namespace TorrentPS.Storage;

/// <summary>One torrent Test-Torrent was given: a parsed TorrentInfo, or a resolved .torrent path still to read.</summary>
internal sealed class TorrentCheckInput
{
    private TorrentCheckInput(TorrentInfo? torrent, string? path)
    {
        Torrent = torrent;
        Path = path;
    }

    public TorrentInfo? Torrent { get; }

    public string? Path { get; }

    /// <summary>What an error about this input names: the torrent or its path.</summary>
    public object Target => (object?)Torrent ?? Path!;

    public static TorrentCheckInput ForTorrent(TorrentInfo torrent) => new(torrent ?? throw new ArgumentNullException(nameof(torrent)), null);

    /// <summary>A file-system path already resolved by the provider.</summary>
    public static TorrentCheckInput ForPath(string providerPath) => new(null, providerPath);

    /// <summary>The torrent; reads the file for a path (throws the engine's typed errors for a bad one).</summary>
    public Task<TorrentInfo> LoadAsync(CancellationToken cancellationToken)
        => Torrent is not null ? Task.FromResult(Torrent) : TorrentInfo.LoadAsync(Path!, cancellationToken);
}
