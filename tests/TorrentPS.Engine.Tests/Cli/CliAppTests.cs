using System.Reflection;
using TorrentPS.Cli;
using TorrentPS.Cli.Verbs;

namespace TorrentPS.Engine.Tests.Cli;

public class CliAppTests
{
    public static TheoryData<string> VerbNames => [.. CliApp.Verbs.Select(v => v.Command.Name)];

    [Fact]
    public async Task Help_lists_every_verb_with_its_arguments_and_description_and_the_exit_codes_on_stdout()
    {
        var (exitCode, stdout, stderr) = await CliRunner.RunAsync("--help");
        Assert.Equal(0, exitCode);
        Assert.Empty(stderr);
        Assert.Contains("decode <bencoded value>", stdout, StringComparison.Ordinal);
        Assert.Contains("info <file.torrent>", stdout, StringComparison.Ordinal);
        Assert.Contains("magnet_parse", stdout, StringComparison.Ordinal);
        foreach (var verb in CliApp.Verbs)
        {
            Assert.Contains(verb.Command.Description!, stdout, StringComparison.Ordinal);
        }

        Assert.Contains("Exit codes:", stdout, StringComparison.Ordinal);
        foreach (var (code, meaning) in CliApp.ExitCodes)
        {
            Assert.Matches($@"(?m)^\s+{code}\s+{System.Text.RegularExpressions.Regex.Escape(meaning)}$", stdout);
        }
    }

    [Theory]
    [MemberData(nameof(VerbNames))]
    public async Task Each_verb_has_help_of_its_own_describing_its_arguments(string name)
    {
        var verb = CliApp.Verbs.Single(v => v.Command.Name == name);
        var (exitCode, stdout, stderr) = await CliRunner.RunAsync(name, "--help");
        Assert.Equal(0, exitCode);
        Assert.Empty(stderr);
        Assert.Contains(verb.Command.Description!, stdout, StringComparison.Ordinal);
        Assert.Contains($"tps {name}", stdout, StringComparison.Ordinal);
        foreach (var argument in verb.Command.Arguments)
        {
            Assert.Contains($"<{argument.Name}>", stdout, StringComparison.Ordinal);
            Assert.Contains(argument.Description!, stdout, StringComparison.Ordinal);
        }

        Assert.Contains("Exit codes:", stdout, StringComparison.Ordinal);

        var (helpExit, helpStdout, _) = await CliRunner.RunAsync("help", name);
        Assert.Equal((0, stdout), (helpExit, helpStdout));
    }

    [Fact]
    public async Task Help_of_a_verb_is_help_not_an_argument()
    {
        // Before System.CommandLine: "The torrent file '--help' does not exist" and "Invalid bencode".
        var (infoExit, infoStdout, _) = await CliRunner.RunAsync("info", "--help");
        var (decodeExit, decodeStdout, _) = await CliRunner.RunAsync("decode", "-h");
        Assert.Equal((0, 0), (infoExit, decodeExit));
        Assert.DoesNotContain("does not exist", infoStdout, StringComparison.Ordinal);
        Assert.DoesNotContain("Invalid bencode", decodeStdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Version_prints_the_assembly_version_alone()
    {
        var (exitCode, stdout, stderr) = await CliRunner.RunAsync("--version");
        var version = typeof(CliApp).Assembly.GetName().Version!;
        Assert.Equal(0, exitCode);
        Assert.Empty(stderr);
        Assert.Equal($"{version.Major}.{version.Minor}.{version.Build}\n", stdout);
    }

    [Fact]
    public async Task No_command_prints_every_usage_line_on_stderr_with_exit_code_2()
    {
        var (exitCode, stdout, stderr) = await CliRunner.RunAsync();
        Assert.Equal(2, exitCode);
        Assert.Empty(stdout);
        foreach (var verb in CliApp.Verbs)
        {
            Assert.Contains(CliApp.Usage(verb), stderr, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Unknown_command_fails_with_exit_code_2()
    {
        var (exitCode, stdout, stderr) = await CliRunner.RunAsync("frobnicate");
        Assert.Equal(2, exitCode);
        Assert.Equal(string.Empty, stdout);
        Assert.Contains("unknown command 'frobnicate'", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("info", "a.torrent", "--frobnicate")]
    [InlineData("handshake", "a.torrent")]
    [InlineData("magnet_parse", "magnet:?xt=urn:btih:0123456789abcdef0123456789abcdef01234567", "extra")]
    [InlineData("peers", "a.torrent", "--timeout", "soon")]
    [InlineData("download", "a.torrent")]
    [InlineData("download_piece", "-o", "piece", "a.torrent", "first")]
    [InlineData("download", "-o", "out", "a.torrent", "--seed-ratio", "-1")]
    public async Task Usage_errors_exit_with_2_naming_the_verb_and_its_usage(params string[] args)
    {
        var (exitCode, stdout, stderr) = await CliRunner.RunAsync(args);
        var verb = CliApp.Verbs.Single(v => v.Command.Name == args[0]);
        Assert.Equal(2, exitCode);
        Assert.Empty(stdout);
        Assert.StartsWith($"tps {args[0]}: ", stderr, StringComparison.Ordinal);
        Assert.Contains($"Usage: {CliApp.Usage(verb)}", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_option_is_a_usage_error_not_a_file_name_unless_it_follows_a_double_dash()
    {
        var (exitCode, _, stderr) = await CliRunner.RunAsync("info", "--version");
        Assert.Equal(2, exitCode);
        Assert.StartsWith("tps info: unknown option '--version'", stderr, StringComparison.Ordinal);

        var (afterDash, _, afterDashStderr) = await CliRunner.RunAsync("info", "--", "--version");
        Assert.Equal(1, afterDash);
        Assert.Contains("'--version' does not exist", afterDashStderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_negative_option_value_is_judged_by_the_option()
    {
        var (exitCode, _, stderr) = await CliRunner.RunAsync("peers", "a.torrent", "--timeout", "-1");
        Assert.Equal(2, exitCode);
        Assert.StartsWith("tps peers: --timeout needs a number of seconds more than 0 and at most 3600.", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_argument_is_named()
    {
        var (_, _, stderr) = await CliRunner.RunAsync("handshake", "a.torrent");
        Assert.StartsWith("tps handshake: missing <ip:port>. Usage: tps handshake <file.torrent> <ip:port>\n", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_argument_starting_with_at_is_a_value_not_a_response_file()
    {
        var path = $"@missing-{Guid.NewGuid():N}.torrent";
        var (exitCode, _, stderr) = await CliRunner.RunAsync("info", path);
        Assert.Equal(1, exitCode);
        Assert.Contains("does not exist", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Usage_lines_come_from_the_verbs_arguments_and_options()
    {
        Assert.Equal("tps download_piece -o <file> <file.torrent> <piece index> [--peer <ip:port>]... [--timeout <seconds>] [--port <port>] [--bind <address>] [--no-dht] [--dht-node <ip:port>]...", CliApp.Usage(CliApp.Verbs.Single(v => v.Command.Name == "download_piece")));
        Assert.Equal("tps peers <file.torrent|magnet-link> [--timeout <seconds>]", CliApp.Usage(CliApp.Verbs.Single(v => v.Command.Name == "peers")));
        Assert.Equal("tps decode <bencoded value>", CliApp.Usage(CliApp.Verbs.Single(v => v.Command.Name == "decode")));
    }

    [Theory]
    [InlineData("download")]
    [InlineData("download_piece")]
    [InlineData("magnet_info")]
    [InlineData("magnet_download_piece")]
    [InlineData("magnet_download")]
    [InlineData("seed")]
    public void Every_transfer_verb_listens_where_port_and_bind_say(string name)
    {
        var usage = CliApp.Usage(CliApp.Verbs.Single(v => v.Command.Name == name));

        Assert.Contains("[--port <port>] [--bind <address>]", usage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("download")]
    [InlineData("download_piece")]
    [InlineData("magnet_info")]
    [InlineData("magnet_download_piece")]
    [InlineData("magnet_download")]
    [InlineData("seed")]
    [InlineData("magnet_handshake")]
    public void Every_verb_that_looks_for_peers_takes_no_dht_and_repeatable_dht_nodes(string name)
    {
        var usage = CliApp.Usage(CliApp.Verbs.Single(v => v.Command.Name == name));

        Assert.Contains("[--no-dht] [--dht-node <ip:port>]...", usage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.1:0")]
    [InlineData("127.0.0.1:65536")]
    [InlineData("127.0.0.1:port")]
    [InlineData(":6881")]
    [InlineData("::1:6881")]
    [InlineData("[not-v6]:6881")]
    [InlineData("two words:6881")]
    public async Task A_dht_node_that_is_not_host_and_port_is_a_usage_error(string node)
    {
        var (exitCode, stdout, stderr) = await CliRunner.RunAsync("magnet_download", "-o", "/tmp/x", "magnet:?xt=urn:btih:0123456789abcdef0123456789abcdef01234567", "--dht-node", "127.0.0.2:6881", "--dht-node", node);

        Assert.Equal(ExitCode.Usage, exitCode);
        Assert.Empty(stdout);
        Assert.Contains("--dht-node takes host:port or ip:port with a port from 1 to 65535", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.1:6881")]
    [InlineData("[::1]:6881")]
    [InlineData("dht.example.org:6881")]
    [InlineData("localhost:65535")]
    public void A_dht_node_as_ip_or_host_and_port_is_accepted(string node)
    {
        var verb = CliApp.Verbs.Single(v => v.Command.Name == "magnet_download");
        var parsed = CliApp.Root.Parse(["magnet_download", "-o", "/tmp/x", "magnet:?xt=urn:btih:0123456789abcdef0123456789abcdef01234567", "--dht-node", node, "--dht-node", "127.0.0.3:1"]);

        Assert.Null(CliApp.UsageError(verb, parsed));
    }

    [Fact]
    public async Task A_bind_address_that_is_not_an_IP_address_is_a_usage_error()
    {
        var (exitCode, _, stderr) = await CliRunner.RunAsync("download", "-o", "/tmp/x", "x.torrent", "--bind", "somewhere");

        Assert.Equal(ExitCode.Usage, exitCode);
        Assert.Contains("--bind takes an IP address", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_flag_is_listed_without_a_value_when_tps_runs_with_no_arguments()
    {
        var (_, _, stderr) = await CliRunner.RunAsync();
        Assert.Contains("[--allow-partial]", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("--allow-partial <", stderr, StringComparison.Ordinal);
        Assert.Contains("[--seed-ratio <ratio>]", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_verb_class_is_registered_once_and_describes_itself_its_arguments_and_options()
    {
        var classes = typeof(CliApp).Assembly.GetTypes().Where(t => typeof(ICliVerb).IsAssignableFrom(t) && !t.IsAbstract && !t.IsInterface).ToArray();
        Assert.Equal(classes.Select(t => t.Name).Order(), CliApp.Verbs.Select(v => v.GetType().Name).Order());
        Assert.Equal(CliApp.Verbs.Count, CliApp.Verbs.Select(v => v.Command.Name).Distinct().Count());
        Assert.Equal(CliApp.Verbs.Select(v => v.Command.Name).Order(StringComparer.Ordinal), CliApp.Verbs.Select(v => v.Command.Name));
        Assert.All(classes, t => Assert.Equal("TorrentPS.Cli.Verbs", t.Namespace));
        foreach (var verb in CliApp.Verbs)
        {
            Assert.False(string.IsNullOrWhiteSpace(verb.Command.Description), $"{verb.Command.Name} has no description");
            Assert.All(verb.Command.Arguments, a => Assert.False(string.IsNullOrWhiteSpace(a.Description), $"{verb.Command.Name} <{a.Name}> has no description"));
            Assert.All(verb.Command.Options, o => Assert.False(string.IsNullOrWhiteSpace(o.Description), $"{verb.Command.Name} {o.Name} has no description"));
        }
    }
}
