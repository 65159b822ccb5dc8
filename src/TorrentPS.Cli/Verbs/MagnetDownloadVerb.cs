using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Session;
using TorrentPS.Engine.Storage;

namespace TorrentPS.Cli.Verbs;

/// <summary>
/// <c>tps magnet_download -o &lt;path&gt; "&lt;magnet link&gt;"</c> (also <c>download_magnet</c>): the metadata from peers, then the
/// whole torrent as <c>tps download</c> does; prints <c>Downloaded &lt;link&gt; to &lt;path&gt;.</c> as <c>download</c> does. A second run continues
/// without fetching the metadata again (it is in the resume data).
/// </summary>
internal sealed class MagnetDownloadVerb(string name = "magnet_download") : ICliVerb
{
    public string Name => name;

    public string Usage => "-o <path> \"<magnet link>\" [--peer <ip:port>]... [--timeout <seconds>] [--seed-ratio <ratio>] [--port <port>]";

    public async Task<int> RunAsync(IReadOnlyList<string> arguments, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var parsed = CliArguments.Parse(arguments, ["-o", .. TorrentRun.Options]);
        parsed.ExpectPositional(1);
        var output = parsed.Require("-o");
        var magnet = MagnetLink.Parse(parsed.Positional[0]);
        var loggers = CliApp.CreateLoggers(stderr);
        var known = MagnetResume.TryLoad(magnet, ContentLocation.GetDefaultResumePathAtPath(output, magnet.InfoHash), loggers.CreateLogger("tps"));
        var options = await TorrentRun.ApplyAsync(parsed, TorrentOptions.AtPath(output, loggers), cancellationToken).ConfigureAwait(false);
        TorrentRun.Listen(parsed, options.SeedsAfterDownload, loggers);
        var result = await TorrentRun.RunAsync(status => TorrentSession.Shared.Start(magnet, options, loggers, status, known), stderr, cancellationToken).ConfigureAwait(false);
        var code = await TorrentRun.ExitCodeAsync(result, stderr, Name).ConfigureAwait(false);
        if (code == 0)
        {
            await stdout.WriteLineAsync($"Downloaded {parsed.Positional[0]} to {output}.").ConfigureAwait(false);
        }

        return code;
    }
}
