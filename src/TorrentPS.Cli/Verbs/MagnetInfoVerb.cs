using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Session;

namespace TorrentPS.Cli.Verbs;

/// <summary>
/// <c>tps magnet_info "&lt;magnet link&gt;"</c>: fetches the torrent's metadata from peers (ut_metadata, BEP 9) and prints it
/// exactly as <c>tps info</c> prints a .torrent file (the tracker is the link's).
/// </summary>
internal sealed class MagnetInfoVerb : ICliVerb
{
    public string Name => "magnet_info";

    public string Usage => "\"<magnet link>\" [--peer <ip:port>]... [--timeout <seconds>]";

    public async Task<int> RunAsync(IReadOnlyList<string> arguments, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var parsed = CliArguments.Parse(arguments, TorrentRun.Options);
        parsed.ExpectPositional(1);
        var magnet = MagnetLink.Parse(parsed.Positional[0]);
        var loggers = CliApp.CreateLoggers(stderr);
        var options = await TorrentRun.ApplyAsync(parsed, TorrentOptions.MetadataOnly() with { NoProgressTimeout = TimeSpan.FromSeconds(60) }, cancellationToken).ConfigureAwait(false);
        Torrent? torrent = null;
        var result = await TorrentRun.RunAsync(status => torrent = TorrentSession.Shared.Start(magnet, options, loggers, status), stderr, cancellationToken).ConfigureAwait(false);
        if (result.State == TorrentState.Stopped || torrent?.Info is not { } info)
        {
            return await TorrentRun.ExitCodeAsync(result, stderr, Name).ConfigureAwait(false);
        }

        await InfoVerb.WriteAsync(info, stdout, cancellationToken).ConfigureAwait(false);
        return 0;
    }
}
