using System.Reflection;
using TorrentPS.Bridge;
using TorrentPS.Commands;
using TorrentPS.Transfers;

namespace TorrentPS.Module.Tests.Conformance;

/// <summary>
/// -TimeoutSec follows one rule (about_TorrentPS): every cmdlet that downloads gives up after the same number of seconds
/// in which nothing arrived, and none waits for ever unless asked (0).
/// </summary>
public class TimeoutRuleTests
{
    public static TheoryData<Type> Downloaders => [typeof(StartTorrentDownloadCommand), typeof(StartMagnetDownloadCommand), typeof(SaveTorrentPieceCommand), typeof(GetTorrentInfoCommand)];

    [Theory]
    [MemberData(nameof(Downloaders))]
    public void Every_cmdlet_that_downloads_gives_up_after_the_same_time_by_default(Type cmdlet)
    {
        using var instance = (AsyncCmdlet)Activator.CreateInstance(cmdlet)!;
        var timeout = cmdlet.GetProperty("TimeoutSec", BindingFlags.Public | BindingFlags.Instance)!;
        Assert.Equal(TransferSettings.DefaultTimeoutSec, timeout.GetValue(instance));
        Assert.True(TransferSettings.DefaultTimeoutSec > 0);
    }

    [Fact]
    public void The_rule_is_written_in_about_TorrentPS()
    {
        var about = File.ReadAllText(Path.Combine(Support.RepoPaths.HelpDir, "about_TorrentPS.md"));
        Assert.Contains("## Time limits: -TimeoutSec", about, StringComparison.Ordinal);
        Assert.Contains($"{TransferSettings.DefaultTimeoutSec} by default", about, StringComparison.Ordinal);
    }
}
