using TorrentPS.Cli.Verbs;
using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Text;

namespace TorrentPS.Cli;

/// <summary>`tps`: the challenge's commands and exact output formats over the engine.</summary>
internal static class CliApp
{
    /// <summary>Every command `tps` knows, in the order the usage text lists them.</summary>
    internal static IReadOnlyList<ICliVerb> Verbs { get; } =
    [
        new DecodeVerb(),
        new InfoVerb(),
        new PeersVerb(),
        new HandshakeVerb(),
        new MagnetParseVerb(),
        new MagnetHandshakeVerb(),
        new DownloadPieceVerb(),
        new DownloadVerb(),
        new MagnetInfoVerb(),
        new MagnetDownloadPieceVerb(),
        new MagnetDownloadVerb(),
        new MagnetDownloadVerb("download_magnet"),
        new SeedVerb(),
        new VerifyVerb(),
    ];

    /// <summary>Stderr is a terminal: transfer verbs show a status line there.</summary>
    public static bool StderrIsTerminal { get; set; }

    /// <summary>The engine's log on <paramref name="stderr"/>, from the level <c>TPS_LOG</c> names (warnings by default).</summary>
    public static Microsoft.Extensions.Logging.ILoggerFactory CreateLoggers(TextWriter stderr, Microsoft.Extensions.Logging.LogLevel fallback = Microsoft.Extensions.Logging.LogLevel.Warning)
        => new Output.StderrLoggerFactory(stderr, Output.StderrLoggerFactory.LevelFromEnvironment(fallback));

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            await WriteUsageAsync(args.Length == 0 ? stderr : stdout).ConfigureAwait(false);
            return args.Length == 0 ? 2 : 0;
        }

        var verb = Verbs.FirstOrDefault(v => v.Name == args[0]);
        if (verb is null)
        {
            await stderr.WriteLineAsync($"tps: unknown command '{DisplayText.Escape(args[0])}'. Run 'tps --help' for the list.").ConfigureAwait(false);
            return 2;
        }

        try
        {
            return await verb.RunAsync(args[1..], stdout, stderr, cancellationToken).ConfigureAwait(false);
        }
        catch (CliUsageException ex)
        {
            await stderr.WriteLineAsync($"tps {verb.Name}: {DisplayText.Message(ex.Message)}. Usage: tps {verb.Name} {verb.Usage}").ConfigureAwait(false);
            return 2;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await stderr.WriteLineAsync($"tps {verb.Name}: cancelled").ConfigureAwait(false);
            return 130;
        }
        catch (Exception ex) when (ex is TorrentPSException or IOException or UnauthorizedAccessException or FormatException or TimeoutException or System.Net.Sockets.SocketException)
        {
            await stderr.WriteLineAsync($"tps {verb.Name}: {OneLine(ex.Message)}").ConfigureAwait(false);
            return 1;
        }
    }

    /// <summary>An error message as one safe line: whatever a torrent, tracker or peer put in it is escaped (<see cref="DisplayText"/>).</summary>
    private static string OneLine(string message) => DisplayText.Message(message);

    private static async Task WriteUsageAsync(TextWriter writer)
    {
        await writer.WriteLineAsync("usage: tps <command> [arguments]").ConfigureAwait(false);
        foreach (var verb in Verbs)
        {
            await writer.WriteLineAsync($"  tps {verb.Name} {verb.Usage}").ConfigureAwait(false);
        }
    }
}
