using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Session;

namespace TorrentPS.Engine.Tests.Session;

public sealed class StateFolderTests
{
    [Fact]
    public void TORRENTPS_STATE_moves_the_state_folder()
    {
        var moved = Path.Combine(Path.GetTempPath(), "moved-state");

        var folder = StateFolder.Resolve(name => name == StateFolder.Variable ? moved : null);

        Assert.Equal(Path.GetFullPath(moved), folder);
    }

    [Fact]
    public void Without_it_the_per_user_folder_is_used()
        => Assert.Equal(StateFolder.Default(), StateFolder.Resolve(_ => null));

    [Fact]
    public void A_test_that_would_use_the_real_per_user_folder_fails_loudly()
    {
        var error = Assert.Throws<TorrentPSException>(() => StateFolder.Resolve(name => name == StateFolder.TestVariable ? "1" : null));

        Assert.Equal("StateFolderInTest", error.ErrorId);
        Assert.Contains(StateFolder.Variable, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_per_user_folder_follows_the_platform_convention()
    {
        var folder = StateFolder.Default();

        Assert.Equal("TorrentPS", Path.GetFileName(folder));
        if (!OperatingSystem.IsWindows() && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("XDG_DATA_HOME")))
        {
            Assert.Equal(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share", "TorrentPS"), folder);
        }
    }
}
