using System.CommandLine;
using System.Net;
using TorrentPS.Cli.Output;
using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Session;
using TorrentPS.Engine.Swarm;

namespace TorrentPS.Cli;

/// <summary>
/// How the transfer verbs run a torrent: the shared options (<c>--peer</c>, <c>--timeout</c>, <c>--seed-ratio</c>,
/// <c>--port</c>, <c>--bind</c>, <c>--no-dht</c>, <c>--dht-node</c>) turned into the engine's <see cref="TransferRequest"/> and
/// the session's DHT bootstrap nodes, the engine's log on stderr, a
/// status line when stderr is a terminal, Ctrl+C stopping the torrent (progress saved, exit code 130). The session
/// listens from the first torrent on (6881 or the next free port unless <c>--port</c>/<c>--bind</c> say otherwise) and
/// announces exactly that port. A verb makes one <see cref="TorrentRun"/>, adds its options to its command with
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
        "--port", "port", 0, 65535, $"Listen for peers on this port (or the next free one); {ListenSettings.DefaultPort} by default, 0 for any.");

    private readonly Option<IPAddress?> _bind = CliArguments.Address(
        "--bind", "Listen for peers on this local address only; every address (0.0.0.0) by default.");

    private readonly DhtCommandOptions _dht = new();

    /// <summary>Adds <c>--peer</c>, <c>--timeout</c>, <c>--port</c>, <c>--bind</c>, <c>--no-dht</c> and <c>--dht-node</c> to <paramref name="command"/>, and with <paramref name="seeding"/> <c>--seed-ratio</c>.</summary>
    public void AddTo(Command command, bool seeding)
    {
        command.Options.Add(_peers);
        command.Options.Add(_timeout);
        if (seeding)
        {
            command.Options.Add(_seedRatio);
        }

        AddListenOptions(command);
    }

    /// <summary>Adds only <c>--port</c>, <c>--bind</c>, <c>--no-dht</c> and <c>--dht-node</c> (<c>tps seed</c> has its own seed options).</summary>
    public void AddListenOptions(Command command)
    {
        command.Options.Add(_port);
        command.Options.Add(_bind);
        _dht.AddTo(command);
    }

    /// <summary>Whether the command line leaves the DHT on for the torrent (no <c>--no-dht</c>).</summary>
    public bool UseDht(ParseResult parsed) => _dht.UseDht(parsed);

    /// <summary>The session's settings the command line names (<c>--dht-node</c>), before the session listens.</summary>
    public Task ApplySessionAsync(ParseResult parsed, Microsoft.Extensions.Logging.ILoggerFactory? loggers) => _dht.ApplyToSessionAsync(parsed, loggers);

    /// <summary>Where the command line asks the session to listen; null for the default (0.0.0.0, 6881 or the next free port).</summary>
    public ListenSettings? Listen(ParseResult parsed)
    {
        var port = parsed.GetValue(_port);
        var address = parsed.GetValue(_bind);
        if (port is null && address is null)
        {
            return null;
        }

        return new ListenSettings { Address = address ?? IPAddress.Any, Port = (int)(port ?? ListenSettings.DefaultPort) };
    }

    /// <summary>
    /// The command line's transfer options over <paramref name="request"/>: peers, the no-progress timeout, the seed ratio,
    /// where to listen, the DHT (off with <c>--no-dht</c>; <c>--dht-node</c> applied to the session). The verbs that run through here are the challenge's (<c>download_piece</c>, <c>download</c>,
    /// <c>magnet_info</c>, <c>magnet_download_piece</c>, <c>magnet_download</c>): they handshake as the challenge's peers
    /// expect, advertising only the extension protocol.
    /// </summary>
    public async Task<TransferRequest> ApplyAsync(ParseResult parsed, TransferRequest request, Microsoft.Extensions.Logging.ILoggerFactory? loggers, CancellationToken cancellationToken)
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

        await ApplySessionAsync(parsed, loggers).ConfigureAwait(false);
        var timeout = parsed.GetValue(_timeout);
        return request with
        {
            Peers = [.. request.Peers, .. peers],
            NoProgressTimeout = timeout is { } seconds ? TimeSpan.FromSeconds(seconds) : request.NoProgressTimeout,
            SeedRatio = parsed.GetValue(_seedRatio) ?? request.SeedRatio,
            Listen = Listen(parsed) ?? request.Listen,
            UseDht = request.UseDht && UseDht(parsed),
            ExtensionProtocolOnly = true,
        };
    }

    /// <summary>
    /// The download verbs' one body: the command line's options over <paramref name="request"/>, the run, and
    /// <paramref name="done"/> on stdout when it completed (a stopped run says so on stderr, exit 130).
    /// </summary>
    public async Task<int> DownloadAsync(
        ParseResult parsed,
        TransferRequest request,
        string done,
        string verb,
        Microsoft.Extensions.Logging.ILoggerFactory loggers,
        TextWriter stdout,
        TextWriter stderr,
        CancellationToken cancellationToken)
    {
        var applied = await ApplyAsync(parsed, request, loggers, cancellationToken).ConfigureAwait(false);
        var torrent = Start(applied, loggers);
        var result = await RunAsync(torrent, stderr, cancellationToken).ConfigureAwait(false);
        var code = await ExitCodeAsync(result, stderr, verb).ConfigureAwait(false);
        if (code == 0)
        {
            await stdout.WriteLineAsync(done).ConfigureAwait(false);
        }

        return code;
    }

    /// <summary>
    /// Starts <paramref name="request"/> in the shared session. A magnet link with nowhere to ask for its metadata fails at
    /// once (the engine's <c>NowhereToAsk</c>), said in the command line's terms (<c>--peer</c>, <c>--no-dht</c>, <c>--dht-node</c>).
    /// </summary>
    public static Torrent Start(TransferRequest request, Microsoft.Extensions.Logging.ILoggerFactory loggers)
    {
        try
        {
            return TorrentSession.Shared.Start(request, loggers);
        }
        catch (TorrentPSException ex) when (ex.ErrorId == "NowhereToAsk")
        {
            var dht = request.UseDht
                ? "the DHT has no node to ask (name one with --dht-node)"
                : "--no-dht turned the DHT off";
            throw new TorrentPSException(
                ex.ErrorId,
                ex.Kind,
                $"the magnet link names no tracker (tr) and no peer (x.pe), no --peer was given, and {dht}: there is nowhere to ask for the torrent's metadata. Give --peer, use a link with a tracker, or let the DHT search.",
                ex);
        }
    }

    /// <summary>Runs a started torrent to its end, its status on stderr's line when that is a terminal; Ctrl+C stops it (the result then says Stopped).</summary>
    public static async Task<DownloadResult> RunAsync(Torrent torrent, TextWriter stderr, CancellationToken cancellationToken)
    {
        var showing = CliApp.StderrIsTerminal ? new StatusLine(stderr).ShowAsync(torrent) : null;
        try
        {
            return await torrent.RunAsync(cancellationToken).ConfigureAwait(false);
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

    /// <summary>A stopped run is the user's Ctrl+C: exit code 130 after saying where it stopped and what it sent.</summary>
    public static async Task<int> ExitCodeAsync(DownloadResult result, TextWriter stderr, string verb)
    {
        if (result.State is TorrentState.Stopped or TorrentState.Paused)
        {
            await stderr.WriteLineAsync($"tps {verb}: stopped with {result.VerifiedPieces} of {result.PieceCount} pieces, {result.Uploaded} bytes uploaded; run the same command again to continue").ConfigureAwait(false);
            return ExitCode.Cancelled;
        }

        return 0;
    }
}
