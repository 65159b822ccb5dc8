using System.CommandLine;
using System.Net;
using Microsoft.Extensions.Logging;
using TorrentPS.Cli.Output;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Session;
using TorrentPS.Engine.Swarm;

namespace TorrentPS.Cli;

/// <summary>
/// How the transfer verbs run a torrent: the shared options (<c>--peer</c>, <c>--timeout</c>, <c>--seed-ratio</c>,
/// <c>--port</c>), the engine's log on stderr, a status line when stderr is a terminal, Ctrl+C stopping the torrent
/// (progress saved, exit code 130). A verb makes one <see cref="TorrentRun"/>, adds its options to its command with
/// <see cref="AddTo"/> and reads them back from the parse result.
/// </summary>
internal sealed class TorrentRun
{
    private readonly Option<string[]> _peers = new("--peer")
    {
        HelpName = "ip:port",
        Description = "A peer to connect to besides those the trackers give; repeat for more.",
        Arity = ArgumentArity.OneOrMore,
    };

    private readonly Option<double?> _timeout = CliArguments.OptionalNumber(
        "--timeout", "seconds", 1, 86400 * 7, "Give up when no piece has arrived for this long.");

    private readonly Option<double?> _seedRatio = CliArguments.OptionalNumber(
        "--seed-ratio", "ratio", 0, 1000, "After the download, seed on until this upload ratio.");

    private readonly Option<double?> _port = CliArguments.OptionalNumber(
        "--port", "port", 1, 65535, "Listen for peers on this port (or the next free one).");

    /// <summary>Adds <c>--peer</c> and <c>--timeout</c> to <paramref name="command"/>, and with <paramref name="seeding"/> <c>--seed-ratio</c> and <c>--port</c>.</summary>
    public void AddTo(Command command, bool seeding)
    {
        command.Options.Add(_peers);
        command.Options.Add(_timeout);
        if (seeding)
        {
            command.Options.Add(_seedRatio);
            command.Options.Add(_port);
        }
    }

    /// <summary>
    /// The transfer options from the command line, applied to <paramref name="options"/>. The verbs that run through here
    /// are the challenge's (<c>download_piece</c>, <c>download</c>, <c>magnet_info</c>, <c>magnet_download_piece</c>,
    /// <c>magnet_download</c>): they handshake as the challenge's peers expect, advertising only the extension protocol.
    /// </summary>
    public async Task<TorrentOptions> ApplyAsync(ParseResult parsed, TorrentOptions options, CancellationToken cancellationToken)
    {
        var peers = new List<IPEndPoint>();
        foreach (var text in parsed.GetValue(_peers) ?? [])
        {
            try
            {
                peers.Add(await PeerEndPoint.ResolveAsync(text, cancellationToken).ConfigureAwait(false));
            }
            catch (FormatException ex)
            {
                throw new CliUsageException(ex.Message.TrimEnd('.'));
            }
        }

        var timeout = parsed.GetValue(_timeout);
        return options with
        {
            Peers = [.. options.Peers, .. peers],
            NoProgressTimeout = timeout is { } seconds ? TimeSpan.FromSeconds(seconds) : options.NoProgressTimeout,
            SeedRatio = parsed.GetValue(_seedRatio) ?? options.SeedRatio,
            ExtensionProtocolOnly = true,
        };
    }

    /// <summary>Starts listening when <c>--port</c> asks (or <paramref name="listen"/>), on that port or the next free one.</summary>
    public void Listen(ParseResult parsed, bool listen, ILoggerFactory loggers)
    {
        var port = parsed.GetValue(_port);
        if (port is not null || listen)
        {
            TorrentSession.Shared.Listen(port: (int)(port ?? 0), loggers: loggers);
        }
    }

    /// <summary>
    /// The download verbs' one body: the command line's options over <paramref name="options"/>, listening when they
    /// seed, the run, and <paramref name="done"/> on stdout when it completed (a stopped run says so on stderr, exit 130).
    /// </summary>
    public async Task<int> DownloadAsync(
        ParseResult parsed,
        TorrentOptions options,
        Func<TorrentOptions, Torrent> start,
        string done,
        string verb,
        ILoggerFactory loggers,
        TextWriter stdout,
        TextWriter stderr,
        CancellationToken cancellationToken)
    {
        var applied = await ApplyAsync(parsed, options, cancellationToken).ConfigureAwait(false);
        Listen(parsed, applied.SeedsAfterDownload, loggers);
        var result = await RunAsync(start(applied), stderr, cancellationToken).ConfigureAwait(false);
        var code = await ExitCodeAsync(result, stderr, verb).ConfigureAwait(false);
        if (code == 0)
        {
            await stdout.WriteLineAsync(done).ConfigureAwait(false);
        }

        return code;
    }

    /// <summary>Runs a started torrent to its end, its status on stderr's line when that is a terminal; Ctrl+C stops it (the result then says Stopped).</summary>
    public static async Task<DownloadResult> RunAsync(Torrent torrent, TextWriter stderr, CancellationToken cancellationToken)
    {
        var showing = CliApp.StderrIsTerminal ? new StatusLine(stderr).ShowAsync(torrent) : null;
        try
        {
            return await TorrentSession.RunAsync(torrent, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (showing is not null)
            {
                await showing.ConfigureAwait(false);
                StatusLine.ClearCurrent(stderr);
            }
        }
    }

    /// <summary>A stopped run is the user's Ctrl+C: exit code 130 after saying where it stopped.</summary>
    public static async Task<int> ExitCodeAsync(DownloadResult result, TextWriter stderr, string verb)
    {
        if (result.State == TorrentState.Stopped)
        {
            await stderr.WriteLineAsync($"tps {verb}: stopped with {result.VerifiedPieces} of {result.PieceCount} pieces; run the same command again to continue").ConfigureAwait(false);
            return ExitCode.Cancelled;
        }

        return 0;
    }
}
