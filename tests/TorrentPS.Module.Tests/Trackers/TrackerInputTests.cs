using System.Net;
using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Trackers;
using TorrentPS.Trackers;

namespace TorrentPS.Module.Tests.Trackers;

public class TrackerInputTests
{
    private const string Hash = "0123456789abcdef0123456789abcdef01234567";
    private const string Link = $"magnet:?xt=urn:btih:{Hash}&tr=udp%3A%2F%2Ft1%3A80%2Fannounce&tr=http%3A%2F%2Ft2%2Fannounce&x.pe=10.0.0.1:6881";

    [Fact]
    public async Task Magnet_text_gives_its_trackers_one_per_tier_its_peers_and_a_placeholder_left()
    {
        var target = await TrackerInput.ForMagnet(Link).ResolveAsync(null, CancellationToken.None);

        Assert.Equal(Hash, target.InfoHash.Hex);
        Assert.Equal([["udp://t1:80/announce"], ["http://t2/announce"]], target.TrackerTiers.Select(t => t.ToArray()));
        Assert.Equal([IPEndPoint.Parse("10.0.0.1:6881")], target.KnownPeers);
        Assert.Equal(AnnounceRequest.UnknownLengthPlaceholder, target.Left);
    }

    [Fact]
    public async Task MagnetLink_object_resolves_like_its_text()
    {
        var input = TrackerInput.ForMagnet((object)MagnetLink.Parse(Link));

        var target = await input.ResolveAsync(null, CancellationToken.None);

        Assert.IsType<MagnetLink>(input.Target);
        Assert.Equal(2, target.TrackerTiers.Count);
    }

    [Fact]
    public async Task Tracker_parameter_replaces_the_inputs_trackers()
    {
        var target = await TrackerInput.ForMagnet(Link).ResolveAsync(["udp://mine:1/announce"], CancellationToken.None);

        Assert.Equal([["udp://mine:1/announce"]], target.TrackerTiers.Select(t => t.ToArray()));
    }

    [Theory]
    [InlineData("magnet:?xt=urn:btih:abc", true)]
    [InlineData("  MAGNET:?xt", true)]
    [InlineData("./magnet.torrent", false)]
    [InlineData("C:\\magnet:?", false)]
    public void Magnet_text_is_told_from_paths(string text, bool isMagnet) => Assert.Equal(isMagnet, TrackerInput.LooksLikeMagnet(text));

    [Fact]
    public async Task Bad_magnet_link_is_a_typed_error()
    {
        var error = await Assert.ThrowsAnyAsync<TorrentPSException>(() => TrackerInput.ForMagnet("magnet:?dn=nothing").ResolveAsync(null, CancellationToken.None));

        Assert.Equal("InvalidMagnetLink", error.ErrorId);
    }

    [Fact]
    public async Task Torrent_file_is_loaded_from_its_path()
    {
        var path = Path.Combine(Path.GetTempPath(), $"tps-{Guid.NewGuid():N}.torrent");
        await File.WriteAllBytesAsync(path, "d8:announce18:udp://t:1/announce4:infod6:lengthi5e4:name1:x12:piece lengthi16384e6:pieces20:aaaaaaaaaaaaaaaaaaaaee"u8.ToArray());
        try
        {
            var target = await TrackerInput.ForPath(path).ResolveAsync(null, CancellationToken.None);

            Assert.Equal([["udp://t:1/announce"]], target.TrackerTiers.Select(t => t.ToArray()));
            Assert.Equal(5, target.Left);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task A_torrent_read_again_from_its_SourcePath_must_have_the_info_hash_it_came_with()
    {
        var path = Path.Combine(Path.GetTempPath(), $"tps-{Guid.NewGuid():N}.torrent");
        await File.WriteAllBytesAsync(path, "d8:announce18:udp://t:1/announce4:infod6:lengthi5e4:name1:x12:piece lengthi16384e6:pieces20:aaaaaaaaaaaaaaaaaaaaee"u8.ToArray());
        try
        {
            var actual = (await TorrentInfo.LoadAsync(path)).Hash;
            var same = await TrackerInput.ForPath(path, actual).ResolveAsync(null, CancellationToken.None);
            Assert.Equal(actual, same.InfoHash);

            var changed = await Assert.ThrowsAsync<TorrentPSException>(() => TrackerInput.ForPath(path, InfoHash.Compute("other"u8)).ResolveAsync(null, CancellationToken.None));
            Assert.Equal(("TorrentChanged", TorrentErrorKind.InvalidData), (changed.ErrorId, changed.Kind));
            Assert.Contains(actual.Hex, changed.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
