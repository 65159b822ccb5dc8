using System.Net;
using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Session;
using TorrentPS.Transfers;

namespace TorrentPS.Module.Tests.Transfers;

public class TransferSettingsTests
{
    private static readonly TorrentOptions Download = TorrentOptions.InFolder("/tmp/dl");

    [Fact]
    public void Parameters_left_at_zero_change_nothing()
    {
        var options = new TransferSettings().Apply(Download);

        Assert.Equal((null, null, null, false, false), (options.NoProgressTimeout, options.SeedRatio, options.SeedTime, options.SeedUntilStopped, options.SeedsAfterDownload));
        Assert.Empty(options.Peers);
    }

    [Fact]
    public void Peers_timeout_and_seed_goals_reach_the_engine_options()
    {
        var peer = IPEndPoint.Parse("127.0.0.2:6881");
        var options = new TransferSettings { Peers = [peer], TimeoutSec = 30, SeedRatio = 1.5, SeedTimeMinutes = 0.5 }.Apply(Download);

        Assert.Equal([peer], options.Peers);
        Assert.Equal(TimeSpan.FromSeconds(30), options.NoProgressTimeout);
        Assert.Equal((1.5, TimeSpan.FromSeconds(30)), (options.SeedRatio, options.SeedTime));
        Assert.True(options.SeedsAfterDownload);
    }

    [Fact]
    public void A_seed_goal_replaces_seeding_until_stopped()
    {
        Assert.True(new TransferSettings().Apply(TorrentOptions.SeedFrom("/tmp/data")).SeedUntilStopped);
        Assert.False(new TransferSettings { SeedRatio = 2 }.Apply(TorrentOptions.SeedFrom("/tmp/data")).SeedUntilStopped);
        Assert.False(new TransferSettings { SeedTimeMinutes = 10 }.Apply(TorrentOptions.SeedFrom("/tmp/data")).SeedUntilStopped);
    }

    [Theory]
    [InlineData(0, 0.0, false, null)]
    [InlineData(0, 0.0, true, TransferSettings.DefaultListenPort)]
    [InlineData(0, 1.0, false, TransferSettings.DefaultListenPort)]
    [InlineData(51413, 0.0, false, 51413)]
    [InlineData(51413, 0.0, true, 51413)]
    public void The_session_listens_when_asked_or_when_seeding(int listenPort, double seedRatio, bool seeds, int? expected)
        => Assert.Equal(expected, new TransferSettings { ListenPort = listenPort, SeedRatio = seedRatio }.ListenPortFor(seeds));

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
