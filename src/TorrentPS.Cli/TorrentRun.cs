using System.Net;
using Microsoft.Extensions.Logging;
using TorrentPS.Cli.Output;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Session;

namespace TorrentPS.Cli;

/// <summary>
/// How the transfer verbs run a torrent: the shared options (<c>--peer</c>, <c>--timeout</c>, <c>--seed-ratio</c>,
/// <c>--port</c>), the engine's log on stderr, a status line when stderr is a terminal, Ctrl+C stopping the torrent
/// (progress saved, exit code 130).
/// </summary>
internal static class TorrentRun
{
    public static readonly string[] Options = ["--peer", "--timeout", "--seed-ratio", "--port"];

    /// <summary>The transfer options from the command line, applied to <paramref name="options"/>.</summary>
    public static async Task<TorrentOptions> ApplyAsync(CliArguments arguments, TorrentOptions options, CancellationToken cancellationToken)
    {
        var peers = new List<IPEndPoint>();
        foreach (var text in arguments.GetAll("--peer"))
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

        var timeout = arguments.GetNumber("--timeout", 1, 86400 * 7);
        return options with
        {
            Peers = [.. options.Peers, .. peers],
            NoProgressTimeout = timeout is { } seconds ? TimeSpan.FromSeconds(seconds) : options.NoProgressTimeout,
            SeedRatio = arguments.GetNumber("--seed-ratio", 0, 1000) ?? options.SeedRatio,
        };
    }

    /// <summary>Starts listening when <c>--port</c> asks (or <paramref name="listen"/>), on that port or the next free one.</summary>
    public static void Listen(CliArguments arguments, bool listen, ILoggerFactory loggers)
    {
        var port = arguments.GetNumber("--port", 1, 65535);
        if (port is not null || listen)
        {
            TorrentSession.Shared.Listen(port: (int)(port ?? 0), loggers: loggers);
        }
    }

    /// <summary>Runs a started torrent to its end; Ctrl+C stops it (the result then says Stopped).</summary>
    public static async Task<DownloadResult> RunAsync(Func<Action<TorrentStatus>?, Torrent> start, TextWriter stderr, CancellationToken cancellationToken)
    {
        var line = CliApp.StderrIsTerminal ? new StatusLine(stderr) : null;
        var torrent = start(line is null ? null : line.Update);
        try
        {
            return await TorrentSession.RunAsync(torrent, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (line is not null)
            {
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
            return 130;
        }

        return 0;
    }
}
