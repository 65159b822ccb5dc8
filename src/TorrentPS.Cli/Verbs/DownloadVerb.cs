using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Session;

namespace TorrentPS.Cli.Verbs;

/// <summary>
/// <c>tps download -o &lt;path&gt; &lt;file.torrent&gt;</c>: the whole torrent (for a single file <c>path</c> is the file, for
/// several the folder that receives them); prints <c>Downloaded &lt;file.torrent&gt; to &lt;path&gt;.</c> The same command run
/// again after an interruption continues where it stopped.
/// </summary>
internal sealed class DownloadVerb : ICliVerb
{
    public string Name => "download";

    public string Usage => "-o <path> <file.torrent> [--peer <ip:port>]... [--timeout <seconds>] [--seed-ratio <ratio>] [--port <port>]";

    public async Task<int> RunAsync(IReadOnlyList<string> arguments, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var parsed = CliArguments.Parse(arguments, ["-o", .. TorrentRun.Options]);
        parsed.ExpectPositional(1);
        var output = parsed.Require("-o");
        var torrent = await TorrentInfo.LoadAsync(parsed.Positional[0], cancellationToken).ConfigureAwait(false);
        var loggers = CliApp.CreateLoggers(stderr);
        var options = await TorrentRun.ApplyAsync(parsed, TorrentOptions.AtPath(output, loggers), cancellationToken).ConfigureAwait(false);
        TorrentRun.Listen(parsed, options.SeedsAfterDownload, loggers);
        var result = await TorrentRun.RunAsync(status => TorrentSession.Shared.Start(torrent, options, loggers, status), stderr, cancellationToken).ConfigureAwait(false);
        var code = await TorrentRun.ExitCodeAsync(result, stderr, Name).ConfigureAwait(false);
        if (code == 0)
        {
            await stdout.WriteLineAsync($"Downloaded {parsed.Positional[0]} to {output}.").ConfigureAwait(false);
        }

        return code;
    }
}
