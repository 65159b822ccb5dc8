using System.Collections.Specialized;
using System.Net;
using System.Security.Cryptography;
using TorrentPS.Conversion;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Session;
using TorrentPS.Engine.Swarm;

namespace TorrentPS.Module.Tests.Session;

/// <summary>A session of its own on loopback with torrents made on the spot: seeds of data in a temporary folder, downloads with no peer.</summary>
internal sealed class SessionTorrents : IAsyncDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("tps-module-session-").FullName;

    public TorrentSession Session { get; } = new(listen: ListenSettings.AnyPort(IPAddress.Loopback));

    /// <summary>A torrent named <paramref name="name"/> seeding its data (complete, no peers) until stopped.</summary>
    public async Task<Torrent> SeedAsync(string name)
    {
        var (info, folder) = Make(name, withData: true);
        var torrent = Session.Start(TransferRequest.Seed(info, folder) with { UseTrackers = false });
        await ReachAsync(torrent, TorrentState.Seeding);
        return torrent;
    }

    /// <summary>A torrent named <paramref name="name"/> downloading with nobody to download from.</summary>
    public async Task<Torrent> StuckDownloadAsync(string name)
    {
        var (info, folder) = Make(name, withData: false);
        var torrent = Session.Start(TransferRequest.Download(info, folder) with { UseTrackers = false });
        await ReachAsync(torrent, TorrentState.Downloading);
        return torrent;
    }

    public static async Task ReachAsync(Torrent torrent, TorrentState state)
    {
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        torrent.StateChanged += (_, e) =>
        {
            if (e.State == state)
            {
                reached.TrySetResult();
            }
        };
        if (torrent.State != state)
        {
            await reached.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Session.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    private (TorrentInfo Info, string Folder) Make(string name, bool withData)
    {
        var content = RandomNumberGenerator.GetBytes(40_000);
        var hashes = new List<byte>();
        for (var offset = 0; offset < content.Length; offset += 16384)
        {
            hashes.AddRange(SHA1.HashData(content.AsSpan(offset, Math.Min(16384, content.Length - offset))));
        }

        var dictionary = new OrderedDictionary { ["length"] = content.Length, ["name"] = name, ["piece length"] = 16384, ["pieces"] = hashes.ToArray() };
        var info = TorrentInfo.Parse(BencodeObjectConverter.Encode(new OrderedDictionary { ["info"] = dictionary }));
        var folder = Directory.CreateDirectory(Path.Combine(_folder, name + "-data")).FullName;
        if (withData)
        {
            File.WriteAllBytes(Path.Combine(folder, name), content);
        }

        return (info, folder);
    }
}
