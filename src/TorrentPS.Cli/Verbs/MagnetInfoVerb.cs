using System.CommandLine;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Session;
using TorrentPS.Engine.Swarm;

namespace TorrentPS.Cli.Verbs;

/// <summary>
/// <c>tps magnet_info "&lt;magnet link&gt;"</c>: fetches the torrent's metadata from peers (ut_metadata, BEP 9) and prints it
/// exactly as <c>tps info</c> prints a .torrent file (the tracker is the link's).
/// </summary>
internal sealed class MagnetInfoVerb : ICliVerb
{
    private readonly Argument<string> _link = CliArguments.MagnetLink();

    private readonly TorrentRun _run = new();

    public MagnetInfoVerb()
    {
        Command = new("magnet_info", "Fetches a magnet link's metadata from peers and prints it as info prints a .torrent file.") { _link };
        _run.AddTo(Command, seeding: false);
    }

    public Command Command { get; }

    public async Task<int> RunAsync(ParseResult parsed, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var magnet = MagnetLink.Parse(parsed.GetRequiredValue(_link));
        var loggers = CliApp.CreateLoggers(stderr);
        var request = await _run.ApplyAsync(parsed, TransferRequest.Metadata(magnet) with { NoProgressTimeout = TimeSpan.FromSeconds(60) }, loggers, cancellationToken).ConfigureAwait(false);
        var torrent = TorrentRun.Start(request, loggers);
        var result = await TorrentRun.RunAsync(torrent, stderr, cancellationToken).ConfigureAwait(false);
        if (result.State == TorrentState.Stopped || torrent.Info is not { } info)
        {
            return await TorrentRun.ExitCodeAsync(result, stderr, Command.Name).ConfigureAwait(false);
        }

        await InfoVerb.WriteAsync(info, stdout, cancellationToken).ConfigureAwait(false);
        return 0;
    }
}
