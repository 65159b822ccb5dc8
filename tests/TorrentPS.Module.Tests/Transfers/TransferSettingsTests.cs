using System.Net;
using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Session;
using TorrentPS.Transfers;

namespace TorrentPS.Module.Tests.Transfers;

public class TransferSettingsTests
{
    private static readonly TransferRequest Download = new() { Magnet = Engine.Metainfo.MagnetLink.Parse("magnet:?xt=urn:btih:" + new string('a', 40)), Destination = "/tmp/dl" };

    private static readonly TransferRequest Seed = Download with { Mode = TransferMode.Seed, SeedUntilStopped = true };

    [Fact]
    public void Parameters_left_at_zero_change_nothing()
    {
        var request = new TransferSettings().Apply(Download);
        var options = request.ToOptions(null, null);

        Assert.Equal((null, null, null, false, false), (options.NoProgressTimeout, options.SeedRatio, options.SeedTime, options.SeedUntilStopped, options.SeedsAfterDownload));
        Assert.Empty(options.Peers);
        Assert.Null(request.Listen);
    }

    [Fact]
    public void Peers_timeout_seed_goals_and_listen_port_reach_the_engine_request()
    {
        var peer = IPEndPoint.Parse("127.0.0.2:6881");
        var request = new TransferSettings { Peers = [peer], TimeoutSec = 30, SeedRatio = 1.5, SeedTimeMinutes = 0.5, ListenPort = 51413 }.Apply(Download);
        var options = request.ToOptions(null, null);

        Assert.Equal([peer], options.Peers);
        Assert.Equal(TimeSpan.FromSeconds(30), options.NoProgressTimeout);
        Assert.Equal((1.5, TimeSpan.FromSeconds(30)), (options.SeedRatio, options.SeedTime));
        Assert.True(options.SeedsAfterDownload);
        Assert.Equal(51413, request.Listen!.Port);
    }

    [Fact]
    public void A_seed_goal_replaces_seeding_until_stopped()
    {
        Assert.True(new TransferSettings().Apply(Seed).ToOptions(null, null).SeedUntilStopped);
        Assert.False(new TransferSettings { SeedRatio = 2 }.Apply(Seed).ToOptions(null, null).SeedUntilStopped);
        Assert.False(new TransferSettings { SeedTimeMinutes = 10 }.Apply(Seed).ToOptions(null, null).SeedUntilStopped);
    }

    [Theory]
    [InlineData("IncompleteData", "-AllowPartial")]
    [InlineData("DownloadStalled", "-TimeoutSec")]
    [InlineData("PieceIndexOutOfRange", "PieceCount")]
    [InlineData("FileExists", "-Force")]
    [InlineData("ListenFailed", "-ListenPort")]
    [InlineData("StorageFailed", "-Destination")]
    [InlineData("DiskFull", "Free space")]
    [InlineData("NowhereToAsk", "-Peer")]
    public void Errors_a_user_can_fix_carry_what_to_do(string errorId, string mentioned)
        => Assert.Contains(mentioned, TransferErrors.RecommendedAction(new TorrentPSException(errorId, TorrentErrorKind.InvalidArgument, "x")), StringComparison.Ordinal);

    [Fact]
    public void Other_errors_suggest_nothing()
    {
        Assert.Null(TransferErrors.RecommendedAction(new TorrentPSException("InvalidTorrent", TorrentErrorKind.InvalidData, "x")));
        Assert.Null(TransferErrors.RecommendedAction(new IOException("x")));
    }
}
