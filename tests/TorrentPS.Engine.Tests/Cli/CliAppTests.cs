namespace TorrentPS.Engine.Tests.Cli;

public class CliAppTests
{
    [Fact]
    public async Task Help_lists_the_data_verbs_on_stdout()
    {
        var (exitCode, stdout, _) = await CliRunner.RunAsync("--help");
        Assert.Equal(0, exitCode);
        Assert.Contains("tps decode <bencoded value>", stdout, StringComparison.Ordinal);
        Assert.Contains("tps info <file.torrent>", stdout, StringComparison.Ordinal);
        Assert.Contains("tps magnet_parse", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_command_fails_with_exit_code_2()
    {
        var (exitCode, stdout, stderr) = await CliRunner.RunAsync("frobnicate");
        Assert.Equal(2, exitCode);
        Assert.Equal(string.Empty, stdout);
        Assert.Contains("unknown command 'frobnicate'", stderr, StringComparison.Ordinal);
    }
}
