using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using TorrentPS.Cli.Verbs;
using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Text;

namespace TorrentPS.Cli;

/// <summary>
/// `tps`: the challenge's commands and exact output formats over the engine. System.CommandLine parses the command
/// line (help, --version, usage errors); each verb (<see cref="ICliVerb"/>, one class in Verbs/) does its work.
/// </summary>
internal static class CliApp
{
    /// <summary>The exit codes, as help lists them.</summary>
    internal static IReadOnlyList<(int Code, string Meaning)> ExitCodes { get; } =
    [
        (ExitCode.Success, "success"),
        (ExitCode.Failure, "failure (bad or missing file, no answer...): one line on stderr"),
        (ExitCode.Usage, "usage error: unknown command, wrong arguments, bad option"),
        (ExitCode.Cancelled, "cancelled with Ctrl+C"),
    ];

    /// <summary>
    /// Every command `tps` knows, listed by name in help. A new verb is one line here (a list, not reflection: tps is
    /// published with Native AOT); <c>CliAppTests</c> fails when a verb class in Verbs/ is missing from it.
    /// </summary>
    internal static IReadOnlyList<ICliVerb> Verbs { get; } = new ICliVerb[]
    {
        new DecodeVerb(),
        new InfoVerb(),
        new PeersVerb(),
        new HandshakeVerb(),
        new DownloadPieceVerb(),
        new DownloadVerb(),
        new MagnetParseVerb(),
        new MagnetHandshakeVerb(),
        new MagnetInfoVerb(),
        new MagnetDownloadPieceVerb(),
        new MagnetDownloadVerb(),
        new SeedVerb(),
        new VerifyVerb(),
        new CreateVerb(),
    }.OrderBy(v => v.Command.Name, StringComparer.Ordinal).ToArray();

    internal static Command Root { get; } = CreateRoot();

    /// <summary>Stderr is a terminal: transfer verbs show a status line there.</summary>
    public static bool StderrIsTerminal { get; set; }

    /// <summary>The engine's log on <paramref name="stderr"/>, from the level <c>TPS_LOG</c> names (warnings by default).</summary>
    public static Microsoft.Extensions.Logging.ILoggerFactory CreateLoggers(TextWriter stderr, Microsoft.Extensions.Logging.LogLevel fallback = Microsoft.Extensions.Logging.LogLevel.Warning)
        => new Output.StderrLoggerFactory(stderr, Output.StderrLoggerFactory.LevelFromEnvironment(fallback));

    private static readonly ParserConfiguration Parsing = new()
    {
        // A torrent path or a bencoded value may start with '@': no response files.
        ResponseFileTokenReplacer = null,
    };

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        // `tps help` and `tps help <command>` read as --help.
        if (args is ["help", .. var rest])
        {
            args = [.. rest, "--help"];
        }

        var parsed = Root.Parse(args, Parsing);
        if (parsed.Action is { } action and not ParseErrorAction)
        {
            // --help, --version: System.CommandLine's own actions, on stdout.
            return await parsed.InvokeAsync(new InvocationConfiguration { Output = stdout, Error = stderr }, cancellationToken).ConfigureAwait(false);
        }

        var verb = Verbs.FirstOrDefault(v => ReferenceEquals(v.Command, parsed.CommandResult.Command));
        if (verb is null)
        {
            await WriteRootUsageErrorAsync(args, stderr).ConfigureAwait(false);
            return ExitCode.Usage;
        }

        if (UsageError(verb, parsed) is { } usageError)
        {
            await WriteUsageErrorAsync(verb, usageError, stderr).ConfigureAwait(false);
            return ExitCode.Usage;
        }

        try
        {
            return await verb.RunAsync(parsed, stdout, stderr, cancellationToken).ConfigureAwait(false);
        }
        catch (CliUsageException ex)
        {
            await WriteUsageErrorAsync(verb, ex.Message, stderr).ConfigureAwait(false);
            return ExitCode.Usage;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await stderr.WriteLineAsync($"tps {verb.Command.Name}: cancelled").ConfigureAwait(false);
            return ExitCode.Cancelled;
        }
        catch (Exception ex) when (ex is TorrentPSException or IOException or UnauthorizedAccessException or FormatException or TimeoutException or System.Net.Sockets.SocketException)
        {
            await stderr.WriteLineAsync($"tps {verb.Command.Name}: {OneLine(ex.Message)}").ConfigureAwait(false);
            return ExitCode.Failure;
        }
    }

    /// <summary>A verb's one-line usage, from its arguments and options: <c>tps peers &lt;file.torrent|magnet-link&gt; [--timeout &lt;seconds&gt;]</c>.</summary>
    internal static string Usage(ICliVerb verb)
    {
        var options = verb.Command.Options.Where(o => !o.Hidden && o is not HelpOption).ToArray();
        var parts = new List<string> { "tps", verb.Command.Name };
        parts.AddRange(options.Where(o => o.Required).Select(OptionLabel));
        foreach (var argument in verb.Command.Arguments)
        {
            var label = $"<{argument.Name}>";
            parts.Add(argument.Arity.MinimumNumberOfValues == 0 ? $"[{label}]" : label);
        }

        parts.AddRange(options.Where(o => !o.Required).Select(o => $"[{OptionLabel(o)}]{(o.Arity.MaximumNumberOfValues > 1 ? "..." : "")}"));
        return string.Join(' ', parts);

        // A flag (a bool option: --allow-partial) takes no value on the command line, whatever arity it allows.
        static string OptionLabel(Option option)
            => option.Arity.MaximumNumberOfValues == 0 || option.ValueType == typeof(bool) ? option.Name : $"{option.Name} <{option.HelpName ?? option.Name.TrimStart('-')}>";
    }

    /// <summary>What is wrong with the command line, if anything: a missing argument by name, else the parser's first error.</summary>
    internal static string? UsageError(ICliVerb verb, ParseResult parsed)
    {
        // An unknown option where an argument fits is taken for the argument's value; say what it is instead
        // (a value that really starts with '-' goes after "--").
        var tokens = parsed.Tokens.ToList();
        var doubleDash = tokens.FindIndex(t => t.Type == TokenType.DoubleDash);
        var unknownOption = verb.Command.Arguments
            .SelectMany(a => parsed.GetResult(a)?.Tokens ?? [])
            .FirstOrDefault(t => t.Value is ['-', _, ..] && (doubleDash < 0 || tokens.IndexOf(t) < doubleDash));
        if (unknownOption is not null)
        {
            return $"unknown option '{unknownOption.Value}' (put -- before a value that starts with '-')";
        }

        if (parsed.Errors.Count == 0)
        {
            return null;
        }

        var missing = verb.Command.Arguments.FirstOrDefault(a => a.Arity.MinimumNumberOfValues > 0 && parsed.GetResult(a) is not { Tokens.Count: > 0 });
        return missing is not null ? $"missing <{missing.Name}>" : parsed.Errors[0].Message;
    }

    /// <summary>An error message as one safe line: whatever a torrent, tracker or peer put in it is escaped (<see cref="DisplayText"/>).</summary>
    private static string OneLine(string message) => DisplayText.Message(message);

    private static async Task WriteUsageErrorAsync(ICliVerb verb, string message, TextWriter stderr)
    {
        var name = verb.Command.Name;
        await stderr.WriteLineAsync($"tps {name}: {OneLine(message).TrimEnd('.')}. Usage: {Usage(verb)}").ConfigureAwait(false);
        await stderr.WriteLineAsync($"Run 'tps {name} --help' for more.").ConfigureAwait(false);
    }

    private static async Task WriteRootUsageErrorAsync(string[] args, TextWriter stderr)
    {
        if (args.Length > 0)
        {
            await stderr.WriteLineAsync($"tps: unknown command '{DisplayText.Escape(args[0])}'. Run 'tps --help' for the list.").ConfigureAwait(false);
            return;
        }

        await stderr.WriteLineAsync("usage: tps <command> [arguments]").ConfigureAwait(false);
        foreach (var verb in Verbs)
        {
            await stderr.WriteLineAsync($"  {Usage(verb)}").ConfigureAwait(false);
        }

        await stderr.WriteLineAsync("Run 'tps --help' for what each command does, 'tps <command> --help' for its arguments.").ConfigureAwait(false);
    }

    private static Command CreateRoot()
    {
        // A Command named tps rather than a RootCommand, which takes its name and version from the process
        // (the test host's in tests). Every help page (tps --help, tps <command> --help) ends with the exit codes.
        var root = new Command(
            "tps",
            "A BitTorrent command line over the TorrentPS engine, with the commands and output formats of the "
            + "\"Build your own BitTorrent\" challenge. Only the answer goes to stdout; errors and logs go to stderr.");
        var help = new HelpOption();
        help.Action = new HelpWithExitCodes(help.Action!);
        root.Options.Add(help);
        root.Options.Add(new VersionOption { Action = new PrintVersion() });
        foreach (var verb in Verbs)
        {
            root.Subcommands.Add(verb.Command);
        }

        return root;
    }

    /// <summary>The version of tps (the assembly's informational version).</summary>
    internal static string Version { get; } =
        typeof(CliApp).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion
        ?? typeof(CliApp).Assembly.GetName().Version!.ToString(3);

    private sealed class PrintVersion : SynchronousCommandLineAction
    {
        public override bool ClearsParseErrors => true;

        public override int Invoke(ParseResult parseResult)
        {
            parseResult.InvocationConfiguration.Output.WriteLine(Version);
            return ExitCode.Success;
        }
    }

    /// <summary>System.CommandLine's help, then the exit codes.</summary>
    private sealed class HelpWithExitCodes(CommandLineAction help) : SynchronousCommandLineAction
    {
        public override bool ClearsParseErrors => true;

        public override int Invoke(ParseResult parseResult)
        {
            var result = ((SynchronousCommandLineAction)help).Invoke(parseResult);
            var output = parseResult.InvocationConfiguration.Output;
            output.WriteLine("Exit codes:");
            foreach (var (code, meaning) in ExitCodes)
            {
                output.WriteLine($"  {code,-5}{meaning}");
            }

            output.WriteLine();
            return result;
        }
    }
}
