using System.Net;
using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Session;
using TorrentPS.Engine.Storage;
using TorrentPS.Engine.Tests.Storage;

namespace TorrentPS.Engine.Tests.Session;

/// <summary>The one request both front ends build, and the one place it becomes a run's options.</summary>
public sealed class TransferRequestTests
{
    private static readonly MagnetLink Magnet = MagnetLink.Parse($"magnet:?xt=urn:btih:{new string('b', 40)}&dn=film&x.pe=127.0.0.9:7000");

    [Fact]
    public void A_download_into_a_folder_makes_the_file_inside_it_with_its_resume_data_beside()
    {
        using var torrent = StorageTorrent.Single("movie.bin", 1000, 256);
        var request = TransferRequest.Download(torrent.Torrent, torrent.Folder);

        using var data = (FileTorrentData)request.ToOptions(null, null).Data(torrent.Torrent);

        Assert.Equal(Path.Combine(torrent.Folder, "movie.bin"), data.ContentPath);
        Assert.Equal(ContentLocation.GetDefaultResumePathInFolder(torrent.Folder, torrent.Torrent.Hash), data.Location.ResumePath);
        Assert.Equal(data.ContentPath, request.ContentPathFor(null));
    }

    [Fact]
    public void A_download_at_a_path_writes_the_file_itself()
    {
        using var torrent = StorageTorrent.Single("movie.bin", 1000, 256);
        var target = Path.Combine(torrent.Folder, "renamed.bin");
        var request = TransferRequest.Download(torrent.Torrent, target) with { Layout = ContentLayout.AtPath };

        using var data = (FileTorrentData)request.ToOptions(null, null).Data(torrent.Torrent);

        Assert.Equal(target, data.ContentPath);
        Assert.Equal(ContentLocation.GetDefaultResumePathAtPath(target, torrent.Torrent.Hash), request.ResumePath(null));
    }

    [Fact]
    public void A_background_torrent_keeps_its_resume_data_in_the_state_folder()
    {
        using var torrent = StorageTorrent.Single("movie.bin", 1000, 256);
        var state = Path.Combine(torrent.Folder, "state", "resume");
        var request = TransferRequest.Download(torrent.Torrent, torrent.Folder) with { ResumeInStateFolder = true };

        using var data = (FileTorrentData)request.ToOptions(state, null).Data(torrent.Torrent);

        Assert.Equal(ContentLocation.GetResumePath(state, torrent.Torrent.Hash), data.Location.ResumePath);
        Assert.Equal(data.Location.ResumePath, request.ResumePath(state));
    }

    [Fact]
    public void Peers_timeout_goals_and_limits_reach_the_run_and_a_goal_replaces_seeding_until_stopped()
    {
        using var torrent = StorageTorrent.Single("movie.bin", 1000, 256);
        var peer = IPEndPoint.Parse("127.0.0.2:6881");
        var request = TransferRequest.Seed(torrent.Torrent, torrent.Folder, allowPartial: true) with
        {
            Peers = [peer],
            NoProgressTimeout = TimeSpan.FromSeconds(30),
            SeedRatio = 2,
            UploadRateLimit = 1000,
            DownloadRateLimit = 2000,
            UseTrackers = false,
        };

        var options = request.ToOptions(null, null, new TorrentOptions { Data = _ => throw new InvalidOperationException(), MaxConnections = 7 });

        Assert.Equal([peer], options.Peers);
        Assert.Equal((TimeSpan.FromSeconds(30), 2.0, false), (options.NoProgressTimeout!.Value, options.SeedRatio!.Value, options.SeedUntilStopped));
        Assert.Equal((1000L, 2000L, 7), (options.UploadRateLimit, options.DownloadRateLimit, options.MaxConnections));
        Assert.Equal((false, true, false), (options.DownloadMissing, options.AllowPartial, options.UseTrackers));
        Assert.True(TransferRequest.Seed(torrent.Torrent, torrent.Folder).ToOptions(null, null).SeedUntilStopped);
    }

    [Fact]
    public void A_magnet_link_brings_its_own_peers_and_its_name_until_the_metadata_is_known()
    {
        var request = TransferRequest.Download(Magnet, "/tmp/dl");

        var options = request.ToOptions(null, null);

        Assert.Equal([IPEndPoint.Parse("127.0.0.9:7000")], options.Peers);
        Assert.Equal(("film", Magnet.Hash), (request.Name, request.InfoHash));
        Assert.Null(request.ContentPathFor(null));
    }

    [Fact]
    public void Fetches_are_not_kept_and_a_download_needs_a_destination()
    {
        Assert.False(TransferRequest.Metadata(Magnet).IsKept);
        Assert.False(TransferRequest.Pieces(Magnet, new Dictionary<int, string> { [0] = "/tmp/p0" }).IsKept);
        Assert.True(TransferRequest.Download(Magnet, "/tmp").IsKept);

        var error = Assert.Throws<TorrentPSException>(() => TransferRequest.Download(Magnet, string.Empty).ToOptions(null, null));
        Assert.Equal("InvalidTransferRequest", error.ErrorId);
    }
}
